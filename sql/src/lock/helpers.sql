-- The lock's helpers: whether a script runs, whether the override is on, the refusal.

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_in_script()
RETURNS pg_catalog.bool
VOLATILE PARALLEL RESTRICTED LANGUAGE c
AS 'MODULE_PATHNAME', 'attempt_lock_in_script_wrapper';
COMMENT ON FUNCTION @extschema@.attempt_lock_in_script() IS
'attempt_lock: true while an install or update script of attempt_lock is running (the server''s creating_extension state), or the incremental store''s switch (attempt_store_enable/disable)';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_override_active()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    -- attempt_lock.override is a PGC_SUSET GUC in the real extension; the
    -- superuser test below also makes a placeholder set by an ordinary role
    -- (before the library is loaded) ineffective.
    SELECT pg_catalog.lower(pg_catalog.btrim(COALESCE(
               pg_catalog.current_setting('attempt_lock.override', true), '')))
               IN ('on', 'true', 'yes', '1', 't', 'y')
       AND COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
                     WHERE r.rolname = CURRENT_USER), false)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_override_active() IS
'attempt_lock: true when attempt_lock.override is on AND the current role is a superuser.';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_refuse(p_tag text, p_object text, p_detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.attempt_lock_override_active() THEN
        INSERT INTO @extschema@.attempt_lock_override_log (command_tag, object_identity, query)
        VALUES (p_tag, p_object, pg_catalog.current_query());
        RAISE WARNING 'attempt_lock: override used: % on % allowed for role %',
                      p_tag, p_object, CURRENT_USER
              USING DETAIL = 'The statement was recorded in attempt_lock_override_log; attempt_health() reports the resulting drift until the definition is restored.';
        RETURN;
    END IF;
    RAISE EXCEPTION 'attempt_lock: % refused: % is locked by extension attempt_lock', p_tag, p_object
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL  = COALESCE(p_detail || ' ', '')
                          || 'Only GRANT, REVOKE and COMMENT may touch the locked objects outside the extension''s scripts.',
                HINT    = 'Change the locked objects by installing a new version and running ALTER EXTENSION attempt_lock UPDATE.';
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_refuse(text, text, text) IS
'attempt_lock: raises the lock''s refusal (SQLSTATE 55000, HINT ALTER EXTENSION attempt_lock UPDATE), or, under a superuser override, logs the statement and raises a WARNING instead.';
