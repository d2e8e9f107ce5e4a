-- attempt_health()'s checks of the incremental store: off, or on and exact (warn: stale, and
-- attempt computes its rows meanwhile).
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_store(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('store', $q$
        SELECT CASE WHEN pg_catalog.count(*) FILTER (WHERE p.severity = 'fail') > 0 THEN 'fail'
                    WHEN pg_catalog.count(p.problem) > 0 THEN 'warn' ELSE 'ok' END,
               CASE WHEN pg_catalog.to_regclass('attempt_lock_store.attempt_store') IS NULL THEN 'off'
                    WHEN pg_catalog.count(*) FILTER (WHERE p.problem = 'stale') > 0 THEN 'on, stale'
                    ELSE 'on' END
                 || CASE WHEN pg_catalog.count(p.problem) FILTER (WHERE p.problem <> 'stale') > 0
                         THEN ', ' || pg_catalog.count(p.problem) FILTER (WHERE p.problem <> 'stale') || ' problems' ELSE '' END,
               'off, or on and identical to the computed definition',
               pg_catalog.string_agg(p.problem || ': ' || p.row_count || ' (' || p.detail || ')', '; ')
          FROM @extschema@.attempt_store_sync_problems($1, GREATEST(pg_catalog.cardinality($6), 200)) AS p $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_store() IS
'attempt_lock internal: the checks of attempt_health() on the incremental store, in report order, each as (name, query). Not a public API.';
