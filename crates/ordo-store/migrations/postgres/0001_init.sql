-- Ordo schema, version 1 (PostgreSQL). Times are Unix seconds (UTC). Ids are
-- random UUIDs as text. Every tenant-owned table is keyed by (tenant_id, ...)
-- so that a tenant can be exported, deleted or restored as a unit.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    plan        TEXT NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
    created_at  BIGINT NOT NULL,
    -- The head of the tenant's audit chain, so that removing the newest
    -- entries is detected too.
    audit_seq   BIGINT NOT NULL DEFAULT 0,
    audit_head  TEXT NOT NULL DEFAULT '',
    -- Encryption at rest of contact details and meeting data.
    encryption  TEXT NOT NULL DEFAULT 'on' CHECK (encryption IN ('on', 'off')),
    -- The data key version new values are sealed with.
    key_version BIGINT NOT NULL DEFAULT 1,
    -- 1 while stored values must be re-sealed (encryption switched, key
    -- rotated); the background job clears it when done.
    reseal_pending BIGINT NOT NULL DEFAULT 0
);

-- A tenant's data keys (one per version) and blind-index key, each wrapped
-- by the tenant's key-encryption key, which lives outside the database.
CREATE TABLE tenant_keys (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('data', 'index')),
    version    BIGINT NOT NULL,
    wrapped    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, purpose, version)
);

CREATE TABLE users (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    -- Protected columns hold sealed values: 'p:<text>' when the tenant has
    -- encryption off, 'e1.<key version>:<AES-256-GCM>' when on.
    email         TEXT NOT NULL,
    -- What sign-in looks the account up by: HMAC-SHA-256 of the normalised
    -- address under the tenant's index key (a blind index).
    email_index   TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    phone         TEXT,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    locale        TEXT,
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email_index)
);

CREATE TABLE sessions (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    -- SHA-256 of the cookie value: the secret itself is never stored.
    secret_hash  TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_by_user ON sessions (tenant_id, user_id);

CREATE TABLE user_tokens (
    tenant_id   TEXT NOT NULL,
    -- SHA-256 of the token sent by e-mail.
    token_hash  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_tokens_by_user ON user_tokens (tenant_id, user_id, purpose);

CREATE TABLE audit_log (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    id          TEXT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    TEXT,
    kind        TEXT NOT NULL,
    subject_id  TEXT,
    ip          TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

-- Recipient, subject and body are sealed like other protected columns.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT REFERENCES tenants(id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- Meetings. Protected columns (title, objectives, place, topic and element
-- texts) hold sealed values like users' contact details.
CREATE TABLE meetings (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    title            TEXT NOT NULL,
    objectives       TEXT NOT NULL,
    place            TEXT NOT NULL,
    starts_at        BIGINT NOT NULL,
    time_zone        TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    organiser_id     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'shared', 'cancelled', 'archived')),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organiser_id) REFERENCES users(tenant_id, id)
);
CREATE INDEX meetings_by_start ON meetings (tenant_id, starts_at);

CREATE TABLE meeting_participants (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('organiser', 'editor', 'contributor', 'reader')),
    -- When access was shared with this participant (NULL: not yet).
    shared_at  BIGINT,
    PRIMARY KEY (tenant_id, meeting_id, user_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX participants_by_user ON meeting_participants (tenant_id, user_id);

CREATE TABLE topics (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    parent_id  TEXT,
    position   BIGINT NOT NULL,
    title      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX topics_by_meeting ON topics (tenant_id, meeting_id, position);

-- "Who contributes to what": a topic with contributors listed accepts new
-- content from them (and from editors and the organiser) only.
CREATE TABLE topic_contributors (
    tenant_id TEXT NOT NULL,
    topic_id  TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, topic_id, user_id),
    FOREIGN KEY (tenant_id, topic_id) REFERENCES topics(tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE elements (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    meeting_id    TEXT NOT NULL,
    topic_id      TEXT NOT NULL,
    position      BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('decision', 'action', 'discuss', 'note', 'image')),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    due_date      TEXT,
    action_status TEXT CHECK (action_status IN ('open', 'done')),
    created_by    TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, topic_id) REFERENCES topics(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX elements_by_topic ON elements (tenant_id, topic_id, position);

CREATE TABLE element_owners (
    tenant_id  TEXT NOT NULL,
    element_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, element_id, user_id),
    FOREIGN KEY (tenant_id, element_id) REFERENCES elements(tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX owners_by_user ON element_owners (tenant_id, user_id);

CREATE TABLE comments (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    element_id TEXT NOT NULL,
    parent_id  TEXT,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, element_id) REFERENCES elements(tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, author_id) REFERENCES users(tenant_id, id)
);
CREATE INDEX comments_by_meeting ON comments (tenant_id, meeting_id, created_at);

-- Images of image elements (one per element), sealed like other meeting data.
CREATE TABLE attachments (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    meeting_id   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    width        BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    data         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, id) REFERENCES elements(tenant_id, id) ON DELETE CASCADE
);

-- Personal API tokens: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);

-- Operator actions outside any tenant (tenant deletion, encryption switched
-- off, master key rotation), hash-chained like the tenants' logs.
CREATE TABLE platform_audit (
    seq        BIGINT PRIMARY KEY,
    id         TEXT NOT NULL,
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- Platform-wide facts, such as the id of the master key in use.
CREATE TABLE platform_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
