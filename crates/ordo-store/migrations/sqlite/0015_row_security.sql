-- Row-level security is PostgreSQL's (see postgres/0015_row_security.sql).
-- An embedded SQLite database has one user, the server itself: there is no
-- second role to keep apart, so this version changes nothing here and only
-- keeps both engines' schema versions equal.
SELECT 1;
