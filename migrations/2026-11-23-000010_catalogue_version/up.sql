-- The catalogue's version: every service process holds the catalogue (destinations,
-- their institutions and countries, travel advice included) in memory, and learns of
-- a change from this counter. Each statement that changes a row of those tables raises
-- it in the writing transaction, so a reader who sees the counter sees the change with
-- it; and notifies `abroad_catalogue`, which PostgreSQL delivers on commit, so the other
-- processes rebuild at once instead of at their next periodic check. A statement that
-- changes no row (an upsert that finds the country as asked) raises nothing.
--
-- Lock order: the counter's row is locked by the first statement that changes the
-- catalogue and held to commit, so the service's writers lock it first of all
-- (abroad_storage::catalogue::lock_for_change), before any country, institution or
-- destination row: two writers then never wait on each other in opposite orders.
CREATE TABLE catalogue_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint  NOT NULL
);
INSERT INTO catalogue_version (version) VALUES (1);

CREATE FUNCTION catalogue_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    raised bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM old_rows) THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
            RETURN NULL;
        END IF;
    END IF;
    UPDATE catalogue_version SET version = version + 1 RETURNING version INTO raised;
    PERFORM pg_notify('abroad_catalogue', raised::text);
    RETURN NULL;
END;
$$;

-- A trigger with a transition table serves one event, hence four per table.
CREATE TRIGGER destinations_inserted AFTER INSERT ON destinations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER destinations_updated AFTER UPDATE ON destinations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER destinations_deleted AFTER DELETE ON destinations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER destinations_truncated AFTER TRUNCATE ON destinations
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();

CREATE TRIGGER institutions_inserted AFTER INSERT ON institutions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER institutions_updated AFTER UPDATE ON institutions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER institutions_deleted AFTER DELETE ON institutions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER institutions_truncated AFTER TRUNCATE ON institutions
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();

CREATE TRIGGER countries_inserted AFTER INSERT ON countries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER countries_updated AFTER UPDATE ON countries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER countries_deleted AFTER DELETE ON countries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER countries_truncated AFTER TRUNCATE ON countries
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
