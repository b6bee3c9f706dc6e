-- Series and follow-ups (issue 7). A series holds its rule; each of its
-- meetings knows its place in it. Any meeting may follow up another one
-- (the next of a series, or a single follow-up). Elements carried over to
-- the next meeting keep where they first came from; the one they were
-- carried from records where it went, so a backlog counts each once.

CREATE TABLE meeting_series (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    frequency      TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly_date', 'monthly_weekday')),
    interval_count BIGINT NOT NULL,
    until_date     TEXT,
    max_count      BIGINT,
    -- The first meeting's local start (YYYY-MM-DDTHH:MM) and zone: every
    -- occurrence keeps that local time.
    first_local    TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

ALTER TABLE meetings ADD COLUMN series_id TEXT;
-- 0 for the first meeting of a series.
ALTER TABLE meetings ADD COLUMN series_index BIGINT;
ALTER TABLE meetings ADD COLUMN follows_id TEXT;
CREATE INDEX meetings_by_series ON meetings (tenant_id, series_id);
CREATE INDEX meetings_by_follows ON meetings (tenant_id, follows_id);

ALTER TABLE elements ADD COLUMN origin_meeting_id TEXT;
-- The local date of the meeting it first came from (YYYY-MM-DD).
ALTER TABLE elements ADD COLUMN origin_date TEXT;
ALTER TABLE elements ADD COLUMN carried_to TEXT;

-- Who was there, for the minutes: NULL not recorded, 1 present, 0 absent.
ALTER TABLE meeting_participants ADD COLUMN present BIGINT;
