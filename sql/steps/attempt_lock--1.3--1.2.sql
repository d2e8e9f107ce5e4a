-- 1.3 -> 1.2: back to 1.2's objects, taken from its frozen install script.

DO $refuse$
BEGIN
    IF pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: cannot downgrade to 1.2 while the incremental store is on'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_store_disable(); then ALTER EXTENSION attempt_lock UPDATE TO ''1.2''; (SELECT attempt_store_enable(); again after it).';
    END IF;
END
$refuse$;

--@release 1.2 function attempt_questions
--@release 1.2 function attempt_view_query
--@release 1.2 do install_views
DROP FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool);
DROP FUNCTION @extschema@.attempt_rejects_query();
DROP FUNCTION @extschema@.attempt_view_query(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_element_rejects(pg_catalog.jsonb, pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz);
--@release 1.2 function attempt_store_rows
DROP FUNCTION @extschema@.attempt_result_kept(pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz);
--@release 1.2 function attempt_lock_guard_objects
--@release 1.2 function attempt_store_switch_on
--@release 1.2 function attempt_store_switch_off
--@release 1.2 function attempt_store_sync_problems
--@release 1.2 function attempt_health
DROP FUNCTION @extschema@.attempt_health_checks_install();
DROP FUNCTION @extschema@.attempt_health_checks_lock();
DROP FUNCTION @extschema@.attempt_health_checks_data();
DROP FUNCTION @extschema@.attempt_health_checks_access();
DROP FUNCTION @extschema@.attempt_health_checks_store();

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.2', 'update');
SELECT @extschema@.attempt_lock_record_state();
