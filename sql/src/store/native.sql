-- The incremental store, part 1: what it is, and its native functions (src/store/).

-- The opt-in incremental store (docs/OPERATIONS.md, "The incremental store").
--
-- What it is: one row per kept exam result (its student, completed_at, session and the
-- arrays of its kept elements with their attempt numbers) and one row per student (a
-- tally of attempts per item), kept exact by statement-level triggers on the source
-- table, and a switch that makes `attempt` read it (attempt_view_query('store')).
--
--   attempt_store_enable(batch_size)  creates the store (schema attempt_lock_store),
--                                     backfills it, creates the triggers, and replaces
--                                     the view attempt by its store shape
--   attempt_store_disable()           restores the computed shape, drops the triggers
--                                     and the store
--   attempt_store_rebuild()           disable, then enable (a stale store)
--   attempt_store_status()            on/off, rows, when and how it was filled, last
--                                     write, staleness
--
-- The switch runs its DDL inside one call of its SQL body (attempt_store_switch_on/off),
-- with the lock's maintenance flag raised by the native public functions
-- (src/lock/maintenance.rs). Called directly, the bodies meet the lock like any DDL.
--
-- Security (docs/SECURITY.md): the store lives in the schema attempt_lock_store, on which
-- nobody but its owner has USAGE, so no role can name it; the view, security_invoker,
-- reads it (SELECT is granted to PUBLIC on the table itself, useless without USAGE) and
-- names the six source columns, so the caller's privileges on the source are checked on
-- every query; a policy filters the store's rows by the source's row-level security. The
-- trigger functions run as the owner and refuse to run unless fired as the switch's own
-- triggers (src/store/mod.rs); nobody may EXECUTE them directly.

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_sync()
RETURNS trigger
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'attempt_store_sync';
COMMENT ON FUNCTION @extschema@.attempt_store_sync() IS
'attempt_lock internal: statement-level trigger function of the incremental store on the source table (INSERT, UPDATE, DELETE): writes one row per kept result, numbers appends from the student''s tally and renumbers a student whose history changed. Runs as the extension''s owner, and only as the triggers attempt_store_enable() makes (src/store/mod.rs).';

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_truncate()
RETURNS trigger
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'attempt_store_truncate';
COMMENT ON FUNCTION @extschema@.attempt_store_truncate() IS
'attempt_lock internal: TRUNCATE trigger function of the incremental store on the source table; empties the store. Runs as the extension''s owner, and only as the trigger attempt_store_enable() makes.';

-- Trigger functions are checked for EXECUTE only when a trigger is created: revoking it
-- stops new ones; the run-time refusal stops the ones made before.
REVOKE ALL ON FUNCTION @extschema@.attempt_store_sync() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.attempt_store_truncate() FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.attempt_store_fill(source pg_catalog.regclass, batch_size pg_catalog.int4)
RETURNS pg_catalog.int8
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_store_fill';
COMMENT ON FUNCTION @extschema@.attempt_store_fill(pg_catalog.regclass, pg_catalog.int4) IS
'attempt_lock internal: the switch''s backfill: every result of the source, read in student order batch_size rows at a time, numbered and written into the empty store; the attempts stored. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_store_fill(pg_catalog.regclass, pg_catalog.int4) FROM PUBLIC;
