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
