-- A call's draw, stored once (the primary key refuses a second), and the offers it
-- makes: one per placement. Draws and offers are never deleted (SPEC.md, Audit).
CREATE TABLE draws (
    call_id    uuid        PRIMARY KEY REFERENCES calls (id),
    algorithm  text        NOT NULL,
    drawn_at   timestamptz NOT NULL,
    -- As published: the inputs with each slot's `blocked`, the ranking, the placements.
    inputs     jsonb       NOT NULL,
    ranking    jsonb       NOT NULL,
    placements jsonb       NOT NULL,
    placed     integer     NOT NULL CHECK (placed >= 0),
    unplaced   integer     NOT NULL CHECK (unplaced >= 0)
);

CREATE TABLE offers (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    call_id        uuid        NOT NULL REFERENCES draws (call_id),
    application_id uuid        NOT NULL UNIQUE REFERENCES applications (id),
    destination_id uuid        NOT NULL REFERENCES destinations (id),
    semester       text        NOT NULL CHECK (semester IN ('autumn', 'spring', 'full_year')),
    status         text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offers_call_status_idx ON offers (call_id, status);

CREATE FUNCTION never_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER draws_never_deleted BEFORE DELETE ON draws
    FOR EACH ROW EXECUTE FUNCTION never_deleted();
CREATE TRIGGER offers_never_deleted BEFORE DELETE ON offers
    FOR EACH ROW EXECUTE FUNCTION never_deleted();
-- A draw is published once and never changed.
CREATE TRIGGER draws_never_changed BEFORE UPDATE ON draws
    FOR EACH ROW EXECUTE FUNCTION never_deleted();
