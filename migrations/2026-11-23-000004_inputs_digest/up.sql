-- The SHA-256 of the frozen draw inputs (RFC 8785 JSON), published with the
-- commitment when a call closes (SPEC.md, Selection 1). Calls closed before this
-- migration keep a commitment without a digest.
ALTER TABLE calls ADD COLUMN inputs_digest text
    CONSTRAINT calls_inputs_digest_hex CHECK (inputs_digest ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT calls_digest_with_commitment
        CHECK (inputs_digest IS NULL OR commitment IS NOT NULL);
