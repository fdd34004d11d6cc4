-- Calls (application rounds) with their rules, places, and students' applications.

CREATE TABLE calls (
    id                          uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    name                        text             NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    scheme                      text             NOT NULL CHECK (scheme IN ('university_wide', 'faculty')),
    faculty                     text,
    activity                    text             NOT NULL,
    semesters                   text[]           NOT NULL CHECK (cardinality(semesters) >= 1),
    opens_at                    timestamptz      NOT NULL,
    deadline                    timestamptz      NOT NULL,
    min_choices                 integer          NOT NULL CHECK (min_choices BETWEEN 1 AND 20),
    max_choices                 integer          NOT NULL CHECK (max_choices BETWEEN min_choices AND 20),
    max_low_chance              integer          CHECK (max_low_chance BETWEEN 0 AND 20),
    min_ec                      integer          NOT NULL DEFAULT 0 CHECK (min_ec BETWEEN 0 AND 600),
    max_ec                      integer          CHECK (max_ec BETWEEN min_ec AND 600),
    ec_applies_to               text             CHECK (ec_applies_to IN ('bachelor', 'master')),
    requires_first_year_diploma boolean          NOT NULL DEFAULT false,
    min_gpa                     double precision CHECK (min_gpa BETWEEN 1.0 AND 10.0),
    motivation_per_choice       boolean          NOT NULL,
    motivation_min_words        integer          CHECK (motivation_min_words >= 0),
    motivation_max_words        integer          CHECK (motivation_max_words >= 0),
    required_documents          text[]           NOT NULL DEFAULT '{}',
    transcript_rule             boolean          NOT NULL DEFAULT false,
    selection                   text             NOT NULL CHECK (selection IN ('lottery', 'ranking')),
    offer_days                  integer          NOT NULL CHECK (offer_days BETWEEN 1 AND 60),
    parent_call_id              uuid             REFERENCES calls (id),
    status                      text             NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'open', 'closed', 'drawn')),
    -- Drawn from the OS's CSPRNG when the call closes; secret until the draw.
    seed                        bytea            CHECK (octet_length(seed) = 32),
    -- SHA-256 of the seed, hex, published at close.
    commitment                  text,
    closed_at                   timestamptz,
    created_at                  timestamptz      NOT NULL DEFAULT now(),
    updated_at                  timestamptz      NOT NULL DEFAULT now(),
    CHECK (deadline > opens_at),
    CHECK ((scheme = 'faculty') = (faculty IS NOT NULL)),
    -- Once closed, a call has its commitment; before, it has none.
    CHECK ((status IN ('closed', 'drawn')) = (seed IS NOT NULL AND commitment IS NOT NULL))
);

CREATE INDEX calls_faculty_idx ON calls (faculty, created_at DESC);

CREATE TABLE call_places (
    call_id        uuid    NOT NULL REFERENCES calls (id),
    destination_id uuid    NOT NULL REFERENCES destinations (id),
    semester       text    NOT NULL CHECK (semester IN ('autumn', 'spring', 'full_year')),
    places         integer NOT NULL CHECK (places BETWEEN 0 AND 1000),
    PRIMARY KEY (call_id, destination_id, semester)
);

CREATE TABLE applications (
    id                   uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    call_id              uuid             NOT NULL REFERENCES calls (id),
    student              text             NOT NULL REFERENCES students (number),
    -- The student's programme when they applied: who approves it.
    programme            text             NOT NULL REFERENCES programmes (code),
    semester             text             NOT NULL CHECK (semester IN ('autumn', 'spring', 'full_year')),
    plan_b               boolean          NOT NULL DEFAULT false,
    status               text             NOT NULL DEFAULT 'draft' CHECK (status IN
        ('draft', 'submitted', 'approved', 'eligible', 'contact', 'rejected', 'placed', 'unplaced', 'withdrawn')),
    score                double precision,
    programme_decision   text             CHECK (programme_decision IN ('approved', 'rejected')),
    programme_comment    text,
    programme_decided_by text,
    programme_decided_at timestamptz,
    review_outcome       text             CHECK (review_outcome IN ('eligible', 'contact', 'rejected')),
    review_note          text,
    reviewed_by          text,
    reviewed_at          timestamptz,
    submitted_at         timestamptz,
    withdrawn_at         timestamptz,
    created_at           timestamptz      NOT NULL DEFAULT now(),
    updated_at           timestamptz      NOT NULL DEFAULT now()
);

-- One active (not withdrawn) application per student per call.
CREATE UNIQUE INDEX applications_one_active_idx ON applications (call_id, student) WHERE status <> 'withdrawn';
CREATE INDEX applications_student_idx ON applications (student, created_at DESC);
CREATE INDEX applications_call_status_idx ON applications (call_id, status);
CREATE INDEX applications_programme_idx ON applications (programme, created_at DESC);

CREATE TABLE application_choices (
    application_id uuid    NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    rank           integer NOT NULL CHECK (rank BETWEEN 1 AND 20),
    destination_id uuid    NOT NULL REFERENCES destinations (id),
    motivation     text,
    PRIMARY KEY (application_id, rank)
);

CREATE INDEX application_choices_destination_idx ON application_choices (destination_id);

CREATE TABLE application_documents (
    application_id uuid        NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind           text        NOT NULL CHECK (kind IN ('motivation', 'cv', 'language_proof', 'budget', 'transcript')),
    content        bytea       NOT NULL,
    sha256         text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size           integer     NOT NULL CHECK (size > 0),
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, kind)
);
