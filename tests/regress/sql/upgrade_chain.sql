-- Every release path: CREATE EXTENSION VERSION '1.0' then ALTER EXTENSION UPDATE equals a
-- fresh install of the newest version (members, definitions, rows of attempt); a downgrade
-- equals a fresh 1.0; an update rolled back leaves 1.0 intact; the lock stays on and the
-- history records every step.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ECHO none
\set QUIET on
\set results 300
\set questions 20
\set bad 8
\i scripts/sql/generate_exam_results.sql
\i tests/regress/fixtures/upgrade_snapshot.sql
\set QUIET off
\set ECHO all

SELECT version FROM pg_available_extension_versions WHERE name = 'attempt_lock' ORDER BY version;
SELECT source, target, path FROM pg_extension_update_paths('attempt_lock')
 WHERE path IS NOT NULL ORDER BY source, target;

-- Fresh installs of each version.
CREATE EXTENSION attempt_lock VERSION '1.0';
SELECT pg_temp.snapshot('fresh 1.0');
DROP EXTENSION attempt_lock;
CREATE EXTENSION attempt_lock VERSION '1.2';
SELECT pg_temp.snapshot('fresh 1.2');
DROP EXTENSION attempt_lock;
CREATE EXTENSION attempt_lock;
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT pg_temp.snapshot('fresh newest');
DROP EXTENSION attempt_lock;

-- 1.0, then UPDATE: the same as a fresh install of the newest version.
CREATE EXTENSION attempt_lock VERSION '1.0';
ALTER EXTENSION attempt_lock UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT pg_temp.snapshot('1.0 updated');
SELECT label, kind, count(*) FROM pg_temp.snapshots GROUP BY 1, 2 ORDER BY 1, 2;
SELECT * FROM pg_temp.differences('1.0 updated', 'fresh newest');
-- What 1.1 changed (so the comparisons above can see a difference).
SELECT * FROM pg_temp.differences('fresh 1.0', 'fresh newest');
SELECT version, action FROM attempt_lock_history ORDER BY at;
SELECT * FROM attempt_lock_drift();
SELECT "check", status FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL)
 WHERE status = 'fail';

-- The lock is on after the update.
ALTER VIEW attempt RENAME TO attempt_new;

-- Back to 1.2, the previous release: the same as a fresh 1.2, but for attempt_lock_history,
-- which keeps its 1.3 rows and the column and check they need (so from here on the
-- history table differs from a fresh install's).
ALTER EXTENSION attempt_lock UPDATE TO '1.2';
SELECT pg_temp.snapshot('downgraded to 1.2');
SELECT * FROM pg_temp.differences('downgraded to 1.2', 'fresh 1.2');

-- Back to 1.0: the same as a fresh 1.0.
ALTER EXTENSION attempt_lock UPDATE TO '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT pg_temp.snapshot('downgraded');
SELECT * FROM pg_temp.differences('downgraded', 'fresh 1.0');
SELECT version, action FROM attempt_lock_history ORDER BY at;
SELECT * FROM attempt_lock_drift();
ALTER VIEW attempt RENAME TO attempt_old;

-- An update inside a transaction that is rolled back leaves 1.0 intact.
BEGIN;
ALTER EXTENSION attempt_lock UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
ROLLBACK;
SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock';
SELECT pg_temp.snapshot('rolled back');
SELECT * FROM pg_temp.differences('rolled back', 'fresh 1.0');
SELECT count(*) AS history_rows FROM attempt_lock_history;
DROP EXTENSION attempt_lock;
