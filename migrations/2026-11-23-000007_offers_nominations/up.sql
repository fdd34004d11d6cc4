-- What happens to an offer after the draw: the student's answer, their stay and
-- contacts abroad once accepted, and the nomination to the host that acceptance
-- creates (SPEC.md, Offers, nomination, second round).
ALTER TABLE offers
    ADD COLUMN answered_at               timestamptz,
    ADD COLUMN stay_start                date,
    ADD COLUMN stay_end                  date,
    ADD COLUMN stay_address              text,
    ADD COLUMN stay_phone                text,
    ADD COLUMN emergency_name            text,
    ADD COLUMN emergency_phone           text,
    ADD COLUMN emergency_relation        text,
    ADD COLUMN stay_updated_at           timestamptz,
    ADD CONSTRAINT offers_stay_dates CHECK (stay_end >= stay_start),
    ADD CONSTRAINT offers_stay_only_when_accepted CHECK (stay_updated_at IS NULL OR status = 'accepted');

-- The expiry task looks for pending offers by deadline.
CREATE INDEX offers_pending_expiry_idx ON offers (expires_at) WHERE status = 'pending';

CREATE TABLE nominations (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    offer_id       uuid        NOT NULL UNIQUE REFERENCES offers (id),
    call_id        uuid        NOT NULL REFERENCES calls (id),
    institution_id uuid        NOT NULL REFERENCES institutions (id),
    status         text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'confirmed')),
    sent_at        timestamptz,
    confirmed_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'pending') = (sent_at IS NULL)),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);
CREATE INDEX nominations_institution_idx ON nominations (institution_id, created_at, id);
CREATE INDEX nominations_call_idx ON nominations (call_id, created_at, id);

CREATE TRIGGER nominations_never_deleted BEFORE DELETE ON nominations
    FOR EACH ROW EXECUTE FUNCTION never_deleted();
