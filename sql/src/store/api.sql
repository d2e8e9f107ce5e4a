-- The incremental store, part 5: the public switch, attempt_store_enable() and attempt_store_disable().

-- The public switch: native, so that only it can raise the flag the lock reads.
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_enable(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_enable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) IS
'attempt_lock: switches the incremental store on (superuser): creates schema attempt_lock_store with the store table and its indexes, backfills it in batches of batch_size results (NOTICE progress), adds the triggers on the source and makes the view attempt read the store; records the lock''s new baseline. Returns the rows stored. Writers of the source wait during the backfill; readers do not.';
CREATE OR REPLACE FUNCTION @extschema@.attempt_store_disable()
RETURNS pg_catalog.bool
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_disable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_disable() IS
'attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows on the fly again, the triggers and the store are dropped, the lock''s baseline is recorded. Returns false (with a NOTICE) if it was already off.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_disable() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_rebaseline(pg_catalog.text) FROM PUBLIC;

