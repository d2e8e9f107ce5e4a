-- The incremental store, part 4: the public switch, native so that only it can raise the
-- flag the lock reads (src/lock/maintenance.rs). Superusers only.

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_enable(batch_size pg_catalog.int4 DEFAULT 10000)
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_enable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) IS
'attempt_lock: switches the incremental store on (superuser): creates schema attempt_lock_store with its tables and indexes, backfills it from the source batch_size rows at a time (NOTICE progress), adds the triggers on the source and makes the view attempt read the store; records the lock''s new baseline. Returns the attempts stored. Writers of the source wait during the backfill; readers do not.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_disable()
RETURNS pg_catalog.bool
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_disable_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_disable() IS
'attempt_lock: switches the incremental store off (superuser): the view attempt computes its rows again, the triggers and the store are dropped, the lock''s baseline is recorded. Returns false (with a NOTICE) if it was already off.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_rebuild()
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_rebuild_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_store_rebuild() IS
'attempt_lock: (superuser) switches the incremental store off and on again, with the batch size it was filled with: a stale store (its triggers were disabled or dropped) is exact and read again. Returns the attempts stored.';

REVOKE ALL ON FUNCTION @extschema@.attempt_store_enable(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_disable() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_rebuild() FROM PUBLIC;
