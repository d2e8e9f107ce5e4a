-- attempt_lock_guard_functions(): the self-contained ddl_command_end guard of the member functions.

-- ddl_command_end, second guard: CREATE OR REPLACE / ALTER of the
-- extension's FUNCTIONS, self-contained (calls no helper). Needed because an
-- event trigger runs the function as it is after the statement: replacing
-- attempt_lock_refuse() or attempt_lock_override_active() by a no-op would
-- otherwise disarm attempt_lock_guard_objects() in the very statement that does
-- it. Each guard protects the other's function; one statement
-- replaces one function, so any replacement is refused.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_functions()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.command_tag, o.type || ' ' || o.identity AS obj
        FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
        CROSS JOIN LATERAL pg_catalog.pg_identify_object(c.classid, c.objid, 0) AS o
        WHERE NOT c.in_extension
          AND c.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND c.command_tag NOT IN ('GRANT', 'REVOKE', 'COMMENT')
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                      JOIN pg_catalog.pg_extension AS e ON e.oid = d.refobjid
                      WHERE d.classid = c.classid AND d.objid = c.objid AND d.objsubid = 0
                        AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                        AND d.deptype = 'e' AND e.extname = 'attempt_lock')
    LOOP
        IF pg_catalog.lower(pg_catalog.btrim(COALESCE(
               pg_catalog.current_setting('attempt_lock.override', true), '')))
               IN ('on', 'true', 'yes', '1', 't', 'y')
           AND COALESCE((SELECT rr.rolsuper FROM pg_catalog.pg_roles AS rr
                         WHERE rr.rolname = CURRENT_USER), false) THEN
            -- attempt_lock_guard_objects() logs and warns for the same statement
            CONTINUE;
        END IF;
        RAISE EXCEPTION 'attempt_lock: % refused: % is locked by extension attempt_lock', r.command_tag, r.obj
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    DETAIL  = 'Only GRANT, REVOKE and COMMENT may touch the locked objects outside the extension''s scripts.',
                    HINT    = 'Change the locked objects by installing a new version and running ALTER EXTENSION attempt_lock UPDATE.';
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_functions() IS
'attempt_lock: second ddl_command_end event trigger function, self-contained; refuses CREATE OR REPLACE / ALTER of the extension''s functions (including the lock''s own) outside its scripts, so that replacing a lock function cannot disarm the lock in the same statement.';
