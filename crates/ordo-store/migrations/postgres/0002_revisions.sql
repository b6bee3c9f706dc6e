-- Revisions: a counter on each meeting that every change to the meeting or
-- to anything shown with it (participants, topics, contributors, elements,
-- owners, remarks, images) moves forward, in the same transaction, by
-- triggers, so that no code path can forget it. The server keeps decrypted
-- meeting pages in memory and checks this one number before reusing them.
-- The tenant's people_revision does the same for the names and addresses
-- of its members.

ALTER TABLE meetings ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN people_revision BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION ordo_meeting_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revision = OLD.revision THEN
        NEW.revision := OLD.revision + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER meetings_revision BEFORE UPDATE ON meetings
    FOR EACH ROW EXECUTE FUNCTION ordo_meeting_revision();

-- One function for every table under a meeting: TG_TABLE_NAME says how to
-- find the meeting of the row.
CREATE FUNCTION ordo_child_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
    m TEXT;
BEGIN
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
CREATE TRIGGER meeting_participants_revision AFTER INSERT OR UPDATE OR DELETE ON meeting_participants
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();
CREATE TRIGGER topics_revision AFTER INSERT OR UPDATE OR DELETE ON topics
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();
CREATE TRIGGER elements_revision AFTER INSERT OR UPDATE OR DELETE ON elements
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();
CREATE TRIGGER comments_revision AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();
CREATE TRIGGER attachments_revision AFTER INSERT OR UPDATE OR DELETE ON attachments
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();
CREATE TRIGGER topic_contributors_revision AFTER INSERT OR UPDATE OR DELETE ON topic_contributors
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();
CREATE TRIGGER element_owners_revision AFTER INSERT OR UPDATE OR DELETE ON element_owners
    FOR EACH ROW EXECUTE FUNCTION ordo_child_revision();

CREATE FUNCTION ordo_people_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN t := OLD.tenant_id; ELSE t := NEW.tenant_id; END IF;
    UPDATE tenants SET people_revision = people_revision + 1 WHERE id = t;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_people_revision AFTER INSERT OR UPDATE OF email, display_name OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION ordo_people_revision();
