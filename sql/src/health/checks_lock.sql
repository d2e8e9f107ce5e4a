-- attempt_health()'s checks of the lock: its event triggers and the emergency override.
-- Each check is a query run by attempt_health() (health.sql says with which parameters).
CREATE OR REPLACE FUNCTION @extschema@.attempt_health_checks_lock(OUT "check" pg_catalog.text, OUT query pg_catalog.text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
SELECT c."check", c.query FROM (VALUES
    ('lock_triggers', $q$
        WITH want(name) AS (VALUES ('attempt_lock_guard_objects'), ('attempt_lock_guard_functions'),
                                   ('attempt_lock_guard_start'), ('attempt_lock_guard_drop'),
                                   ('attempt_lock_watch_source')),
        state AS (
            SELECT w.name, t.evtenabled
              FROM want AS w LEFT JOIN pg_catalog.pg_event_trigger AS t ON t.evtname = w.name)
        SELECT CASE WHEN pg_catalog.count(*) FILTER (WHERE s.evtenabled IS DISTINCT FROM 'O' AND s.evtenabled IS DISTINCT FROM 'A') = 0
                         AND pg_catalog.current_setting('session_replication_role') <> 'replica'
                    THEN 'ok' ELSE 'fail' END,
               pg_catalog.count(*) FILTER (WHERE s.evtenabled IN ('O', 'A')) || ' of ' || pg_catalog.count(*) || ' enabled; session_replication_role = '
                   || pg_catalog.current_setting('session_replication_role'),
               'every one enabled; session_replication_role <> replica',
               pg_catalog.string_agg(s.name || CASE WHEN s.evtenabled IS NULL THEN ' is missing' ELSE ' is disabled (' || s.evtenabled::pg_catalog.text || ')' END,
                                     '; ' ORDER BY s.name) FILTER (WHERE s.evtenabled IS DISTINCT FROM 'O' AND s.evtenabled IS DISTINCT FROM 'A')
          FROM state AS s $q$),
    ('override', $q$
        WITH uses AS (SELECT * FROM @extschema@.attempt_lock_override_uses())
        SELECT CASE WHEN pg_catalog.current_setting('attempt_lock.override', true) = 'on' THEN 'fail'
                    WHEN u.recent > 0 THEN 'warn' ELSE 'ok' END,
               pg_catalog.format('override %s in this session; %s uses since the last install/update, %s in all',
                                 COALESCE(pg_catalog.current_setting('attempt_lock.override', true), 'off'),
                                 u.recent, u.total),
               'off, no uses since the last install/update',
               CASE WHEN u.recent > 0 THEN 'see attempt_lock_override_log; the definition check shows what changed' END
          FROM uses AS u $q$)
) AS c("check", query);
END;
COMMENT ON FUNCTION @extschema@.attempt_health_checks_lock() IS
'attempt_lock internal: the checks of attempt_health() on whether the lock is armed, in report order, each as (name, query). Not a public API.';
