//! Reading columns the same way from SQLite and PostgreSQL rows.

use crate::StoreError;
use sqlx::Row;

pub(crate) trait Get {
    fn text(&self, col: &'static str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &'static str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &'static str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &'static str) -> Result<Option<i64>, StoreError>;

    /// A text column parsed into a domain type; a value that does not parse
    /// is reported as corruption rather than silently accepted.
    fn parsed<T: std::str::FromStr>(&self, col: &'static str) -> Result<T, StoreError> {
        self.text(col)?.parse().map_err(|_| StoreError::Corrupt(col))
    }
    fn opt_parsed<T: std::str::FromStr>(&self, col: &'static str) -> Result<Option<T>, StoreError> {
        match self.opt_text(col)? {
            Some(s) => s.parse().map(Some).map_err(|_| StoreError::Corrupt(col)),
            None => Ok(None),
        }
    }
    fn ts(&self, col: &'static str) -> Result<ordo_core::time::Timestamp, StoreError> {
        Ok(ordo_core::time::Timestamp::from_unix(self.int(col)?))
    }
}

macro_rules! impl_get {
    ($row:ty) => {
        impl Get for $row {
            fn text(&self, col: &'static str) -> Result<String, StoreError> {
                Ok(self.try_get::<String, _>(col)?)
            }
            fn opt_text(&self, col: &'static str) -> Result<Option<String>, StoreError> {
                Ok(self.try_get::<Option<String>, _>(col)?)
            }
            fn int(&self, col: &'static str) -> Result<i64, StoreError> {
                Ok(self.try_get::<i64, _>(col)?)
            }
            fn opt_int(&self, col: &'static str) -> Result<Option<i64>, StoreError> {
                Ok(self.try_get::<Option<i64>, _>(col)?)
            }
        }
    };
}

impl_get!(sqlx::sqlite::SqliteRow);
impl_get!(sqlx::postgres::PgRow);
