-- The operator's staff (PRODUCT.md O3, M17): accounts of their own, outside
-- every tenant, with a platform role, a password and a TOTP second factor
-- (its secret sealed under the platform key), single-use recovery codes,
-- sessions of their own, and activation links. A tenant may have a named
-- customer success manager.

CREATE TABLE staff (
    id               TEXT PRIMARY KEY,
    -- Lower-cased; staff sign in with it.
    email            TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('operator_admin', 'support_agent', 'csm', 'security_officer')),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    password_hash    TEXT,
    -- AES-256-GCM under the platform key; NULL until enrolled.
    totp_secret      TEXT,
    -- The last time step whose code was accepted: a code works once.
    totp_last_step   BIGINT NOT NULL DEFAULT 0,
    -- Takes new support conversations (round-robin among those available).
    available        BIGINT NOT NULL DEFAULT 1,
    last_assigned_at BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Only the SHA-256 of each code; used_at once spent.
CREATE TABLE staff_recovery_codes (
    staff_id  TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);

CREATE TABLE staff_sessions (
    id           TEXT PRIMARY KEY,
    -- SHA-256 of the cookie value.
    secret_hash  TEXT NOT NULL UNIQUE,
    staff_id     TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    -- 0 after the password alone; 1 once the one-time code passed.
    mfa_passed   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Single-use activation links (SHA-256 of the token).
CREATE TABLE staff_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

ALTER TABLE tenants ADD COLUMN csm_id TEXT;
