-- Minutes out (issue 7): messages with an HTML part and attachments (the
-- minutes' PDF, calendar invitations), the calendar sequence of each
-- meeting, and each user's calendar feed.

-- Sealed like the other columns of a message; '' when there is none.
ALTER TABLE mail_outbox ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN attachments TEXT NOT NULL DEFAULT '';

-- The iCalendar SEQUENCE of the meeting's invitations: raised each time
-- participants are sent an update or a cancellation, so that calendars
-- replace the event they hold (same UID) rather than add one.
ALTER TABLE meetings ADD COLUMN ics_sequence BIGINT NOT NULL DEFAULT 0;

-- A user's calendar feed: only the SHA-256 of its secret token is kept;
-- revoking the feed deletes the row, making a new one replaces it.
CREATE TABLE calendar_feeds (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
