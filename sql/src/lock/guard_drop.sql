-- The DROP guards: the native ddl_command_start guard and the sql_drop guard.

-- ddl_command_start: decided natively from the parse tree (src/lock/guard_start.rs): a DROP of a
-- member, a DROP ... CASCADE / DROP COLUMN ... CASCADE / DROP OWNED ... CASCADE whose cascade
-- would reach a member through pg_depend (PostgreSQL would drop the whole extension), and
-- ALTER EXTENSION attempt_lock ADD/DROP.
-- No SET search_path clause: the objects a DROP names must be resolved with the caller's
-- search_path, as the DROP itself resolves them; the function runs its own catalog
-- queries under search_path = pg_catalog, pg_temp internally.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_start()
RETURNS event_trigger
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'attempt_lock_guard_start_native';
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_start() IS
'attempt_lock: ddl_command_start event trigger function (native); decides from the parse tree and pg_depend. Refuses DROP of a member of attempt_lock, DROP ... CASCADE / ALTER TABLE ... DROP COLUMN ... CASCADE / DROP OWNED ... CASCADE whose cascade would reach a member (PostgreSQL would drop the whole extension), and ALTER EXTENSION attempt_lock ADD/DROP. DROP EXTENSION attempt_lock passes.';

-- sql_drop: objects attached to a member relation that are not members
-- themselves (triggers, rules, policies, ...) are not protected by
-- PostgreSQL's own member check.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_drop()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ext oid;
    r record;
BEGIN
    IF tg_tag = 'DROP EXTENSION' THEN
        RETURN;
    END IF;
    SELECT e.oid INTO v_ext FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
    IF v_ext IS NULL THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT o.object_type, o.object_identity, rel.oid AS relid
        FROM pg_catalog.pg_event_trigger_dropped_objects() AS o
        CROSS JOIN LATERAL pg_catalog.to_regclass(
            pg_catalog.quote_ident(o.address_names[1]) || '.'
            || pg_catalog.quote_ident(o.address_names[2])) AS rel(oid)
        WHERE o.object_type IN ('rule', 'trigger', 'policy', 'index', 'table constraint',
                                'default value', 'statistics object')
          AND pg_catalog.array_length(o.address_names, 1) >= 2
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        AND d.objid = rel.oid AND d.objsubid = 0
                        AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                        AND d.refobjid = v_ext AND d.deptype = 'e')
    LOOP
        IF @extschema@.attempt_lock_in_script() THEN
            RETURN;
        END IF;
        PERFORM @extschema@.attempt_lock_refuse(tg_tag,
            r.object_type || ' ' || r.object_identity,
            'It belongs to ' || r.relid::pg_catalog.regclass::text || ', a member of extension attempt_lock.');
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_drop() IS
'attempt_lock: sql_drop event trigger function; refuses dropping a rule, trigger, policy, index, constraint, default or statistics object of a member relation outside the extension''s scripts.';
