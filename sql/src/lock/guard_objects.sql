-- attempt_lock_guard_objects(): the ddl_command_end guard of every member.

-- ddl_command_end: every member of the extension is locked, plus the
-- objects that hang off a member relation (rules, triggers, policies,
-- indexes, constraints, defaults, statistics, inheritance children).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_guard_objects()
RETURNS event_trigger
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ext oid;
    r record;
    v_added text;
    v_removed text;
BEGIN
    -- operations, not schema: allowed without looking further
    IF tg_tag IN ('GRANT', 'REVOKE', 'COMMENT', 'CREATE EXTENSION', 'DROP EXTENSION') THEN
        RETURN;
    END IF;
    SELECT e.oid INTO v_ext FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
    IF v_ext IS NULL THEN
        RETURN;
    END IF;
    -- The maintenance functions (the store's switch, attaching the source) change members
    -- from a function, where in_extension is false: attempt_lock_in_script() knows it
    -- (src/lock/maintenance.rs).
    IF @extschema@.attempt_lock_in_script() THEN
        RETURN;
    END IF;

    FOR r IN
        -- DISTINCT ON: CREATE OR REPLACE VIEW ... WITH (...) reports two commands
        SELECT DISTINCT ON (c.command_tag, t.tclass, t.tobj)
               c.command_tag, c.classid, c.objid, c.objsubid, t.tclass, t.tobj
        FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
        CROSS JOIN LATERAL (
            SELECT c.classid AS tclass, c.objid AS tobj
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass,
                   CASE c.classid
                       WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
                           (SELECT x.ev_class FROM pg_catalog.pg_rewrite AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
                           (SELECT x.tgrelid FROM pg_catalog.pg_trigger AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
                           (SELECT x.polrelid FROM pg_catalog.pg_policy AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
                           (SELECT x.conrelid FROM pg_catalog.pg_constraint AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN
                           (SELECT x.adrelid FROM pg_catalog.pg_attrdef AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass THEN
                           (SELECT x.stxrelid FROM pg_catalog.pg_statistic_ext AS x WHERE x.oid = c.objid)
                       WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
                           (SELECT x.indrelid FROM pg_catalog.pg_index AS x WHERE x.indexrelid = c.objid)
                   END
            WHERE c.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass,
                                'pg_catalog.pg_trigger'::pg_catalog.regclass,
                                'pg_catalog.pg_policy'::pg_catalog.regclass,
                                'pg_catalog.pg_constraint'::pg_catalog.regclass,
                                'pg_catalog.pg_attrdef'::pg_catalog.regclass,
                                'pg_catalog.pg_statistic_ext'::pg_catalog.regclass,
                                'pg_catalog.pg_class'::pg_catalog.regclass)
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.inhparent
            FROM pg_catalog.pg_inherits AS i
            WHERE c.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND i.inhrelid = c.objid
        ) AS t
        WHERE NOT c.in_extension
          AND c.command_tag NOT IN ('GRANT', 'REVOKE', 'COMMENT')
          AND ((t.tclass = 'pg_catalog.pg_extension'::pg_catalog.regclass AND t.tobj = v_ext)
               OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                          WHERE d.classid = t.tclass AND d.objid = t.tobj AND d.objsubid = 0
                            AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                            AND d.refobjid = v_ext AND d.deptype = 'e'))
    LOOP
        IF r.tclass = 'pg_catalog.pg_extension'::pg_catalog.regclass THEN
            -- ALTER EXTENSION attempt_lock ...: UPDATE ends with
            -- attempt_lock_record_state(), so its membership matches the
            -- baseline; ADD / DROP change the membership.
            IF NOT EXISTS (SELECT 1 FROM @extschema@.attempt_lock_state) THEN
                CONTINUE;   -- no baseline yet (e.g. pg_upgrade restoring the schema)
            END IF;
            WITH base AS (
                SELECT s.object_type || ' ' || s.identity AS obj
                FROM @extschema@.attempt_lock_state AS s
                WHERE s.kind = 'member'
                  AND s.recorded_at = (SELECT max(s2.recorded_at) FROM @extschema@.attempt_lock_state AS s2)
            ), cur AS (
                -- as the baseline counts members: without relations' row and array types
                SELECT o.type || ' ' || o.identity AS obj
                FROM pg_catalog.pg_depend AS d,
                     pg_catalog.pg_identify_object(d.classid, d.objid, 0) AS o
                WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                  AND d.refobjid = v_ext AND d.deptype = 'e'
                  AND NOT EXISTS (SELECT FROM pg_catalog.pg_type AS t
                                   JOIN pg_catalog.pg_class AS rel ON rel.relkind <> 'c'
                                    AND rel.oid IN (t.typrelid, (SELECT e.typrelid FROM pg_catalog.pg_type AS e WHERE e.oid = t.typelem))
                                  WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = d.objid)
            )
            SELECT (SELECT pg_catalog.string_agg(cur.obj, ', ' ORDER BY cur.obj)
                    FROM cur WHERE cur.obj NOT IN (SELECT base.obj FROM base)),
                   (SELECT pg_catalog.string_agg(base.obj, ', ' ORDER BY base.obj)
                    FROM base WHERE base.obj NOT IN (SELECT cur.obj FROM cur))
            INTO v_added, v_removed;
            IF v_added IS NOT NULL THEN
                PERFORM @extschema@.attempt_lock_refuse(r.command_tag || ' ADD', v_added,
                    'Objects cannot be added to extension attempt_lock by hand.');
            END IF;
            IF v_removed IS NOT NULL THEN
                PERFORM @extschema@.attempt_lock_refuse(r.command_tag || ' DROP', v_removed,
                    'Members cannot be detached from extension attempt_lock by hand.');
            END IF;
        ELSE
            PERFORM @extschema@.attempt_lock_refuse(
                r.command_tag,
                (SELECT o.type || ' ' || o.identity
                 FROM pg_catalog.pg_identify_object(r.tclass, r.tobj, 0) AS o),
                CASE WHEN (r.tclass, r.tobj) <> (r.classid, r.objid) THEN
                    (SELECT 'The statement attaches or changes ' || o.type || ' ' || o.identity || '.'
                     FROM pg_catalog.pg_identify_object(r.classid, r.objid, 0) AS o)
                END);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_guard_objects() IS
'attempt_lock: ddl_command_end event trigger function; refuses, outside the extension''s scripts, every DDL on a member of attempt_lock (or on a rule, trigger, policy, index, constraint, default, statistics object or child table attached to a member), and ALTER EXTENSION attempt_lock ADD/DROP. GRANT, REVOKE and COMMENT pass.';
