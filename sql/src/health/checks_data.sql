-- attempt_health()'s checks of the data: row count, freshness, NULLs in never-NULL columns, duplicate ids, attempt_no density, rejects.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_data(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('row_count', $q$
        SELECT CASE WHEN n > 0 THEN 'ok' ELSE 'warn' END,
               CASE WHEN $1 THEN n::text ELSE 'about ' || n::text END,
               'more than 0 rows',
               CASE WHEN n = 0 THEN 'attempt is empty' WHEN NOT $1 THEN 'estimate: source rows (catalog) x questions per result (sample)' END
          FROM (SELECT CASE WHEN $1 THEN (SELECT pg_catalog.count(*) FROM @extschema@.attempt)
                            ELSE (SELECT pg_catalog.round(CASE WHEN c.reltuples >= 0 THEN c.reltuples  -- -1: never analyzed
                                                                    ELSE (SELECT pg_catalog.count(*) FROM {source}) END
                                         * COALESCE((SELECT pg_catalog.avg(pg_catalog.jsonb_array_length(er.result_json -> 'questions'))
                                                                  FROM {source} AS er TABLESAMPLE SYSTEM ($8)
                                                                 WHERE pg_catalog.jsonb_typeof(er.result_json -> 'questions') = 'array'), 0))::bigint
                                    FROM pg_catalog.pg_class AS c WHERE c.oid = $2) END AS n) AS count $q$),
    ('freshness', $q$
        SELECT CASE WHEN m.future > 0 THEN 'warn'
                    WHEN m.latest IS NULL THEN 'warn'
                    WHEN $4 IS NOT NULL AND pg_catalog.now() - m.latest > $4 THEN 'fail'
                    WHEN $3 IS NOT NULL AND pg_catalog.now() - m.latest > $3 THEN 'warn' ELSE 'ok' END,
               COALESCE('latest completed_at ' || m.latest::text || ', age '
                        || (pg_catalog.date_trunc('second', pg_catalog.now() - m.latest))::text, 'no rows'),
               pg_catalog.format('age under %s (warn) / %s (fail)', COALESCE($3::text, 'no limit'), COALESCE($4::text, 'no limit')),
               CASE WHEN m.future > 0 THEN m.future || ' results are dated in the future (up to '
                         || m.furthest::text || '); they do not count as fresh' END
          FROM (SELECT pg_catalog.max(c.at) FILTER (WHERE c.at <= pg_catalog.now()) AS latest,
                       pg_catalog.count(*) FILTER (WHERE c.at > pg_catalog.now()) AS future,
                       pg_catalog.max(c.at) AS furthest
                  FROM (SELECT COALESCE(er.updated_at, er.created_at) AS at FROM {source} AS er) AS c) AS m $q$),
    ('never_null', $q$
        SELECT CASE WHEN n = 0 THEN 'ok' ELSE 'fail' END, n || ' rows with a NULL in a never-NULL column',
               '0', 'checked: ' || $5
          FROM (SELECT pg_catalog.count(*) AS n FROM @extschema@.attempt AS a
                 WHERE ($1 OR a.student_id = ANY ($6))
                   AND (a.id IS NULL OR a.student_id IS NULL OR a.item_id IS NULL OR a.correct IS NULL
                        OR a.response_time_ms IS NULL OR a.hint_used IS NULL OR a.completed_at IS NULL
                        OR a.started_at IS NULL OR a.attempt_no IS NULL)) AS x $q$),
    ('duplicate_ids', $q$
        SELECT CASE WHEN n = 0 THEN 'ok' ELSE 'fail' END, n || ' duplicate ids', '0',
               CASE WHEN n > 0 THEN 'a 64-bit id collision or a duplicated exam_results id; SELECT id, count(*) FROM attempt GROUP BY 1 HAVING count(*) > 1. '
                    ELSE '' END || 'checked: ' || $5
          FROM (SELECT pg_catalog.count(*) - pg_catalog.count(DISTINCT a.id) AS n FROM @extschema@.attempt AS a
                 WHERE $1 OR a.student_id = ANY ($6)) AS x $q$),
    ('attempt_no_dense', $q$
        SELECT CASE WHEN n = 0 THEN 'ok' ELSE 'fail' END, n || ' (student_id, item_id) groups not numbered 1..n', '0',
               'checked: ' || $5
          FROM (SELECT pg_catalog.count(*) AS n FROM (
                    SELECT 1 FROM @extschema@.attempt AS a
                     WHERE $1 OR a.student_id = ANY ($6)
                     GROUP BY a.student_id, a.item_id
                    HAVING pg_catalog.min(a.attempt_no) <> 1 OR pg_catalog.max(a.attempt_no) <> pg_catalog.count(*)
                        OR pg_catalog.count(DISTINCT a.attempt_no) <> pg_catalog.count(*)) AS g) AS x $q$),
    ('rejects', $q$
        SELECT CASE WHEN pg_catalog.count(*) = 0 THEN 'ok' ELSE 'warn' END,
               pg_catalog.format('%s dropped, %s defaulted%s', pg_catalog.count(*) FILTER (WHERE r.action = 'dropped'),
                                 pg_catalog.count(*) FILTER (WHERE r.action = 'defaulted'),
                                 CASE WHEN $1 THEN '' ELSE ' (in a sample of results)' END),
               '0 (bad input is dropped or defaulted, never silently)',
               CASE WHEN pg_catalog.count(*) > 0 THEN 'SELECT * FROM attempt_rejects; top reasons: '
                    || (SELECT pg_catalog.string_agg(t.reason || ' x' || t.n, ', ' ORDER BY t.n DESC, t.reason)
                          FROM (SELECT r2.reason, pg_catalog.count(*) AS n FROM pg_catalog.unnest(pg_catalog.array_agg(r.reason)) AS r2(reason)
                                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3) AS t) END
          FROM @extschema@.attempt_rejects AS r
         WHERE $1 OR r.exam_result_id IN (SELECT er.id FROM {source} AS er TABLESAMPLE SYSTEM ($8)) $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_data() IS
'attempt_lock internal: the checks of attempt_health() on the rows of attempt and attempt_rejects, in report order, each as (name, query). Not a public API.';
