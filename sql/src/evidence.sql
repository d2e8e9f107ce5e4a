-- attempt_evidence_report(): the staging-evidence template, filled in by the database.

-- The staging-evidence template, filled from the database itself.
CREATE OR REPLACE FUNCTION @extschema@.attempt_evidence_report(exact pg_catalog.bool DEFAULT true)
RETURNS pg_catalog.text
LANGUAGE plpgsql VOLATILE  -- EXPLAIN is refused in non-volatile functions; nothing is written
SET search_path = pg_catalog, pg_temp
AS $report$
DECLARE
    report pg_catalog.text;
    section pg_catalog.text;
    heading pg_catalog.text;
    line pg_catalog.text;
    sample_student pg_catalog.uuid;
    fails pg_catalog.text;
    warns pg_catalog.text;
BEGIN
    report := pg_catalog.format(E'# attempt_lock staging evidence\n\nDatabase `%s` on %s, generated %s by `%s`.\n\n',
        pg_catalog.current_database(), pg_catalog.version(), pg_catalog.now()::pg_catalog.text, CURRENT_USER);

    -- Each section renders on its own: one that cannot (the view is gone, say) says why,
    -- counts as a failure, and the report still reaches its decision.
    FOREACH heading IN ARRAY ARRAY['1. Version and install/update history', '2. Column contract',
                                   '3. Sample rows (latest 5)', '4. Row count', '5. Determinism',
                                   '6. Health (attempt_health())', '7. Per-student query plan'] LOOP
        BEGIN
            CASE pg_catalog.left(heading, 1)
            WHEN '1' THEN
                section := E'| version | action | at | by |\n|---|---|---|---|\n'
                    || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s |\n', h.version, h.action, h.at, h.by_role), '' ORDER BY h.at)
                                   FROM @extschema@.attempt_lock_history AS h), '')
                    || pg_catalog.format(E'\nInstalled version: %s.\n',
                                         (SELECT e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = 'attempt_lock'));
            WHEN '2' THEN
                section := E'| # | column | type | never NULL | in the view |\n|---|---|---|---|---|\n'
                    || (SELECT pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s | %s |\n', w."position", w.column_name, w.data_type,
                                   CASE WHEN w.never_null THEN 'yes' ELSE 'no' END,
                                   CASE WHEN a.attnum = w."position" AND pg_catalog.format_type(a.atttypid, NULL) = w.data_type
                                        THEN 'ok' ELSE 'MISMATCH' END), '' ORDER BY w."position")
                          FROM @extschema@.attempt_contract() AS w
                          LEFT JOIN pg_catalog.pg_attribute AS a
                            ON a.attrelid = '@extschema@.attempt'::pg_catalog.regclass AND a.attname = w.column_name AND NOT a.attisdropped);
            WHEN '3' THEN
                section := E'| id | student_id | item_id | correct | response_time_ms | hint_used | completed_at | attempt_no | topic_id |\n|---|---|---|---|---|---|---|---|---|\n'
                    || COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n',
                                           s.id, s.student_id, s.item_id, s.correct, s.response_time_ms, s.hint_used, s.completed_at,
                                           s.attempt_no, COALESCE(s.topic_id, '')), '' ORDER BY s.completed_at DESC, s.id)
                                   FROM (SELECT * FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 5) AS s), E'(no rows)\n');
            WHEN '4' THEN
                section := pg_catalog.format(E'%s rows in attempt; %s rejects listed in attempt_rejects.\n',
                    (SELECT pg_catalog.count(*) FROM @extschema@.attempt), (SELECT pg_catalog.count(*) FROM @extschema@.attempt_rejects));
            WHEN '5' THEN
                section := pg_catalog.format(E'The latest 1000 rows, read twice, differ in %s rows and hold %s duplicate ids; '
                    'the native hashes pass their known-answer self-test (native_functions below).\n',
                    (SELECT pg_catalog.count(*) FROM ((SELECT * FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 1000)
                                                      EXCEPT ALL (SELECT * FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 1000)) AS d),
                    (SELECT pg_catalog.count(*) - pg_catalog.count(DISTINCT s.id)
                       FROM (SELECT id FROM @extschema@.attempt ORDER BY completed_at DESC, id LIMIT 1000) AS s));
            WHEN '6' THEN
                SELECT E'| check | status | observed | expected | detail |\n|---|---|---|---|---|\n'
                       || pg_catalog.string_agg(pg_catalog.format(E'| %s | %s | %s | %s | %s |\n', h."check", h.status,
                              pg_catalog.replace(COALESCE(h.observed, ''), '|', '\|'),
                              pg_catalog.replace(COALESCE(h.expected, ''), '|', '\|'),
                              pg_catalog.replace(COALESCE(h.detail, ''), '|', '\|')), ''),
                       pg_catalog.string_agg(h."check", ', ') FILTER (WHERE h.status = 'fail'),
                       pg_catalog.string_agg(h."check", ', ') FILTER (WHERE h.status = 'warn')
                  INTO section, fails, warns
                  FROM @extschema@.attempt_health(exact, NULL, NULL) AS h;
            ELSE
                SELECT a.student_id INTO sample_student FROM @extschema@.attempt AS a ORDER BY a.completed_at DESC, a.id LIMIT 1;
                section := E'```\n';
                FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT * FROM @extschema@.attempt WHERE student_id = $1'
                                    ' AND completed_at >= pg_catalog.now() - interval ''30 days''' USING sample_student LOOP
                    -- The parser's inlined expressions make long lines; the plan shape is what matters.
                    section := section || pg_catalog.left(pg_catalog.regexp_replace(line, '[[:cntrl:]]+', ' ', 'g'), 120) || E'\n';
                END LOOP;
                section := section || E'```\n';
            END CASE;
        EXCEPTION WHEN OTHERS THEN
            section := E'(could not be rendered: ' || SQLERRM || E')\n';
            fails := COALESCE(fails || ', ', '') || 'report section ' || pg_catalog.left(heading, 1);
        END;
        report := report || '## ' || heading || E'\n\n' || section || E'\n';
    END LOOP;

    report := report || E'## 8. Decision\n\n' || CASE
        WHEN fails IS NOT NULL THEN '**NO-GO**: failing: ' || fails || '.'
        WHEN warns IS NOT NULL THEN '**GO WITH NOTES**: warnings: ' || warns || '.'
        ELSE '**GO**: every check is ok.' END || E'\n';
    RETURN report;
END
$report$;
COMMENT ON FUNCTION @extschema@.attempt_evidence_report(pg_catalog.bool) IS
'attempt_lock: the staging-evidence report as Markdown (version and history, column contract, sample rows, row count, determinism, health, per-student plan, go/no-go); freshness is not judged (staging data may be old)';

