-- attempt_health()'s checks of access and upkeep: a readers privileges, the recommended index, table statistics.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_access(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('privileges', $q$
        WITH need(what, granted) AS (
            SELECT 'USAGE on schema @extschema@', pg_catalog.has_schema_privilege($7, '@extschema@', 'USAGE')
            UNION ALL SELECT 'SELECT on @extschema@.attempt', pg_catalog.has_table_privilege($7, pg_catalog.to_regclass('@extschema@.attempt'), 'SELECT')
            UNION ALL SELECT 'USAGE on the schema of ' || $2::text,
                             pg_catalog.has_schema_privilege($7, (SELECT c.relnamespace FROM pg_catalog.pg_class AS c WHERE c.oid = $2), 'USAGE')
            UNION ALL SELECT 'SELECT on ' || $2::text || ' (the view is security_invoker)', pg_catalog.has_table_privilege($7, $2, 'SELECT')
            UNION ALL
            SELECT DISTINCT 'EXECUTE on ' || d.refobjid::pg_catalog.regprocedure::text,
                   pg_catalog.has_function_privilege($7, d.refobjid, 'EXECUTE')
              FROM pg_catalog.pg_rewrite AS r
              JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
              JOIN pg_catalog.pg_proc AS p ON p.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
             WHERE r.ev_class = pg_catalog.to_regclass('@extschema@.attempt')
               AND p.pronamespace = '@extschema@'::pg_catalog.regnamespace)
        SELECT CASE WHEN $7 IS NULL THEN 'ok' WHEN pg_catalog.bool_and(n.granted) THEN 'ok' ELSE 'fail' END,
               CASE WHEN $7 IS NULL THEN 'no role given (check_role => ''name'')'
                    ELSE pg_catalog.count(*) FILTER (WHERE n.granted) || ' of ' || pg_catalog.count(*) || ' privileges for role ' || $7 END,
               'every privilege a reader of attempt needs',
               CASE WHEN $7 IS NOT NULL THEN pg_catalog.string_agg('missing ' || n.what, '; ') FILTER (WHERE NOT n.granted) END
          FROM need AS n
         WHERE $7 IS NOT NULL OR n.what LIKE 'USAGE on schema @extschema@' $q$),
    ('recommended_index', $q$
        SELECT CASE WHEN pg_catalog.count(*) > 0 THEN 'ok' ELSE 'warn' END,
               COALESCE(pg_catalog.string_agg(i.indexrelid::pg_catalog.regclass::text, ', '), 'none'),
               'an index on ' || $2::text || ' (attempt_student_uuid(user_id))',
               CASE WHEN pg_catalog.count(*) = 0 THEN 'per-student queries scan everything: CREATE INDEX CONCURRENTLY ON '
                    || $2::text || ' (attempt_student_uuid(user_id))' END
          FROM pg_catalog.pg_index AS i
         WHERE i.indrelid = $2 AND i.indexprs IS NOT NULL AND i.indpred IS NULL
           AND pg_catalog.pg_get_indexdef(i.indexrelid, 1, false) ~ '^(@extschema@\.)?attempt_student_uuid\(user_id\)$' $q$),
    ('statistics', $q$
        WITH parts AS (
            SELECT c.oid AS relid FROM pg_catalog.pg_class AS c WHERE c.oid = $2 AND c.relkind <> 'p'
            UNION
            SELECT t.relid FROM pg_catalog.pg_partition_tree($2) AS t WHERE t.isleaf
        ), s AS (
            SELECT pg_catalog.count(*) AS leaves,
                   pg_catalog.count(*) FILTER (WHERE GREATEST(st.last_analyze, st.last_autoanalyze) IS NULL) AS never,
                   pg_catalog.min(GREATEST(st.last_analyze, st.last_autoanalyze)) AS oldest,
                   COALESCE(pg_catalog.sum(st.n_dead_tup), 0) AS dead,
                   COALESCE(pg_catalog.sum(st.n_live_tup), 0) AS live
              FROM parts AS p LEFT JOIN pg_catalog.pg_stat_all_tables AS st ON st.relid = p.relid)
        SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'ok'
                    WHEN s.leaves = 0 OR s.never > 0 OR s.oldest < pg_catalog.now() - interval '7 days'
                      -- autovacuum's own default trigger: 50 + 20% of the live tuples
                      OR s.dead > 50 + 0.2 * s.live THEN 'warn'
                    ELSE 'ok' END,
               CASE WHEN pg_catalog.pg_is_in_recovery()
                    THEN 'hot standby: table statistics are kept (and judged) on the primary'
                    ELSE pg_catalog.format('last analyze %s; %s dead of %s live tuples%s',
                             CASE WHEN s.never > 0 THEN 'never' ELSE s.oldest::text END, s.dead, s.live,
                             CASE WHEN s.leaves > 1 THEN pg_catalog.format(' (%s partitions, the oldest analyze)', s.leaves)
                                  ELSE '' END) END,
               'analyzed within 7 days; at most 50 + 20% dead tuples',
               'ANALYZE ' || $2::text || ' / VACUUM ' || $2::text || ' if the plan or the counts look stale'
          FROM s $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_access() IS
'attempt_lock internal: the checks of attempt_health() on privileges, the student index and the statistics of the source, in report order, each as (name, query). Not a public API.';
