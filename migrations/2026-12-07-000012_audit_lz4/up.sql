-- An audit entry holds whole records as JSON (a new application with its choices and
-- motivations, an application before and after its submission), often past the 2 kB
-- at which PostgreSQL compresses a value. Its default, pglz, took about 3% of the
-- database's CPU in the deadline rush; lz4 compresses several times faster. Entries
-- written before keep pglz, and both read back alike.
--
-- PostgreSQL 14 and later (the service runs on 15) built with lz4, as Debian's and the
-- official images are, have it; on one built without, the entries stay with pglz.
DO $$
BEGIN
    ALTER TABLE audit_log
        ALTER COLUMN before SET COMPRESSION lz4,
        ALTER COLUMN after SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL has no lz4: audit entries stay compressed with pglz';
END
$$;
