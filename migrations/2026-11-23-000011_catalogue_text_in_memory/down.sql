DROP TRIGGER institutions_sort_key ON institutions;
ALTER FUNCTION institution_sort_key_cascade() RENAME TO institution_search_cascade;
CREATE TRIGGER institutions_search
    AFTER UPDATE OF name, city, country ON institutions
    FOR EACH ROW EXECUTE FUNCTION institution_search_cascade();
DROP TRIGGER destinations_sort_key ON destinations;
ALTER FUNCTION destination_sort_key_refresh() RENAME TO destination_search_refresh;
CREATE TRIGGER destinations_search
    BEFORE INSERT OR UPDATE OF institution_id, considerations ON destinations
    FOR EACH ROW EXECUTE FUNCTION destination_search_refresh();

ALTER TABLE destinations ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX destinations_search_idx ON destinations USING gin (search);

CREATE OR REPLACE FUNCTION destination_search_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    institution record;
BEGIN
    SELECT i.name, i.city, c.name AS country_name
      INTO institution
      FROM institutions i JOIN countries c ON c.code = i.country
     WHERE i.id = NEW.institution_id;
    NEW.sort_key := lower(public.unaccent(coalesce(institution.name, '')));
    NEW.search :=
        setweight(to_tsvector('simple', public.unaccent(coalesce(institution.name, ''))), 'A') ||
        setweight(to_tsvector('simple', public.unaccent(coalesce(institution.city, '') || ' ' ||
                                                 coalesce(institution.country_name, ''))), 'B') ||
        setweight(to_tsvector('simple', public.unaccent(coalesce(NEW.considerations, ''))), 'C');
    RETURN NEW;
END;
$$;

CREATE FUNCTION country_search_cascade() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE destinations d SET institution_id = d.institution_id
      FROM institutions i
     WHERE i.id = d.institution_id AND i.country = NEW.code;
    RETURN NULL;
END;
$$;

CREATE TRIGGER countries_search
    AFTER UPDATE OF name ON countries
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION country_search_cascade();

-- Fill the text back in for every destination.
UPDATE destinations SET institution_id = institution_id;
