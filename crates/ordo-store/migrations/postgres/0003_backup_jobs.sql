-- Backups as durable jobs: when each tenant's next backup is due, and a
-- lease so that one node runs it (a crashed run is retried when its lease
-- expires). The history of runs (backups and restore drills) is kept apart
-- from the tenant's data: it is not itself backed up.
ALTER TABLE tenants ADD COLUMN backup_every_hours BIGINT NOT NULL DEFAULT 12;
ALTER TABLE tenants ADD COLUMN backup_next_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN backup_lease_until BIGINT;
ALTER TABLE tenants ADD COLUMN drill_next_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN drill_lease_until BIGINT;

CREATE TABLE backup_runs (
    -- No foreign key: a restore replaces the tenant's rows, not its history.
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('backup', 'drill')),
    snapshot    TEXT,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    ok          BIGINT NOT NULL,
    bytes       BIGINT NOT NULL DEFAULT 0,
    rows_total  BIGINT NOT NULL DEFAULT 0,
    millis      BIGINT NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX backup_runs_by_time ON backup_runs (tenant_id, started_at);
