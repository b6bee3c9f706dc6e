-- Watching tenants and alerting on-call (PRODUCT.md O3). The platform keeps
-- each tenant's current status and its changes, the incidents it raised
-- (one open per rule and subject: de-duplicated across nodes by a unique
-- index), the alert deliveries still to make (a durable queue, retried with
-- back-off), and per-minute request counts for error rates. None of this is
-- a tenant's own data: it describes the service, and is not in tenant
-- backups (no foreign key: a restore replaces a tenant's rows, not this).

CREATE TABLE tenant_status (
    tenant_id  TEXT PRIMARY KEY,
    status     TEXT NOT NULL CHECK (status IN ('up', 'degraded', 'down')),
    since      BIGINT NOT NULL,
    checked_at BIGINT NOT NULL,
    latency_ms BIGINT NOT NULL,
    detail     TEXT NOT NULL
);

-- Every change of a tenant's status (the history).
CREATE TABLE tenant_status_changes (
    tenant_id  TEXT NOT NULL,
    -- 1, 2, 3... per tenant: the order of changes, even within one second.
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('up', 'degraded', 'down')),
    detail     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE incidents (
    id               TEXT PRIMARY KEY,
    rule             TEXT NOT NULL,
    -- A tenant's slug, or "platform".
    subject          TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('critical', 'warning')),
    summary          TEXT NOT NULL,
    detail           TEXT NOT NULL,
    opened_at        BIGINT NOT NULL,
    last_notified_at BIGINT NOT NULL,
    reminders        BIGINT NOT NULL DEFAULT 0,
    resolved_at      BIGINT,
    -- "rule|subject" while open, NULL once resolved: with the unique index
    -- below, one open incident per rule and subject, whichever node raises it.
    open_key         TEXT
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (open_key);
CREATE INDEX incidents_by_time ON incidents (opened_at);

CREATE TABLE alert_deliveries (
    id              TEXT PRIMARY KEY,
    incident_id     TEXT NOT NULL,
    event           TEXT NOT NULL CHECK (event IN ('opened', 'reminder', 'resolved', 'test')),
    -- The channel's name in the configuration (its address and secret stay there).
    channel         TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at);

-- Requests and server errors per tenant and minute, added up by every node.
CREATE TABLE tenant_traffic (
    tenant_id TEXT NOT NULL,
    minute    BIGINT NOT NULL,
    requests  BIGINT NOT NULL,
    errors    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, minute)
);

-- Work that one node at a time does (the tenant watch): whoever holds the
-- lease renews it; when it runs out, another node takes over.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  BIGINT NOT NULL
);
