-- Reference data and the audit log: the foundation every later feature writes to.

CREATE TABLE countries (
    code              char(2)     PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    name              text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    advice            text        NOT NULL CHECK (advice IN ('green', 'yellow', 'orange', 'red')),
    advice_updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX countries_advice_idx ON countries (advice, code);

CREATE TABLE programmes (
    code    text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
    name    text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    faculty text NOT NULL CHECK (faculty ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
    level   text NOT NULL CHECK (level IN ('bachelor', 'master'))
);

CREATE INDEX programmes_faculty_idx ON programmes (faculty, code);

-- Who changed what, when, from what to what. Rows are only ever inserted.
CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    role        text        NOT NULL,
    action      text        NOT NULL,
    entity_type text        NOT NULL,
    entity_id   text        NOT NULL,
    before      jsonb,
    after       jsonb,
    request_id  text
);

CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log rows are never changed or deleted';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
