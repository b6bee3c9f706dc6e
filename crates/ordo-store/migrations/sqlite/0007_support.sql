-- The support chat (PRODUCT.md M17): a user's conversations with the
-- platform's support, their messages (sealed with the tenant's key like
-- meeting data; an image sealed too), and the time-limited read access to
-- one meeting that a tenant admin may grant a support agent.

CREATE TABLE support_conversations (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved')),
    -- The staff member who answers (a platform id: no foreign key).
    assigned_to   TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    -- The last message each side has read, by its number.
    user_read     BIGINT NOT NULL DEFAULT 0,
    staff_read    BIGINT NOT NULL DEFAULT 0,
    -- When the user last had the chat open (replies are e-mailed if away).
    user_seen_at  BIGINT NOT NULL DEFAULT 0,
    -- How many messages it holds (their numbers are 1..n).
    messages      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX support_conversations_by_user ON support_conversations (tenant_id, user_id);

CREATE TABLE support_messages (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    -- 1, 2, 3... within the conversation: the order, and what "read" counts.
    seq             BIGINT NOT NULL,
    author_kind     TEXT NOT NULL CHECK (author_kind IN ('user', 'staff')),
    author_id       TEXT NOT NULL,
    body            TEXT NOT NULL,
    -- A picture: sealed bytes, its checked type; NULL when none.
    image           TEXT,
    image_type      TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES support_conversations(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE support_grants (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    staff_id   TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX support_grants_by_staff ON support_grants (staff_id, meeting_id);
