-- Reminders (issue 7): each user's choice about the e-mail digest of their
-- actions due soon or overdue (on unless they opt out), and the UTC day the
-- last digest went, so that it goes at most once a day.

CREATE TABLE reminder_prefs (
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    opt_out      BIGINT NOT NULL DEFAULT 0,
    last_sent_on TEXT,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
