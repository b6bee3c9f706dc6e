-- Restores write a whole tenant in one transaction. Moving a meeting's
-- revision for each of its rows as they are inserted would update the same
-- meeting row again and again: a restore sets `ordo.restoring` for its
-- transaction and renews the tenant's people revision instead (which makes
-- every cached copy of its meetings stale at once).
CREATE OR REPLACE FUNCTION ordo_child_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
    m TEXT;
BEGIN
    IF current_setting('ordo.restoring', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'topic_contributors' THEN
        SELECT meeting_id INTO m FROM topics WHERE tenant_id = r.tenant_id AND id = r.topic_id;
    ELSIF TG_TABLE_NAME = 'element_owners' THEN
        SELECT meeting_id INTO m FROM elements WHERE tenant_id = r.tenant_id AND id = r.element_id;
    ELSE
        m := r.meeting_id;
    END IF;
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = r.tenant_id AND id = m;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ordo_people_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t TEXT;
BEGIN
    IF current_setting('ordo.restoring', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN t := OLD.tenant_id; ELSE t := NEW.tenant_id; END IF;
    UPDATE tenants SET people_revision = people_revision + 1 WHERE id = t;
    RETURN NULL;
END
$$;

-- Images are sealed (encrypted, then base64): compressing them in TOAST
-- costs time and gains little.
ALTER TABLE attachments ALTER COLUMN data SET STORAGE EXTERNAL;
