-- Replacing a view that others are built on, keeping what hangs on them: adopting a
-- deployed `attempt` at CREATE EXTENSION (docs/ADOPTING.md), the way back for a migration's
-- downgrade, and re-typing attempt_rejects when a pending install meets its source.
--
-- A view and the views built on it are captured as data (jsonb: definition, owner,
-- options, comments, grants, column defaults, INSTEAD OF triggers, rules, output columns),
-- dropped, and created again from that data. Definitions are read with search_path =
-- pg_catalog, so every name in them is schema-qualified.

-- One view as data. The definition is pg_get_viewdef's: the text PostgreSQL would dump.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_capture(target pg_catalog.regclass)
RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object(
        'name', pg_catalog.format('%I.%I', n.nspname, c.relname),
        'kind', c.relkind::pg_catalog.text,
        'owner', pg_catalog.pg_get_userbyid(c.relowner),
        'options', COALESCE(pg_catalog.array_to_json(c.reloptions)::pg_catalog.jsonb, '[]'),
        'definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, false) END,
        'comment', pg_catalog.obj_description(c.oid, 'pg_class'),
        'columns', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                               'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                               'comment', pg_catalog.col_description(c.oid, a.attnum),
                               'default', pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                               'grants', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                     'privilege', x.privilege_type,
                                                     'grantee', CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                                                     ELSE x.grantee::pg_catalog.regrole::pg_catalog.text END,
                                                     'grantable', x.is_grantable))
                                            FROM pg_catalog.aclexplode(a.attacl) AS x), '[]'))
                           ORDER BY a.attnum)
                      FROM pg_catalog.pg_attribute AS a
                      LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
        'grants', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                       'privilege', x.privilege_type,
                                       'grantee', CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                                       ELSE x.grantee::pg_catalog.regrole::pg_catalog.text END,
                                       'grantable', x.is_grantable))
                              FROM pg_catalog.aclexplode(c.relacl) AS x
                             WHERE x.grantee <> c.relowner), '[]'),
        'triggers', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_triggerdef(t.oid) ORDER BY t.tgname)
                                FROM pg_catalog.pg_trigger AS t
                               WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '[]'),
        'rules', COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.pg_get_ruledef(r.oid) ORDER BY r.rulename)
                             FROM pg_catalog.pg_rewrite AS r
                            WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'), '[]'))
      FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.oid = target
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_capture(pg_catalog.regclass) IS
'attempt_lock internal: a view as data (definition, owner, options, comment, columns with their comments, defaults and grants, grants, INSTEAD OF triggers, rules), from which attempt_lock_view_statements() creates it again.';

-- The statements that create a captured view again, in order. The columns' comments,
-- defaults and grants are applied only to columns the new view has (with_columns).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_statements(captured pg_catalog.jsonb, with_definition pg_catalog.bool DEFAULT true)
RETURNS SETOF pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.statement FROM (
        SELECT 1 AS step, 0 AS i,
               pg_catalog.format('CREATE VIEW %s%s AS %s', captured->>'name',
                   CASE WHEN pg_catalog.jsonb_array_length(captured->'options') > 0
                        THEN ' WITH (' || (SELECT pg_catalog.string_agg(o, ', ') FROM pg_catalog.jsonb_array_elements_text(captured->'options') AS o) || ')'
                        ELSE '' END,
                   pg_catalog.rtrim(captured->>'definition', '; ' || pg_catalog.chr(10))) AS statement
         WHERE with_definition
        UNION ALL
        SELECT 2, 0, pg_catalog.format('ALTER VIEW %s OWNER TO %I', captured->>'name', captured->>'owner')
         WHERE with_definition
        UNION ALL
        SELECT 3, 0, pg_catalog.format('COMMENT ON VIEW %s IS %L', captured->>'name', captured->>'comment')
         WHERE with_definition AND captured->>'comment' IS NOT NULL
        UNION ALL
        SELECT 4, c.i::pg_catalog.int4, pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', captured->>'name', c.col->>'name', c.col->>'comment')
          FROM pg_catalog.jsonb_array_elements(captured->'columns') WITH ORDINALITY AS c(col, i)
         WHERE with_definition AND c.col->>'comment' IS NOT NULL
        UNION ALL
        SELECT 5, c.i::pg_catalog.int4, pg_catalog.format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', captured->>'name', c.col->>'name', c.col->>'default')
          FROM pg_catalog.jsonb_array_elements(captured->'columns') WITH ORDINALITY AS c(col, i)
         WHERE with_definition AND c.col->>'default' IS NOT NULL
        UNION ALL
        SELECT 6, g.i::pg_catalog.int4, pg_catalog.format('GRANT %s ON %s TO %s%s', g.g->>'privilege', captured->>'name', g.g->>'grantee',
                                       CASE WHEN (g.g->>'grantable')::pg_catalog.bool THEN ' WITH GRANT OPTION' ELSE '' END)
          FROM pg_catalog.jsonb_array_elements(captured->'grants') WITH ORDINALITY AS g(g, i)
        UNION ALL
        SELECT 7, (c.i * 1000 + g.i)::pg_catalog.int4,
               pg_catalog.format('GRANT %s (%I) ON %s TO %s%s', g.g->>'privilege', c.col->>'name', captured->>'name', g.g->>'grantee',
                                 CASE WHEN (g.g->>'grantable')::pg_catalog.bool THEN ' WITH GRANT OPTION' ELSE '' END)
          FROM pg_catalog.jsonb_array_elements(captured->'columns') WITH ORDINALITY AS c(col, i),
               pg_catalog.jsonb_array_elements(c.col->'grants') WITH ORDINALITY AS g(g, i)
        UNION ALL
        SELECT 8, t.i::pg_catalog.int4, t.t FROM pg_catalog.jsonb_array_elements_text(captured->'triggers') WITH ORDINALITY AS t(t, i)
         WHERE with_definition
        UNION ALL
        SELECT 9, r.i::pg_catalog.int4, pg_catalog.rtrim(r.r, ';') FROM pg_catalog.jsonb_array_elements_text(captured->'rules') WITH ORDINALITY AS r(r, i)
         WHERE with_definition
    ) AS s
    ORDER BY s.step, s.i
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_statements(pg_catalog.jsonb, pg_catalog.bool) IS
'attempt_lock internal: the statements that create a view captured by attempt_lock_view_capture() again (with_definition => false: only its grants, to apply them to another view of the same name).';

-- The views built on target, each with its depth (a view is created after every view it
-- reads), captured; and what cannot be carried over: materialized views, functions whose
-- body (BEGIN ATOMIC) or signature depends on one of them, and anything else that depends
-- on them, each described.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_dependents(target pg_catalog.regclass,
    OUT views pg_catalog.jsonb, OUT refused pg_catalog.text[])
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE built_on(oid, depth) AS (
        SELECT target::pg_catalog.oid, 0
        UNION
        SELECT r.ev_class, b.depth + 1
          FROM built_on AS b
          JOIN pg_catalog.pg_depend AS d
            ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = b.oid
           AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid
         WHERE r.ev_class <> b.oid
    ), relations AS (
        SELECT b.oid, pg_catalog.max(b.depth) AS depth FROM built_on AS b GROUP BY b.oid
    ), types AS (
        -- each relation's row type and the array of it
        SELECT r.oid AS rel, t.oid AS typ
          FROM relations AS r JOIN pg_catalog.pg_type AS t
            ON t.typrelid = r.oid OR t.typelem = (SELECT c.reltype FROM pg_catalog.pg_class AS c WHERE c.oid = r.oid)
    ), dependencies AS (
        SELECT d.classid, d.objid, d.objsubid, d.refobjid AS rel
          FROM pg_catalog.pg_depend AS d JOIN relations AS r
            ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = r.oid
        UNION
        SELECT d.classid, d.objid, d.objsubid, t.rel
          FROM pg_catalog.pg_depend AS d JOIN types AS t
            ON d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid = t.typ
    ), uncarried AS (
        SELECT DISTINCT pg_catalog.format('%s (on %s)', pg_catalog.pg_describe_object(d.classid, d.objid, 0),
                                          d.rel::pg_catalog.regclass) AS what
          FROM dependencies AS d
         WHERE NOT (
               -- a view's own row type, its array type, and its column defaults
               (d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid IN (SELECT t.typ FROM types AS t))
            OR d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
               -- the rules of relations in the set (a view's query or a captured rule; a
               -- relation that is not a view is reported below)
            OR (d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                AND (SELECT r.ev_class FROM pg_catalog.pg_rewrite AS r WHERE r.oid = d.objid) IN (SELECT x.oid FROM relations AS x))
               -- INSTEAD OF triggers of the views built on target (captured)
            OR (d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.rel <> target)
        )
        UNION ALL
        SELECT pg_catalog.format(CASE WHEN r.oid = target THEN '%s %s is not a view' ELSE '%s %s' END,
                                 CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'r' THEN 'table'
                                                WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table'
                                                ELSE 'relation' END, c.oid::pg_catalog.regclass)
          FROM relations AS r JOIN pg_catalog.pg_class AS c ON c.oid = r.oid
         WHERE c.relkind <> 'v'
    )
    SELECT (SELECT COALESCE(pg_catalog.jsonb_agg(@extschema@.attempt_lock_view_capture(r.oid) ORDER BY r.depth, r.oid::pg_catalog.regclass::pg_catalog.text), '[]')
              FROM relations AS r WHERE r.depth > 0),
           (SELECT pg_catalog.array_agg(u.what ORDER BY u.what) FROM uncarried AS u)
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_dependents(pg_catalog.regclass) IS
'attempt_lock internal: the views built on a view, recursively, captured in creation order; and what cannot be carried over when it is replaced (materialized views, functions with BEGIN ATOMIC bodies or using a row type, a target that is not a view, any other dependent object).';

-- Creates captured views again, in order; each re-created view's output columns are
-- compared with its old ones when same_columns (a dependent that still parses but would
-- mean something else fails). Created inside the extension's own script, a view would
-- become a member: it is detached, so it stays its owner's (not locked, dumped by pg_dump,
-- untouched by DROP EXTENSION).
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_views_recreate(captured pg_catalog.jsonb, replaced pg_catalog.text, same_columns pg_catalog.bool)
RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v pg_catalog.jsonb;
    statement pg_catalog.text;
    was pg_catalog.text;
    now_is pg_catalog.text;
    n pg_catalog.int4 := 0;
BEGIN
    FOR v IN SELECT x FROM pg_catalog.jsonb_array_elements(captured) AS x LOOP
        BEGIN
            FOR statement IN SELECT s FROM @extschema@.attempt_lock_view_statements(v) AS s LOOP
                EXECUTE statement;
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'attempt_lock: view % (built on %) cannot be created again on the new %: %',
                  v->>'name', replaced, replaced, SQLERRM
                  USING ERRCODE = SQLSTATE,
                        HINT = 'Nothing was changed. Make the view read only columns attempt V1 has (docs/SPEC.md section 3), or drop it, then try again (docs/ADOPTING.md).';
        END;
        IF EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = (v->>'name')::pg_catalog.regclass
                      AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') THEN
            EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock DROP VIEW %s', v->>'name');
        END IF;
        IF same_columns THEN
            SELECT pg_catalog.string_agg(pg_catalog.format('%I %s', c->>'name', c->>'type'), ', ') INTO was
              FROM pg_catalog.jsonb_array_elements(v->'columns') AS c;
            SELECT pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
              INTO now_is
              FROM pg_catalog.pg_attribute AS a
             WHERE a.attrelid = (v->>'name')::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped;
            IF was IS DISTINCT FROM now_is THEN
                RAISE EXCEPTION 'attempt_lock: view % (built on %) would change its columns on the new %', v->>'name', replaced, replaced
                      USING ERRCODE = 'datatype_mismatch',
                            DETAIL = pg_catalog.format('Its columns were (%s); on the new view they would be (%s).', was, now_is),
                            HINT = 'Nothing was changed. Save its definition, drop it, adopt, and create it again on the V1 view, in one transaction (docs/ADOPTING.md, "Views whose columns would change").';
            END IF;
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_views_recreate(pg_catalog.jsonb, pg_catalog.text, pg_catalog.bool) IS
'attempt_lock internal: creates views captured by attempt_lock_dependents() again, in order, with their owners, options, comments, defaults, grants, INSTEAD OF triggers and rules; detaches them from the extension; optionally fails when one''s output columns changed. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_views_recreate(pg_catalog.jsonb, pg_catalog.text, pg_catalog.bool) FROM PUBLIC;

-- Drops captured views, last created first; no CASCADE: anything the capture did not see
-- stops it.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_views_drop(captured pg_catalog.jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name pg_catalog.text;
BEGIN
    FOR name IN SELECT x->>'name' FROM pg_catalog.jsonb_array_elements(captured) WITH ORDINALITY AS v(x, i) ORDER BY v.i DESC LOOP
        EXECUTE pg_catalog.format('DROP VIEW %s', name);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_views_drop(pg_catalog.jsonb) IS
'attempt_lock internal: drops views captured by attempt_lock_dependents(), dependents first. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_views_drop(pg_catalog.jsonb) FROM PUBLIC;

-- The install script, before it creates the views: a relation already named attempt or
-- attempt_rejects is refused, or adopted when a superuser SET
-- attempt_lock.adopt_existing_view in the session (src/guc.rs): the old view and the views
-- built on it are recorded in attempt_lock_history (action adopt) and dropped; the install
-- then creates the V1 views and attempt_lock_adopt_finish() the dependents on them.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_adopt_begin()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    view_name pg_catalog.text;
    existing pg_catalog.regclass;
    dependents record;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_adopt_begin() runs only in the install script'
              USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    FOREACH view_name IN ARRAY ARRAY['attempt', 'attempt_rejects'] LOOP
        existing := pg_catalog.to_regclass('@extschema@.' || view_name);
        CONTINUE WHEN existing IS NULL;
        IF NOT pg_catalog.current_setting('attempt_lock.adopt_existing_view')::pg_catalog.bool THEN
            RAISE EXCEPTION 'attempt_lock: relation % already exists', existing
                  USING ERRCODE = 'duplicate_table',
                        HINT = 'To replace it with the V1 view, keeping the views built on it and the grants: SET attempt_lock.adopt_existing_view = on; in this session (superuser), then CREATE EXTENSION attempt_lock again. See docs/ADOPTING.md.';
        END IF;
        dependents := @extschema@.attempt_lock_dependents(existing);
        IF dependents.refused IS NOT NULL THEN
            RAISE EXCEPTION 'attempt_lock: cannot adopt %: % cannot be carried over', existing,
                  CASE WHEN pg_catalog.cardinality(dependents.refused) = 1 THEN 'one object'
                       ELSE pg_catalog.cardinality(dependents.refused) || ' objects' END
                  USING ERRCODE = 'dependent_objects_still_exist',
                        DETAIL = pg_catalog.array_to_string(dependents.refused, '; ') || '.',
                        HINT = 'Nothing was changed. Materialized views, functions with BEGIN ATOMIC bodies or using the view''s row type, and a relation that is not a view are handled by hand first: docs/ADOPTING.md, "What adoption refuses".';
        END IF;
        INSERT INTO @extschema@.attempt_lock_history (version, action, detail)
        SELECT e.extversion, 'adopt',
               pg_catalog.jsonb_build_object('replaced', @extschema@.attempt_lock_view_capture(existing),
                                             'dependents', dependents.views)
          FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock';
        PERFORM @extschema@.attempt_lock_views_drop(dependents.views);
        EXECUTE pg_catalog.format('DROP VIEW %s', existing);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_adopt_begin() IS
'attempt_lock internal: in the install script, refuses an existing relation named attempt or attempt_rejects (42P07), or adopts it when attempt_lock.adopt_existing_view is on: records it and the views built on it in attempt_lock_history and drops them. Runs only in the install script.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_adopt_begin() FROM PUBLIC;

-- The install script, after it created the views: the adopted views' grants on the new
-- ones, and the views that were built on them, created again and detached.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_adopt_finish()
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    adoption pg_catalog.jsonb;
    statement pg_catalog.text;
    blind pg_catalog.text;
BEGIN
    IF NOT @extschema@.attempt_lock_in_script() THEN
        RAISE EXCEPTION 'attempt_lock: attempt_lock_adopt_finish() runs only in the install script'
              USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- The history table was created by this install: its adopt rows are this adoption's.
    FOR adoption IN SELECT h.detail FROM @extschema@.attempt_lock_history AS h WHERE h.action = 'adopt' ORDER BY h.at LOOP
        FOR statement IN
            SELECT s FROM @extschema@.attempt_lock_view_statements(
                -- the grants of columns V1 has
                pg_catalog.jsonb_set(adoption->'replaced', '{columns}', COALESCE((
                    SELECT pg_catalog.jsonb_agg(c) FROM pg_catalog.jsonb_array_elements(adoption->'replaced'->'columns') AS c
                     WHERE EXISTS (SELECT FROM pg_catalog.pg_attribute AS a
                                    WHERE a.attrelid = (adoption->'replaced'->>'name')::pg_catalog.regclass
                                      AND a.attname = c->>'name' AND NOT a.attisdropped)), '[]')),
                false) AS s
        LOOP
            EXECUTE statement;
        END LOOP;
        PERFORM @extschema@.attempt_lock_views_recreate(adoption->'dependents', adoption->'replaced'->>'name', true);
        -- Its old owner (the role that ran the migration, say) read it without a grant and
        -- may own views built on it: it keeps reading it.
        IF adoption->'replaced'->>'owner' IS DISTINCT FROM CURRENT_USER::pg_catalog.text THEN
            EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', adoption->'replaced'->>'name', adoption->'replaced'->>'owner');
        END IF;
        -- The V1 views read the source with their reader's privileges (security_invoker);
        -- the old view read it with its owner's. Who could read through it and cannot read
        -- the source is told, not granted: that is a decision about the source's data.
        SELECT pg_catalog.string_agg(DISTINCT r.rolname, ', ' ORDER BY r.rolname) INTO blind
          FROM (SELECT adoption->'replaced'->>'owner' AS role
                UNION SELECT g->>'grantee' FROM pg_catalog.jsonb_array_elements(adoption->'replaced'->'grants') AS g
                UNION SELECT g->>'grantee' FROM pg_catalog.jsonb_array_elements(adoption->'replaced'->'columns') AS c,
                                                pg_catalog.jsonb_array_elements(c->'grants') AS g
                UNION SELECT v->>'owner' FROM pg_catalog.jsonb_array_elements(adoption->'dependents') AS v) AS w
          JOIN pg_catalog.pg_roles AS r ON pg_catalog.quote_ident(r.rolname) = w.role OR r.rolname = w.role
         WHERE NOT r.rolsuper
           AND NOT EXISTS (SELECT FROM @extschema@.attempt_lock_config AS cfg
                            WHERE pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'id', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'user_id', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'session_id', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'created_at', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'updated_at', 'SELECT')
                              AND pg_catalog.has_column_privilege(r.oid, cfg.source_table, 'result_json', 'SELECT'));
        IF blind IS NOT NULL THEN
            RAISE WARNING 'attempt_lock: % read through the old % but cannot read its source %: the V1 view reads it with its reader''s privileges',
                  blind, adoption->'replaced'->>'name', (SELECT cfg.source_table FROM @extschema@.attempt_lock_config AS cfg)
                  USING HINT = 'GRANT SELECT ON the source table to them (or to a role they are members of), or they get "permission denied" from attempt and the views built on it (docs/ADOPTING.md, "Who may read").';
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_adopt_finish() IS
'attempt_lock internal: in the install script, after the V1 views exist: applies the adopted views'' grants to them and creates the views built on them again. Runs only in the install script.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_adopt_finish() FROM PUBLIC;

-- The way back from an adoption, for a migration's downgrade: the statements that create
-- the adopted views as they were, then the views built on the extension's views as they
-- are now (they read the old view again). Run them after DROP EXTENSION attempt_lock
-- CASCADE, which drops those views (and what else depends on the extension: the index on
-- attempt_student_uuid(user_id) among them), in the same transaction.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_unadopt_statements()
RETURNS TABLE (step pg_catalog.int4, statement pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    adopted pg_catalog.jsonb[];
    replaced pg_catalog.jsonb;
    current_views pg_catalog.jsonb := '[]';
    name pg_catalog.text;
BEGIN
    SELECT pg_catalog.array_agg(h.detail->'replaced' ORDER BY h.at) INTO adopted
      FROM @extschema@.attempt_lock_history AS h WHERE h.action = 'adopt';
    IF adopted IS NULL THEN
        RAISE EXCEPTION 'attempt_lock: no adoption is recorded in attempt_lock_history'
              USING ERRCODE = 'no_data_found',
                    HINT = 'The extension was installed without adopting a view: DROP EXTENSION attempt_lock is the way back.';
    END IF;
    FOREACH name IN ARRAY ARRAY['@extschema@.attempt', '@extschema@.attempt_rejects'] LOOP
        current_views := current_views || (@extschema@.attempt_lock_dependents(name::pg_catalog.regclass)).views;
    END LOOP;
    step := 0;
    FOREACH replaced IN ARRAY adopted LOOP
        FOR statement IN SELECT s FROM @extschema@.attempt_lock_view_statements(replaced) AS s LOOP
            step := step + 1;
            RETURN NEXT;
        END LOOP;
    END LOOP;
    FOR statement IN
        SELECT s FROM pg_catalog.jsonb_array_elements(current_views) WITH ORDINALITY AS v(x, i),
                      LATERAL @extschema@.attempt_lock_view_statements(v.x) AS s
    LOOP
        step := step + 1;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_unadopt_statements() IS
'attempt_lock: the way back from an adoption (a migration''s downgrade): the statements that create the adopted view as it was and then the views now built on attempt, in order. Read them, DROP EXTENSION attempt_lock CASCADE, run them, in one transaction (docs/ADOPTING.md).';

-- CREATE OR REPLACE VIEW cannot change a column's type: the view is dropped and created
-- again under the same name, with the views built on it. Used when a pending install
-- completes with a source whose id is not the uuid it guessed (attempt_rejects.exam_result_id
-- has the source id's type): the views built on it may change type with it.
CREATE OR REPLACE FUNCTION @extschema@.attempt_lock_view_retype(target pg_catalog.regclass, query pg_catalog.text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name pg_catalog.text := target::pg_catalog.text;
    old pg_catalog.jsonb := @extschema@.attempt_lock_view_capture(target);
    dependents record := @extschema@.attempt_lock_dependents(target);
    member pg_catalog.bool;
    statement pg_catalog.text;
BEGIN
    IF dependents.refused IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: the columns of % change type, and objects depend on it', name
              USING ERRCODE = 'dependent_objects_still_exist',
                    DETAIL = pg_catalog.array_to_string(dependents.refused, '; ') || '.',
                    HINT = 'Drop them, SELECT attempt_source_attach(); then create them again.';
    END IF;
    member := EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                       WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = target
                         AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e');
    PERFORM @extschema@.attempt_lock_views_drop(dependents.views);
    -- Outside a script (the maintenance functions) a member is detached before it is
    -- dropped, and joins again once created (in a script, creating it made it one).
    IF member THEN
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock DROP VIEW %s', name);
    END IF;
    EXECUTE pg_catalog.format('DROP VIEW %s', name);
    EXECUTE pg_catalog.format('CREATE VIEW %s WITH (%s) AS %s', name,
                              (SELECT pg_catalog.string_agg(o, ', ') FROM pg_catalog.jsonb_array_elements_text(old->'options') AS o), query);
    IF member AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS d
                               WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = name::pg_catalog.regclass
                                 AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') THEN
        EXECUTE pg_catalog.format('ALTER EXTENSION attempt_lock ADD VIEW %s', name);
    END IF;
    EXECUTE pg_catalog.format('ALTER VIEW %s OWNER TO %I', name, old->>'owner');
    EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', name, old->>'comment');
    FOR statement IN SELECT s FROM @extschema@.attempt_lock_view_statements(old, false) AS s LOOP
        EXECUTE statement;
    END LOOP;
    PERFORM @extschema@.attempt_lock_views_recreate(dependents.views, name, false);
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text) IS
'attempt_lock internal: re-creates a view with a query whose column types differ, keeping its owner, comment, options, grants, extension membership and the views built on it. Not a public API.';
REVOKE ALL ON FUNCTION @extschema@.attempt_lock_view_retype(pg_catalog.regclass, pg_catalog.text) FROM PUBLIC;
