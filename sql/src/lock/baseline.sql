-- The lock's baseline: the snapshot of what a script installed, and the drift from it.

-- Members exclude the row types of member relations and their array types: PostgreSQL 17
-- records them as members too, and a baseline recorded under 15 must hold after pg_upgrade.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_snapshot()
RETURNS TABLE (kind text, object_type text, identity text, name text, definition text, structure text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
-- Constants in view and function text are printed in the session's styles: fixed here, so
-- a session's SET intervalstyle or datestyle is no drift.
SET datestyle = 'ISO, YMD'
SET intervalstyle = 'postgres'
SET extra_float_digits = 1
AS $$
    WITH RECURSIVE ext AS (
        SELECT e.oid, e.extnamespace FROM pg_catalog.pg_extension AS e
        WHERE e.extname = 'attempt_lock'
    ), members AS (
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend AS d, ext
        WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.refobjid = ext.oid AND d.deptype = 'e'
          AND NOT EXISTS (SELECT FROM pg_catalog.pg_type AS t
                           JOIN pg_catalog.pg_class AS r ON r.relkind <> 'c'
                            AND r.oid IN (t.typrelid, (SELECT e.typrelid FROM pg_catalog.pg_type AS e WHERE e.oid = t.typelem))
                          WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = d.objid)
    ), parts AS (
        -- the members, the extension, and the pieces of members (a view's
        -- _RETURN rule, indexes, constraints, defaults, ...)
        SELECT m.classid, m.objid FROM members AS m
        UNION ALL
        SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass, ext.oid FROM ext
        UNION ALL
        SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend AS d
        WHERE (d.refclassid, d.refobjid) IN (SELECT m.classid, m.objid FROM members AS m)
          AND d.deptype IN ('i', 'a')
    ), ext_deps AS (
        -- outside objects the members (and the extension itself) depend on,
        -- transitively: dropping any of them with CASCADE would drop the extension
        SELECT d.refclassid AS classid, d.refobjid AS objid
        FROM pg_catalog.pg_depend AS d
        WHERE (d.classid, d.objid) IN (SELECT p.classid, p.objid FROM parts AS p)
          AND d.deptype IN ('n', 'a')
        UNION
        SELECT d.refclassid, d.refobjid
        FROM pg_catalog.pg_depend AS d, ext_deps AS x
        WHERE d.classid = x.classid AND d.objid = x.objid AND d.objsubid = 0
          AND d.deptype IN ('n', 'a', 'i', 'e')
    )
    SELECT 'member', o.type, o.identity, NULL::text,
           'owner ' || COALESCE(pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(
               CASE m.classid
                   WHEN 'pg_catalog.pg_class'::pg_catalog.regclass
                       THEN (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = m.objid)
                   WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass
                       THEN (SELECT p.proowner FROM pg_catalog.pg_proc AS p WHERE p.oid = m.objid)
                   WHEN 'pg_catalog.pg_type'::pg_catalog.regclass
                       THEN (SELECT t.typowner FROM pg_catalog.pg_type AS t WHERE t.oid = m.objid)
                   WHEN 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
                       THEN (SELECT t.evtowner FROM pg_catalog.pg_event_trigger AS t WHERE t.oid = m.objid)
               END)), '?'), NULL
    FROM members AS m, pg_catalog.pg_identify_object(m.classid, m.objid, 0) AS o
    UNION ALL
    -- A view: its text, and what it is made of (columns, options, what its rule reads). The
    -- source table is named {source} in both, so renaming it (followed: source.sql) is no
    -- drift.
    SELECT 'view', 'view', c.oid::pg_catalog.regclass::text, NULL,
           pg_catalog.replace(pg_catalog.pg_get_viewdef(c.oid, true), src.name, '{source}')
           || pg_catalog.chr(10) || '-- reloptions: '
           || COALESCE(pg_catalog.array_to_string(c.reloptions, ','), ''),
           'columns ' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' '
                                                       || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                            FROM pg_catalog.pg_attribute AS a
                           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
           || '; reloptions ' || COALESCE(pg_catalog.array_to_string(c.reloptions, ','), '')
           || '; reads ' || COALESCE((
               SELECT pg_catalog.string_agg(DISTINCT CASE WHEN d.refobjid = src.oid
                                                          THEN 'source column ' || pg_catalog.quote_ident(sa.attname)
                                                          ELSE o.type || ' ' || o.identity END, ', ')
                 FROM pg_catalog.pg_rewrite AS r
                 JOIN pg_catalog.pg_depend AS d
                   ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
                 CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) AS o
                 LEFT JOIN pg_catalog.pg_attribute AS sa ON sa.attrelid = d.refobjid AND sa.attnum = d.refobjsubid
                WHERE r.ev_class = c.oid
                  AND NOT (d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = c.oid)), '')
    FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
    CROSS JOIN (SELECT cfg.source_table AS oid,
                       CASE WHEN k.oid IS NULL THEN '{none}'
                            ELSE pg_catalog.format('%I.%I', n.nspname, k.relname) END AS name
                  FROM (SELECT 1) AS one
                  LEFT JOIN @extschema@.attempt_lock_config AS cfg ON true
                  LEFT JOIN pg_catalog.pg_class AS k ON k.oid = cfg.source_table
                  LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = k.relnamespace) AS src
    WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('v', 'm')
    UNION ALL
    -- A function: its text, and what it is made of: its signature and properties as the
    -- catalog holds them, its source text as written (a SQL-standard body: what it reads).
    SELECT 'function', 'function', p.oid::pg_catalog.regprocedure::text, NULL,
           pg_catalog.pg_get_functiondef(p.oid),
           pg_catalog.concat_ws(' ', 'kind', p.prokind, 'language', l.lanname,
               'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid), 'defaults', p.pronargdefaults,
               'returns', pg_catalog.pg_get_function_result(p.oid), 'volatility', p.provolatile,
               'strict', p.proisstrict, 'parallel', p.proparallel, 'security_definer', p.prosecdef,
               'leakproof', p.proleakproof, 'cost', p.procost, 'rows', p.prorows,
               'config', pg_catalog.array_to_string(p.proconfig, ','), 'bin', p.probin)
           || pg_catalog.chr(10) || CASE WHEN p.prosqlbody IS NULL THEN p.prosrc
               ELSE 'reads ' || COALESCE((
                   SELECT pg_catalog.string_agg(DISTINCT o.type || ' ' || o.identity, ', ')
                     FROM pg_catalog.pg_depend AS d
                     CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) AS o
                    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                      AND d.deptype = 'n'), '') END
    FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
    JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind IN ('f', 'p')
    UNION ALL
    -- pg_get_functiondef() refuses aggregates: their definition is their support functions.
    SELECT 'function', 'aggregate', p.oid::pg_catalog.regprocedure::text, NULL,
           'AGGREGATE sfunc=' || a.aggtransfn::pg_catalog.regprocedure::text
           || ' stype=' || a.aggtranstype::pg_catalog.regtype::text
           || ' finalfunc=' || a.aggfinalfn::pg_catalog.regprocedure::text
           || ' finalfunc_modify=' || a.aggfinalmodify::text
           || ' initcond=' || COALESCE(a.agginitval, '<null>')
           || ' parallel=' || p.proparallel::text, NULL
    FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
    JOIN pg_catalog.pg_aggregate AS a ON a.aggfnoid = p.oid
    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind = 'a'
    UNION ALL
    SELECT 'event_trigger', 'event trigger', pg_catalog.quote_ident(t.evtname), NULL,
           'ON ' || t.evtevent || ' enabled=' || t.evtenabled::text
           || ' tags=' || COALESCE(pg_catalog.array_to_string(t.evttags, ','), '')
           || ' function=' || t.evtfoid::pg_catalog.regprocedure::text, NULL
    FROM members AS m JOIN pg_catalog.pg_event_trigger AS t ON t.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
    UNION ALL
    SELECT 'external', o.type, o.identity,
           a.object_names[pg_catalog.array_upper(a.object_names, 1)], NULL, NULL
    FROM (SELECT DISTINCT x.classid, x.objid FROM ext_deps AS x) AS x,
         pg_catalog.pg_identify_object(x.classid, x.objid, 0) AS o,
         pg_catalog.pg_identify_object_as_address(x.classid, x.objid, 0) AS a
    -- pinned objects (OID < FirstUnpinnedObjectId = 12000) cannot be dropped;
    -- the schema public (OID 2200) is not pinned since PostgreSQL 15
    WHERE (x.objid >= 12000
           OR (x.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND x.objid = 2200))
      AND (x.classid, x.objid) NOT IN (SELECT m.classid, m.objid FROM members AS m)
      AND NOT (x.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass
               AND x.objid = (SELECT ext.oid FROM ext))
    UNION ALL
    -- owners of outside relations (DROP OWNED BY ... CASCADE)
    SELECT DISTINCT 'external', 'role', pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)),
           pg_catalog.pg_get_userbyid(c.relowner)::text, NULL, NULL
    FROM ext_deps AS x JOIN pg_catalog.pg_class AS c ON c.oid = x.objid
    WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND x.objid NOT IN (SELECT m.objid FROM members AS m
                          WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_snapshot() IS
'attempt_lock: the lock-relevant state of the extension as it is now (the same rows attempt_lock_record_state() stores).';

CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_record_state()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_version text;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_record_state() may only run from the extension''s install or update script'
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'Run ALTER EXTENSION attempt_lock UPDATE, or drop and create the extension.';
    END IF;
    SELECT e.extversion INTO v_version FROM pg_catalog.pg_extension AS e
    WHERE e.extname = 'attempt_lock';
    -- a multi-step update (1.0 -> 1.1 -> 1.2) runs in one transaction:
    -- each step replaces the snapshot of this transaction.
    DELETE FROM @extschema@.attempt_lock_state WHERE recorded_at = pg_catalog.now();
    INSERT INTO @extschema@.attempt_lock_state
           (recorded_at, ext_version, kind, object_type, identity, name, definition, structure, server_major)
    SELECT pg_catalog.now(), v_version, s.kind, s.object_type, s.identity, s.name, s.definition,
           COALESCE(s.structure, s.definition),
           pg_catalog.current_setting('server_version_num')::pg_catalog.int4 / 10000
    FROM @extschema@.attempt_lock_snapshot() AS s;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_record_state() IS
'attempt_lock: stores the baseline snapshot; the last statement of every install and update script. Refuses to run outside them.';

-- SECURITY DEFINER, deliberately: the log holds query texts and is readable by superusers
-- only, while every role that runs attempt_health() or the lock's triggers needs to know
-- whether (and how often) the override was used. This returns the counts, nothing else.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_override_uses(OUT total pg_catalog.int8, OUT recent pg_catalog.int8)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE l.logged_at >= (SELECT max(s.recorded_at) FROM @extschema@.attempt_lock_state AS s))
      FROM @extschema@.attempt_lock_override_log AS l
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_override_uses() IS
'attempt_lock: how many statements passed the lock under attempt_lock.override, in all and since the last install/update (counts only; the log itself is superuser-only)';

-- An object drifted when what it is made of changed, or, on the major that recorded the
-- baseline, its text: after pg_upgrade the new major may print an unchanged object
-- differently. (A baseline recorded before 1.3 has only the text.)
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_drift()
RETURNS TABLE (kind text, object_type text, identity text, status text, detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH base AS (
        SELECT s.*, COALESCE(s.server_major = pg_catalog.current_setting('server_version_num')::pg_catalog.int4 / 10000,
                             true) AS same_major
        FROM @extschema@.attempt_lock_state AS s
        WHERE s.recorded_at = (SELECT max(s2.recorded_at) FROM @extschema@.attempt_lock_state AS s2)
          AND s.kind <> 'external'
    ), cur AS (
        SELECT s.kind, s.object_type, s.identity, s.definition, COALESCE(s.structure, s.definition) AS structure
        FROM @extschema@.attempt_lock_snapshot() AS s WHERE s.kind <> 'external'
    )
    SELECT COALESCE(b.kind, c.kind), COALESCE(b.object_type, c.object_type),
           COALESCE(b.identity, c.identity),
           CASE WHEN c.identity IS NULL THEN 'missing'
                WHEN b.identity IS NULL THEN 'unexpected'
                ELSE 'changed' END,
           CASE WHEN c.identity IS NULL THEN 'recorded by the install/update script, gone now'
                WHEN b.identity IS NULL THEN 'present now, not recorded by the install/update script'
                WHEN b.same_major
                THEN 'recorded: ' || b.definition || pg_catalog.chr(10) || 'now: ' || c.definition
                ELSE 'recorded: ' || COALESCE(b.structure, b.definition) || pg_catalog.chr(10) || 'now: ' || c.structure END
    FROM base AS b
    FULL JOIN cur AS c
      ON c.kind = b.kind AND c.object_type = b.object_type AND c.identity = b.identity
    WHERE b.identity IS NULL OR c.identity IS NULL
       OR (b.structure IS NOT NULL AND b.structure IS DISTINCT FROM c.structure)
       OR (b.same_major AND b.definition IS DISTINCT FROM c.definition)
    UNION ALL
    SELECT 'baseline', 'table', '@extschema@.attempt_lock_state', 'missing',
           'no snapshot recorded: the install/update script did not call attempt_lock_record_state()'
    WHERE NOT EXISTS (SELECT 1 FROM @extschema@.attempt_lock_state)
    UNION ALL
    SELECT 'override', 'table', '@extschema@.attempt_lock_override_log', 'override used',
           u.recent::text || ' statement(s) passed the lock under attempt_lock.override since the last install/update'
    FROM @extschema@.attempt_lock_override_uses() AS u
    WHERE u.recent > 0
    ORDER BY 1, 2, 3
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_drift() IS
'attempt_lock: differences between the database and the snapshot of the last install/update (missing, unexpected or changed members, view and function definitions, owners, disabled event triggers), plus override use since then. Empty when nothing drifted. Feeds attempt_health().';

