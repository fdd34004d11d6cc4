-- Other activities abroad (SPEC.md, Other activities abroad): a student registers one,
-- its programme approves it where it gives credits, funding or a transcript mention,
-- and submitting approves it, or holds it for a coordinator when it is late.
CREATE TABLE activities (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    student              text        NOT NULL REFERENCES students (number),
    -- The student's programme when registered: who approves, and whose faculty sees it.
    programme            text        NOT NULL REFERENCES programmes (code),
    type                 text        NOT NULL CHECK (type IN ('internship', 'research', 'fieldwork',
        'field_trip', 'summer_school', 'winter_school', 'mandatory_study_abroad',
        'clinical_clerkship', 'moot_court', 'study_association_trip', 'other')),
    title                text        NOT NULL,
    host_organisation    text        NOT NULL,
    country              text        NOT NULL REFERENCES countries (code),
    city                 text        NOT NULL,
    start_date           date        NOT NULL,
    end_date             date        NOT NULL,
    credits              boolean     NOT NULL DEFAULT false,
    funding              boolean     NOT NULL DEFAULT false,
    transcript           boolean     NOT NULL DEFAULT false,
    status               text        NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'approved', 'held', 'rejected')),
    programme_decision   text        CHECK (programme_decision IN ('approved', 'rejected')),
    programme_comment    text,
    programme_decided_by text,
    programme_decided_at timestamptz,
    submitted_at         timestamptz,
    decided_by           text,
    decided_at           timestamptz,
    reject_reason        text,
    stay_address         text,
    stay_phone           text,
    emergency_name       text,
    emergency_phone      text,
    emergency_relation   text,
    stay_updated_at      timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_student_idx ON activities (student, created_at DESC);
CREATE INDEX activities_programme_idx ON activities (programme, created_at DESC);
-- Who is affected when a country's advice turns: approved or held stays there.
CREATE INDEX activities_country_idx ON activities (country, end_date)
    WHERE status IN ('approved', 'held');
