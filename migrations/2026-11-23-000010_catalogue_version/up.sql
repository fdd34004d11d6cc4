-- The catalogue's version: every service process holds the catalogue (destinations,
-- their institutions and countries, travel advice included) in memory, and learns of
-- a change from this counter. Each statement that writes one of those tables raises it
-- in the writing transaction, so a reader who sees the counter sees the change with it;
-- and notifies `abroad_catalogue`, which PostgreSQL delivers on commit, so the other
-- processes rebuild at once instead of at their next periodic check.
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
    UPDATE catalogue_version SET version = version + 1 RETURNING version INTO raised;
    PERFORM pg_notify('abroad_catalogue', raised::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER destinations_catalogue_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON destinations
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER institutions_catalogue_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON institutions
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER countries_catalogue_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON countries
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
