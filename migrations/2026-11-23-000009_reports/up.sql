-- Student reports (SPEC.md, Student reports): a student with a real stay abroad writes
-- one, a coordinator publishes or rejects it, and published ones are searchable by all.
CREATE TABLE reports (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    student        text        NOT NULL REFERENCES students (number),
    country        char(2)     NOT NULL REFERENCES countries (code),
    institution_id uuid        REFERENCES institutions (id),
    -- A faculty's code (`LUMC`), as programmes name their faculty.
    faculty        text        CHECK (faculty ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
    activity       text        NOT NULL CHECK (activity IN ('semester_exchange', 'half_minor',
        'bachelor_internship', 'research_internship', 'junior_research_project',
        'scientific_internship', 'clinical_rotation', 'elective', 'frontiers_of_science_course',
        'summer_school', 'winter_school', 'fieldwork', 'internship', 'research', 'field_trip',
        'mandatory_study_abroad', 'clinical_clerkship', 'moot_court', 'study_association_trip',
        'other')),
    period         text        NOT NULL CHECK (length(btrim(period)) BETWEEN 1 AND 100),
    title          text        NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body           text        NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    status         text        NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'published', 'rejected')),
    reject_reason  text        CHECK (length(btrim(reject_reason)) BETWEEN 1 AND 2000),
    decided_by     text,
    decided_at     timestamptz,
    -- Kept by the trigger below from the title (weight A) and the text (weight B).
    search         tsvector    NOT NULL DEFAULT ''::tsvector,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- Decided once, by someone, at a moment; a rejection says why.
    CHECK ((status = 'submitted') = (decided_at IS NULL)),
    CHECK ((status = 'submitted') = (decided_by IS NULL)),
    CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
);

-- Everyone's list: published ones, newest first; the moderation queue by status.
CREATE INDEX reports_status_idx ON reports (status, created_at DESC, id DESC);
-- A student's own reports.
CREATE INDEX reports_student_idx ON reports (student, created_at DESC, id DESC);
CREATE INDEX reports_country_idx ON reports (country);
CREATE INDEX reports_institution_idx ON reports (institution_id) WHERE institution_id IS NOT NULL;
CREATE INDEX reports_search_idx ON reports USING gin (search);

-- Free text without accents ("Göttingen" is found as "gottingen"), as the catalogue's.
CREATE FUNCTION report_search_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search :=
        setweight(to_tsvector('simple', public.unaccent(coalesce(NEW.title, ''))), 'A') ||
        setweight(to_tsvector('simple', public.unaccent(coalesce(NEW.body, ''))), 'B');
    RETURN NEW;
END;
$$;

CREATE TRIGGER reports_search
    BEFORE INSERT OR UPDATE OF title, body ON reports
    FOR EACH ROW EXECUTE FUNCTION report_search_refresh();

-- For the snippets only: the `simple` configuration with accents dropped before a word
-- is compared, so that `ts_headline` marks "Göttingen" for the query word "gottingen"
-- while showing the text as written.
CREATE TEXT SEARCH CONFIGURATION public.abroad_unaccent (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION public.abroad_unaccent
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part,
                      numword, numhword, hword_numpart
    WITH public.unaccent, simple;
