-- The catalogue ("world map"): partner institutions, destinations with what they
-- offer, and student records from the student-information system.

CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE institutions (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    country      char(2)     NOT NULL REFERENCES countries (code),
    city         text        NOT NULL CHECK (length(btrim(city)) BETWEEN 1 AND 100),
    website      text,
    erasmus_code text        UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One partner per name and country: a second "KU Leuven" in BE is a mistake.
CREATE UNIQUE INDEX institutions_name_country_key ON institutions (lower(name), country);
CREATE INDEX institutions_country_idx ON institutions (country);

CREATE TABLE destinations (
    id             uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    institution_id uuid             NOT NULL REFERENCES institutions (id),
    exchange_type  text             NOT NULL
        CHECK (exchange_type IN ('university_wide', 'faculty', 'programme', 'isep')),
    faculty        text,
    -- [{level, activity, programme|null, note|null}], at least one.
    offerings      jsonb            NOT NULL
        CHECK (jsonb_typeof(offerings) = 'array' AND jsonb_array_length(offerings) >= 1),
    -- [{code, min_level}]
    languages      jsonb            NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(languages) = 'array'),
    chance         text             NOT NULL CHECK (chance IN ('high', 'medium', 'low')),
    -- [{semester, dates|null}], at least one.
    semesters      jsonb            NOT NULL
        CHECK (jsonb_typeof(semesters) = 'array' AND jsonb_array_length(semesters) >= 1),
    min_gpa        double precision CHECK (min_gpa BETWEEN 1.0 AND 10.0),
    fees           text,
    considerations text,
    website        text,
    archived       boolean          NOT NULL DEFAULT false,
    -- Kept by the triggers below from the institution, its country and considerations.
    search         tsvector         NOT NULL DEFAULT ''::tsvector,
    sort_key       text             NOT NULL DEFAULT '',
    created_at     timestamptz      NOT NULL DEFAULT now(),
    updated_at     timestamptz      NOT NULL DEFAULT now(),
    -- Faculty and programme agreements belong to a faculty; university-wide and ISEP ones do not.
    CHECK ((exchange_type IN ('faculty', 'programme')) = (faculty IS NOT NULL))
);

CREATE INDEX destinations_institution_idx ON destinations (institution_id);
CREATE INDEX destinations_order_idx ON destinations (archived, sort_key, id);
CREATE INDEX destinations_search_idx ON destinations USING gin (search);
CREATE INDEX destinations_offerings_idx ON destinations USING gin (offerings jsonb_path_ops);
CREATE INDEX destinations_languages_idx ON destinations USING gin (languages jsonb_path_ops);
CREATE INDEX destinations_semesters_idx ON destinations USING gin (semesters jsonb_path_ops);

-- The text a free-text search looks in: institution name, city, country name and the
-- important considerations, without accents ("Göttingen" is found as "gottingen").
CREATE FUNCTION destination_search_refresh() RETURNS trigger
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

CREATE TRIGGER destinations_search
    BEFORE INSERT OR UPDATE OF institution_id, considerations ON destinations
    FOR EACH ROW EXECUTE FUNCTION destination_search_refresh();

-- Renaming an institution or a country (or moving an institution) refreshes its destinations.
CREATE FUNCTION institution_search_cascade() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE destinations SET institution_id = institution_id WHERE institution_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER institutions_search
    AFTER UPDATE OF name, city, country ON institutions
    FOR EACH ROW EXECUTE FUNCTION institution_search_cascade();

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

CREATE TABLE students (
    number             text             PRIMARY KEY CHECK (number ~ '^[A-Za-z0-9]{1,20}$'),
    name               text             NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email              text             NOT NULL,
    programme          text             NOT NULL REFERENCES programmes (code),
    level              text             NOT NULL CHECK (level IN ('bachelor', 'master')),
    ec                 integer          NOT NULL CHECK (ec BETWEEN 0 AND 600),
    gpa                double precision CHECK (gpa BETWEEN 1.0 AND 10.0),
    bachelor_gpa       double precision CHECK (bachelor_gpa BETWEEN 1.0 AND 10.0),
    registered         boolean          NOT NULL,
    first_year_diploma boolean          NOT NULL DEFAULT false,
    luc                boolean          NOT NULL DEFAULT false,
    joint_degree       boolean          NOT NULL DEFAULT false,
    studied_elsewhere  boolean          NOT NULL DEFAULT false,
    updated_at         timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX students_programme_idx ON students (programme, number);
