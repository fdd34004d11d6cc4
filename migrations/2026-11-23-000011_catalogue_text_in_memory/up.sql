-- The catalogue's free text is searched in memory since migration 10
-- (abroad_domain::catalogue::words): the tsvector that PostgreSQL's search read, its
-- index and the country cascade that kept it go. The sort key stays: it is the order
-- of every list, and the snapshot reads it.
DROP INDEX destinations_search_idx;
ALTER TABLE destinations DROP COLUMN search;

CREATE OR REPLACE FUNCTION destination_search_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.sort_key := lower(public.unaccent(coalesce(
        (SELECT name FROM institutions WHERE id = NEW.institution_id), '')));
    RETURN NEW;
END;
$$;

-- A country's name was part of the text; the sort key does not depend on it.
DROP TRIGGER countries_search ON countries;
DROP FUNCTION country_search_cascade();

-- What is left keeps the sort key, and is named so. An institution's destinations are
-- touched only when its name changes (not its city, country or website).
ALTER FUNCTION destination_search_refresh() RENAME TO destination_sort_key_refresh;
DROP TRIGGER destinations_search ON destinations;
CREATE TRIGGER destinations_sort_key
    BEFORE INSERT OR UPDATE OF institution_id ON destinations
    FOR EACH ROW EXECUTE FUNCTION destination_sort_key_refresh();
DROP TRIGGER institutions_search ON institutions;
ALTER FUNCTION institution_search_cascade() RENAME TO institution_sort_key_cascade;
CREATE TRIGGER institutions_sort_key
    AFTER UPDATE OF name ON institutions
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION institution_sort_key_cascade();
