-- Search (issue 7): a keyed blind index. Each word of a meeting (title,
-- objectives, place, topics, elements, remarks), folded, is stored only as
-- HMAC-SHA-256 under the tenant's index key, with where it occurs and a
-- weight; never the word. `search_state` records the meeting revision the
-- terms were made from, so the indexer redoes a meeting after any change.

CREATE TABLE search_terms (
    tenant_id  TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    -- '' for the meeting itself (title, objectives, place).
    element_id TEXT NOT NULL,
    term       TEXT NOT NULL,
    weight     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id, element_id, term),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX search_terms_by_term ON search_terms (tenant_id, term);

CREATE TABLE search_state (
    tenant_id        TEXT NOT NULL,
    meeting_id       TEXT NOT NULL,
    indexed_revision BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, meeting_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id) ON DELETE CASCADE
);
