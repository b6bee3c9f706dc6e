-- Agenda templates (PRODUCT.md M11): a tenant's reusable agendas. The name
-- and the agenda (topics, sub-topics and standing items, as JSON) are
-- meeting data, sealed with the tenant's key.

CREATE TABLE agenda_templates (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
