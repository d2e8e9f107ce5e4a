-- The lock's four event triggers.

-- ---------------------------------------------------------------------
-- Event triggers (event triggers do not fire for CREATE/ALTER/DROP EVENT
-- TRIGGER, so ALTER EVENT TRIGGER ... DISABLE cannot be refused; the
-- snapshot records evtenabled and attempt_lock_drift() reports it)
-- ---------------------------------------------------------------------

CREATE EVENT TRIGGER attempt_lock_guard_objects ON ddl_command_end
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_objects();
COMMENT ON EVENT TRIGGER attempt_lock_guard_objects IS
'attempt_lock: refuses DDL that changes a member of extension attempt_lock outside its scripts.';

-- Event triggers on one event fire in name order: attempt_lock_guard_functions runs before
-- attempt_lock_guard_objects, so a statement replacing one of the lock's functions is
-- refused before the other guard would call the replaced body.
CREATE EVENT TRIGGER attempt_lock_guard_functions ON ddl_command_end
    WHEN TAG IN ('CREATE FUNCTION', 'ALTER FUNCTION', 'CREATE PROCEDURE', 'ALTER PROCEDURE',
                 'ALTER ROUTINE', 'CREATE AGGREGATE', 'ALTER AGGREGATE')
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_functions();
COMMENT ON EVENT TRIGGER attempt_lock_guard_functions IS
'attempt_lock: refuses replacing or altering the functions of extension attempt_lock outside its scripts (independent of attempt_lock_guard_objects).';

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

CREATE EVENT TRIGGER attempt_lock_guard_drop ON sql_drop
    EXECUTE FUNCTION @extschema@.attempt_lock_guard_drop();
COMMENT ON EVENT TRIGGER attempt_lock_guard_drop IS
'attempt_lock: refuses dropping rules, triggers, policies and the like of member relations of extension attempt_lock outside its scripts.';

REVOKE ALL ON FUNCTION @extschema@.attempt_lock_record_state() FROM PUBLIC;
