-- attempt_health_assert(): the deployment gate.

CREATE OR REPLACE FUNCTION @extschema@.attempt_health_assert(
    exact pg_catalog.bool DEFAULT false,
    freshness_warn pg_catalog.interval DEFAULT '1 day',
    freshness_fail pg_catalog.interval DEFAULT '7 days',
    check_role pg_catalog.name DEFAULT NULL)
RETURNS pg_catalog.int4
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    failed pg_catalog.text;
    warned pg_catalog.int4;
BEGIN
    SELECT pg_catalog.string_agg(h."check" || ' (' || COALESCE(h.detail, h.observed, '') || ')', '; ' ORDER BY h."check")
               FILTER (WHERE h.status = 'fail'),
           pg_catalog.count(*) FILTER (WHERE h.status = 'warn')
      INTO failed, warned
      FROM @extschema@.attempt_health(exact, freshness_warn, freshness_fail, check_role) AS h;
    IF failed IS NOT NULL THEN
        RAISE EXCEPTION 'attempt_lock: health check failed: %', failed
              USING ERRCODE = 'object_not_in_prerequisite_state',
                    HINT = 'SELECT * FROM attempt_health() shows every check; docs/OPERATIONS.md has the fix for each.';
    END IF;
    RETURN warned;
END
$$;
COMMENT ON FUNCTION @extschema@.attempt_health_assert(pg_catalog.bool, pg_catalog.interval, pg_catalog.interval, pg_catalog.name) IS
'attempt_lock: deployment gate; raises SQLSTATE 55000 naming every failing attempt_health() check, else returns the number of warnings';

