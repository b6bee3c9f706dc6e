-- Each user's time zone (an IANA name), in which Ordo shows them times;
-- empty until they choose one or their browser tells it at sign-in.
ALTER TABLE users ADD COLUMN time_zone TEXT;
