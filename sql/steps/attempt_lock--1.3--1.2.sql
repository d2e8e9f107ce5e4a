-- 1.3 -> 1.2: back to 1.2's objects, taken from its frozen install script. The history
-- keeps its 1.3 rows (and their detail).

DO $refuse$
BEGIN
    IF pg_catalog.to_regnamespace('attempt_lock_store') IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: cannot downgrade to 1.2 while the incremental store is on'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_store_disable(); then ALTER EXTENSION attempt_lock UPDATE TO ''1.2''; (SELECT attempt_store_enable(); again after it).';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.attempt_lock_config AS c WHERE c.attached) THEN
        RAISE EXCEPTION 'attempt_lock: cannot downgrade to 1.2 while the views read no source table'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT attempt_source_attach(); first (1.2 has no pending or detached state).';
    END IF;
END
$refuse$;

-- The source.
DROP EVENT TRIGGER attempt_lock_watch_source;
DROP TRIGGER attempt_lock_config_restored ON @extschema@.attempt_lock_config;
DROP TRIGGER attempt_lock_config_replace ON @extschema@.attempt_lock_config;
DROP FUNCTION @extschema@.attempt_lock_watch_source();
DROP FUNCTION @extschema@.attempt_lock_config_restored();
DROP FUNCTION @extschema@.attempt_lock_config_replace();
DROP FUNCTION @extschema@.attempt_source_attach(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_source_detach();
DROP FUNCTION @extschema@.attempt_source_attach_body(pg_catalog.regclass);
DROP FUNCTION @extschema@.attempt_source_detach_body();
DROP FUNCTION @extschema@.attempt_lock_install_source(pg_catalog.text, pg_catalog.regclass);
DROP FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text);
DROP FUNCTION @extschema@.attempt_lock_restoring();
-- Out of pg_dump's extension data again (dropping a table from the extension does that).
ALTER EXTENSION attempt_lock DROP TABLE @extschema@.attempt_lock_config;
ALTER EXTENSION attempt_lock ADD TABLE @extschema@.attempt_lock_config;
ALTER TABLE @extschema@.attempt_lock_config
    DROP COLUMN source_name, DROP COLUMN attached, DROP COLUMN reenable_store;
--@release 1.2 comment table attempt_lock_config

-- The views and their parser. (1.2's attempt_store_rows, pulled below, reads 1.2's
-- attempt_elements, which 1.3 kept.)
--@release 1.2 function attempt_questions
--@release 1.2 function attempt_view_query
--@release 1.2 do install_views
DROP FUNCTION @extschema@.attempt_views_apply(pg_catalog.bool);
DROP FUNCTION @extschema@.attempt_rejects_query();
DROP FUNCTION @extschema@.attempt_view_query(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_element_rejects(pg_catalog.jsonb, pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz);
--@release 1.2 function attempt_store_rows
DROP FUNCTION @extschema@.attempt_result_kept(pg_catalog.bool, pg_catalog.text, pg_catalog.timestamptz);
--@release 1.2 aggregate attempt_no_counts

-- The lock.
DROP FUNCTION @extschema@.attempt_lock_snapshot();
--@release 1.2 function attempt_lock_snapshot
--@release 1.2 function attempt_lock_record_state
--@release 1.2 function attempt_lock_drift
--@release 1.2 function attempt_lock_guard_objects
ALTER TABLE @extschema@.attempt_lock_state DROP COLUMN structure, DROP COLUMN server_major;
--@release 1.2 comment table attempt_lock_state

-- The store (off: see above) and health.
DROP FUNCTION @extschema@.attempt_store_rebuild();
DROP FUNCTION @extschema@.attempt_store_rebuild_body();
DROP FUNCTION @extschema@.attempt_store_build(pg_catalog.int4);
DROP FUNCTION @extschema@.attempt_store_teardown();
DROP FUNCTION @extschema@.attempt_store_triggers_install();
DROP FUNCTION @extschema@.attempt_store_triggers_shaped();
DROP FUNCTION @extschema@.attempt_store_triggers_ok();
DROP FUNCTION @extschema@.attempt_store_blind_spot(pg_catalog.regclass);
DROP FUNCTION @extschema@.attempt_store_foreign_triggers();
DROP FUNCTION @extschema@.attempt_store_usable();
DROP FUNCTION @extschema@.attempt_store_mark_stale(pg_catalog.text);
DROP FUNCTION @extschema@.attempt_store_fill(pg_catalog.regclass, pg_catalog.int4);
DROP FUNCTION @extschema@.attempt_store_status();
DROP FUNCTION @extschema@.attempt_store_sync_problems(pg_catalog.bool, pg_catalog.int4);
--@release 1.2 do create_triggers
--@release 1.2 function attempt_store_sync
--@release 1.2 function attempt_store_truncate
--@release 1.2 function attempt_store_switch_on
--@release 1.2 function attempt_store_switch_off
--@release 1.2 function attempt_store_status
--@release 1.2 function attempt_store_sync_problems
--@release 1.2 function attempt_store_enable
--@release 1.2 function attempt_store_disable
--@release 1.2 function attempt_health
DROP FUNCTION @extschema@.attempt_health_checks_install();
DROP FUNCTION @extschema@.attempt_health_checks_lock();
DROP FUNCTION @extschema@.attempt_health_checks_data();
DROP FUNCTION @extschema@.attempt_health_checks_access();
DROP FUNCTION @extschema@.attempt_health_checks_store();

INSERT INTO @extschema@.attempt_lock_history (version, action) VALUES ('1.2', 'update');
SELECT @extschema@.attempt_lock_record_state();
