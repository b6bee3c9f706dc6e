//! Meeting queries.
