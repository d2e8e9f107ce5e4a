-- attempt_lock 1.0 -> 1.1: the ddl_command_start guard becomes native.
--
-- attempt_lock_guard_start() keeps its name, signature and event trigger, so the 1.0
-- objects are replaced, not added: the function now reads the parse tree (DropStmt,
-- AlterTableStmt, DropOwnedStmt, AlterExtensionContentsStmt) and walks pg_depend instead
-- of matching names in current_query() (src/lock.rs, attempt_lock_guard_start_native).
-- The native symbol must stay exported by every later build: this script names it.

-- No SET search_path clause (unlike the 1.0 function): the objects a DROP names must be
-- resolved with the caller's search_path, as the DROP itself resolves them; the function
-- runs its own catalog queries under search_path = pg_catalog, pg_temp internally.
-- CREATE OR REPLACE resets proconfig, so the 1.0 clause goes away.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_start()
RETURNS event_trigger
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_lock_guard_start_native';
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_start() IS
'attempt_lock: ddl_command_start event trigger function (native); decides from the parse tree and pg_depend. Refuses DROP of a member of attempt_lock, DROP ... CASCADE / ALTER TABLE ... DROP COLUMN ... CASCADE / DROP OWNED ... CASCADE whose cascade would reach a member (PostgreSQL would drop the whole extension), and ALTER EXTENSION attempt_lock ADD/DROP. DROP EXTENSION attempt_lock passes.';

-- ALTER EVENT TRIGGER cannot change the tag list: drop and re-create the trigger (event
-- trigger DDL fires no event trigger; the new trigger becomes a member of the extension).
-- New tags: ALTER EXTENSION (ADD/DROP refused at start), ALTER FOREIGN TABLE (DROP COLUMN
-- ... CASCADE), and the remaining DROP commands whose CASCADE can reach a member. The
-- function returns after a node-tag check for everything it does not handle.
DROP EVENT TRIGGER attempt_lock_guard_start;
CREATE EVENT TRIGGER attempt_lock_guard_start ON ddl_command_start
    WHEN TAG IN ('DROP TABLE', 'ALTER TABLE', 'DROP VIEW', 'DROP MATERIALIZED VIEW',
                 'DROP FOREIGN TABLE', 'DROP SEQUENCE', 'DROP SCHEMA', 'DROP TYPE',
                 'DROP DOMAIN', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
                 'DROP AGGREGATE', 'DROP EXTENSION', 'DROP LANGUAGE', 'DROP OWNED',
                 'DROP OPERATOR', 'DROP CAST', 'DROP COLLATION', 'DROP SERVER',
                 'DROP FOREIGN DATA WRAPPER', 'DROP TEXT SEARCH CONFIGURATION',
                 'ALTER EXTENSION', 'ALTER FOREIGN TABLE',
                 'DROP INDEX', 'DROP RULE', 'DROP TRIGGER', 'DROP POLICY', 'DROP STATISTICS',
                 'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY', 'DROP CONVERSION',
                 'DROP TEXT SEARCH DICTIONARY', 'DROP TEXT SEARCH PARSER',
                 'DROP TEXT SEARCH TEMPLATE', 'DROP TRANSFORM', 'DROP ACCESS METHOD')
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_start();
COMMENT ON EVENT TRIGGER attempt_lock_guard_start IS
'attempt_lock: refuses, at ddl_command_start, dropping a member of extension attempt_lock, DROP ... CASCADE that would reach a member through pg_depend, and ALTER EXTENSION attempt_lock ADD/DROP.';

-- Release bookkeeping, as in every install/update script (history, then the baseline as
-- the very last statement). Whoever assembles sql/upgrade/attempt_lock--1.0--1.1.sql:
-- keep exactly one of each.
INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.1', 'update');

SELECT @extschema@.attempt_lock_record_state();
