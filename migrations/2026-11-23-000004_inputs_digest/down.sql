ALTER TABLE calls DROP CONSTRAINT calls_digest_with_commitment;
ALTER TABLE calls DROP COLUMN inputs_digest;
