-- Revisions: a counter on each meeting that every change to the meeting or
-- to anything shown with it (participants, topics, contributors, elements,
-- owners, remarks, images) moves forward, in the same transaction, by
-- triggers, so that no code path can forget it. The server keeps decrypted
-- meeting pages in memory and checks this one number before reusing them.
-- The tenant's people_revision does the same for the names and addresses
-- of its members.

ALTER TABLE meetings ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN people_revision BIGINT NOT NULL DEFAULT 1;

CREATE TRIGGER meetings_revision AFTER UPDATE ON meetings WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
END;

CREATE TRIGGER meeting_participants_insert_revision AFTER INSERT ON meeting_participants
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER meeting_participants_update_revision AFTER UPDATE ON meeting_participants
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER meeting_participants_delete_revision AFTER DELETE ON meeting_participants
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = OLD.meeting_id;
END;

CREATE TRIGGER topics_insert_revision AFTER INSERT ON topics
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER topics_update_revision AFTER UPDATE ON topics
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER topics_delete_revision AFTER DELETE ON topics
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = OLD.meeting_id;
END;

CREATE TRIGGER elements_insert_revision AFTER INSERT ON elements
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER elements_update_revision AFTER UPDATE ON elements
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER elements_delete_revision AFTER DELETE ON elements
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = OLD.meeting_id;
END;

CREATE TRIGGER comments_insert_revision AFTER INSERT ON comments
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER comments_update_revision AFTER UPDATE ON comments
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER comments_delete_revision AFTER DELETE ON comments
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = OLD.meeting_id;
END;

CREATE TRIGGER attachments_insert_revision AFTER INSERT ON attachments
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER attachments_update_revision AFTER UPDATE ON attachments
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.meeting_id;
END;

CREATE TRIGGER attachments_delete_revision AFTER DELETE ON attachments
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = OLD.meeting_id;
END;

CREATE TRIGGER topic_contributors_insert_revision AFTER INSERT ON topic_contributors
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = (SELECT meeting_id FROM topics WHERE tenant_id = NEW.tenant_id AND id = NEW.topic_id);
END;

CREATE TRIGGER topic_contributors_update_revision AFTER UPDATE ON topic_contributors
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = (SELECT meeting_id FROM topics WHERE tenant_id = NEW.tenant_id AND id = NEW.topic_id);
END;

CREATE TRIGGER topic_contributors_delete_revision AFTER DELETE ON topic_contributors
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = (SELECT meeting_id FROM topics WHERE tenant_id = OLD.tenant_id AND id = OLD.topic_id);
END;

CREATE TRIGGER element_owners_insert_revision AFTER INSERT ON element_owners
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = (SELECT meeting_id FROM elements WHERE tenant_id = NEW.tenant_id AND id = NEW.element_id);
END;

CREATE TRIGGER element_owners_update_revision AFTER UPDATE ON element_owners
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = NEW.tenant_id AND id = (SELECT meeting_id FROM elements WHERE tenant_id = NEW.tenant_id AND id = NEW.element_id);
END;

CREATE TRIGGER element_owners_delete_revision AFTER DELETE ON element_owners
BEGIN
    UPDATE meetings SET revision = revision + 1 WHERE tenant_id = OLD.tenant_id AND id = (SELECT meeting_id FROM elements WHERE tenant_id = OLD.tenant_id AND id = OLD.element_id);
END;

CREATE TRIGGER users_insert_people_revision AFTER INSERT ON users
BEGIN
    UPDATE tenants SET people_revision = people_revision + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER users_update_people_revision AFTER UPDATE OF email, display_name ON users
BEGIN
    UPDATE tenants SET people_revision = people_revision + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER users_delete_people_revision AFTER DELETE ON users
BEGIN
    UPDATE tenants SET people_revision = people_revision + 1 WHERE id = OLD.tenant_id;
END;
