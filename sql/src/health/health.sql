-- attempt_health(), the runbook in one call (docs/OPERATIONS.md): runs the checks of the
-- checks_*.sql files beside this one, in report order.
--
-- One row per check. Each check is one query, run in its own subtransaction: a check that
-- cannot run reports `fail` with the reason instead of raising, and nothing here writes,
-- so the function works in a read-only transaction and on a hot standby.
--
-- Estimated mode (the default) reads catalog estimates and a sample of students whose
-- rows are fetched through the student index; exact mode scans everything.
--
-- Each check is a query returning one row (status, observed, expected, detail), run with
-- these parameters: $1 exact (bool), $2 the source table (regclass), $3 freshness_warn,
-- $4 freshness_fail, $5 the scope of the data checks (text), $6 the sampled students
-- (uuid[]), $7 check_role (name), $8 the sample percentage of the source for TABLESAMPLE;
-- {source} in its text is replaced by the source table. A check that reads $2 or {source}
-- fails when there is no source, one that reads $6 when no sample could be drawn.
CREATE OR REPLACE FUNCTION @extschema@.attempt_health(
    exact pg_catalog.bool DEFAULT false,
    freshness_warn pg_catalog.interval DEFAULT '1 day',
    freshness_fail pg_catalog.interval DEFAULT '7 days',
    check_role pg_catalog.name DEFAULT NULL,
    sample_students pg_catalog.int4 DEFAULT 200)
RETURNS TABLE ("check" pg_catalog.text, status pg_catalog.text, observed pg_catalog.text,
               expected pg_catalog.text, detail pg_catalog.text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $health$
DECLARE
    source pg_catalog.regclass;
    students pg_catalog.uuid[];
    sample_percent pg_catalog.float8;
    source_error pg_catalog.text;
    sample_error pg_catalog.text;
    scope pg_catalog.text;
    check_name pg_catalog.text;
    check_query pg_catalog.text;
BEGIN
    BEGIN
        SELECT c.source_table INTO STRICT source FROM @extschema@.attempt_lock_config AS c WHERE c.attached;
    EXCEPTION WHEN no_data_found THEN
        source_error := CASE WHEN EXISTS (SELECT FROM @extschema@.attempt_lock_config)
            THEN 'detached: attempt reads no table since attempt_source_detach(); SELECT attempt_source_attach(); ends it'
            ELSE 'pending: installed before its source table (a restore); it completes itself when @extschema@.exam_results is created, or SELECT attempt_source_attach(''schema.table'');' END;
    WHEN OTHERS THEN
        source_error := 'no source table: cannot read attempt_lock_config: ' || SQLERRM;
    END;

    -- Enough pages for about 1,000 results, at least 0.01% of the table.
    SELECT LEAST(100, GREATEST(0.01, 100.0 * 1000 / GREATEST(1, c.reltuples)))
      INTO sample_percent FROM pg_catalog.pg_class AS c WHERE c.oid = source;

    -- The rows the data checks look at: everything, or every row of a sample of students
    -- (whole students, so attempt_no density and duplicates are exact within them).
    IF exact THEN
        scope := 'all rows';
    ELSIF source IS NULL THEN
        sample_error := source_error;
    ELSE
        BEGIN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.array_agg(s) FROM (SELECT DISTINCT @extschema@.attempt_student_uuid(er.user_id) AS s'
                ' FROM %s AS er TABLESAMPLE SYSTEM ($2) WHERE er.user_id IS NOT NULL LIMIT $1) AS sample', source)
              INTO students USING sample_students, sample_percent;
        EXCEPTION WHEN OTHERS THEN
            sample_error := 'the sample of students could not be drawn: ' || SQLERRM;
        END;
        scope := pg_catalog.format('a sample of %s students (estimated mode; exact => true checks all rows)',
                                   COALESCE(pg_catalog.cardinality(students), 0));
    END IF;

    FOR check_name, check_query IN
        SELECT c."check", c.query
          FROM (SELECT 1 AS g, x.* FROM @extschema@.attempt_health_checks_install() WITH ORDINALITY AS x
                UNION ALL SELECT 2, x.* FROM @extschema@.attempt_health_checks_lock() WITH ORDINALITY AS x
                UNION ALL SELECT 3, x.* FROM @extschema@.attempt_health_checks_data() WITH ORDINALITY AS x
                UNION ALL SELECT 4, x.* FROM @extschema@.attempt_health_checks_access() WITH ORDINALITY AS x
                UNION ALL SELECT 5, x.* FROM @extschema@.attempt_health_checks_store() WITH ORDINALITY AS x) AS c
         ORDER BY c.g, c.ordinality
    LOOP
        IF source IS NULL AND check_query ~ '\$2|\{source\}' THEN
            RETURN QUERY SELECT check_name, 'fail'::text, NULL::text, NULL::text, source_error;
            CONTINUE;
        ELSIF sample_error IS NOT NULL AND check_query ~ '\$6' THEN
            RETURN QUERY SELECT check_name, 'fail'::text, NULL::text, NULL::text, sample_error;
            CONTINUE;
        END IF;
        BEGIN
            RETURN QUERY EXECUTE
                'SELECT ' || pg_catalog.quote_literal(check_name) || '::text, r.* FROM ('
                || pg_catalog.replace(check_query, '{source}', COALESCE(source::pg_catalog.text, '{source}'))
                || ') AS r(status, observed, expected, detail)'
                USING exact, source, freshness_warn, freshness_fail, scope, students, check_role, sample_percent;
        EXCEPTION WHEN OTHERS THEN
            RETURN QUERY SELECT check_name, 'fail'::text, NULL::text, NULL::text,
                                'the check could not run: ' || SQLERRM;
        END;
    END LOOP;
END
$health$;
COMMENT ON FUNCTION @extschema@.attempt_health(pg_catalog.bool, pg_catalog.interval, pg_catalog.interval, pg_catalog.name, pg_catalog.int4) IS
'attempt_lock: the runbook in one call; one row per check (ok/warn/fail) on the lock, the contract and the data. Never raises; read-only. exact => true scans everything, the default samples students';
