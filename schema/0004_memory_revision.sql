-- A value that changes whenever a memory's units change, so that a fuzzy index saved to disk
-- can tell whether it still describes the memory. Random rather than counted: a memory made
-- after another was deleted may reuse its id and must not match the old memory's saved index.
-- A variant is only ever written together with its unit's row (import, overwrite and edits
-- all insert or update the unit), so triggers on `unit` see every change.
ALTER TABLE memory ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
UPDATE memory SET revision = random();

CREATE TRIGGER memory_insert_revision AFTER INSERT ON memory BEGIN
    UPDATE memory SET revision = random() WHERE id = NEW.id;
END;
CREATE TRIGGER unit_insert_revision AFTER INSERT ON unit BEGIN
    UPDATE memory SET revision = random() WHERE id = NEW.memory_id;
END;
CREATE TRIGGER unit_update_revision AFTER UPDATE ON unit BEGIN
    UPDATE memory SET revision = random() WHERE id IN (OLD.memory_id, NEW.memory_id);
END;
CREATE TRIGGER unit_delete_revision AFTER DELETE ON unit BEGIN
    UPDATE memory SET revision = random() WHERE id = OLD.memory_id;
END;
