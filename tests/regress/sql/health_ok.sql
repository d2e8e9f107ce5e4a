-- attempt_health() on a sound install with clean, fresh data (completed within the last
-- hour), the recommended index, ANALYZE and the default thresholds: every check is ok, in
-- estimated and in exact mode, also in a read-only transaction; attempt_health_assert()
-- returns 0 warnings.
\i tests/regress/fixtures/health_setup.sql

-- Every check, once, all ok.
SELECT "check", status FROM attempt_health() ORDER BY 1;
SELECT "check", status FROM attempt_health(exact => true) ORDER BY 1;
SELECT count(*) AS checks, count(DISTINCT "check") AS distinct_checks FROM attempt_health();

-- The stable parts of what they observed.
SELECT "check", observed, expected FROM attempt_health()
WHERE "check" IN ('extension', 'view', 'column_contract', 'definition', 'source_contract',
                  'native_functions', 'lock_triggers', 'override', 'row_count', 'never_null',
                  'duplicate_ids', 'attempt_no_dense', 'rejects', 'privileges', 'recommended_index')
ORDER BY 1;
SELECT "check", observed FROM attempt_health(exact => true)
WHERE "check" IN ('row_count', 'never_null', 'duplicate_ids', 'attempt_no_dense', 'rejects')
ORDER BY 1;

-- The scope of the data checks: a sample of whole students (all three here), or all rows.
SELECT "check", detail FROM attempt_health()
WHERE "check" IN ('never_null', 'duplicate_ids', 'attempt_no_dense') ORDER BY 1;
SELECT "check", detail FROM attempt_health(exact => true)
WHERE "check" IN ('never_null', 'duplicate_ids', 'attempt_no_dense') ORDER BY 1;
SELECT "check", status, detail FROM attempt_health(sample_students => 1)
WHERE "check" IN ('never_null', 'duplicate_ids', 'attempt_no_dense') ORDER BY 1;

-- Explicit default thresholds, and thresholds that the fresh data meets.
SELECT "check", status, expected FROM attempt_health(freshness_warn => '1 day', freshness_fail => '7 days') WHERE "check" = 'freshness';
SELECT "check", status, expected FROM attempt_health(freshness_warn => '2 hours', freshness_fail => '3 hours') WHERE "check" = 'freshness';

-- attempt_health_assert(): no failure, no warning.
SELECT attempt_health_assert() AS warnings;
SELECT attempt_health_assert(exact => true) AS warnings;

-- Read-only: nothing attempt_health() does writes.
BEGIN READ ONLY;
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
SELECT "check", status FROM attempt_health(exact => true) WHERE status <> 'ok' ORDER BY 1;
SELECT count(*) AS checks FROM attempt_health(exact => true, check_role => 'postgres');
SELECT attempt_health_assert() AS warnings;
SELECT attempt_health_assert(exact => true) AS warnings;
ROLLBACK;
-- The same with read-only as the session default.
SET default_transaction_read_only = on;
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
SELECT "check", status FROM attempt_health(exact => true) WHERE status <> 'ok' ORDER BY 1;
RESET default_transaction_read_only;
-- A session's display styles are no drift (function defaults such as '1 day'::interval
-- print in them).
SET intervalstyle = 'sql_standard';
SET datestyle = 'SQL, DMY';
SET extra_float_digits = 0;
SELECT "check", status FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
RESET intervalstyle;
RESET datestyle;
RESET extra_float_digits;
