-- A meeting's change history: who changed which item, when, through which
-- use case, and what it was before (sealed like the content it copies;
-- NULL for an item that did not exist before). Written in the same
-- transaction as the change itself, by ordo-app's one write path.

CREATE TABLE meeting_history (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    at         BIGINT NOT NULL,
    actor_id   TEXT,
    use_case   TEXT NOT NULL,
    item_kind  TEXT NOT NULL CHECK (item_kind IN ('meeting', 'topic', 'element', 'comment')),
    item_id    TEXT NOT NULL,
    before     TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX meeting_history_by_meeting ON meeting_history (tenant_id, meeting_id, at);
