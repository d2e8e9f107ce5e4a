-- attempt_health(): the extension, members and view checks, each provoked (in a
-- transaction that rolls back) and seen as warn/fail, in both modes.
\i tests/regress/fixtures/health_setup.sql
SELECT * FROM health_problems();

-- extension: no second version is installed on this server, so the mismatch between the
-- installed and the available version is simulated in the catalog (rolled back).
BEGIN;
UPDATE pg_extension SET extversion = '0.9' WHERE extname = 'attempt_lock';
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'extension';
SELECT "check", status FROM attempt_health(exact => true) WHERE "check" = 'extension';
ROLLBACK;
-- An installed version the server does not ship (newer than the available one, e.g. after
-- the package was downgraded) is a warn as well.
BEGIN;
UPDATE pg_extension SET extversion = '9.9' WHERE extname = 'attempt_lock';
SELECT "check", status, observed, expected FROM attempt_health() WHERE "check" = 'extension';
ROLLBACK;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'extension';

-- members: attempt_rejects detached from the extension under the override.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP VIEW attempt_rejects;
RESET attempt_lock.override;
SELECT "check", status, expected, detail FROM attempt_health() WHERE "check" = 'members';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- members: a function detached.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP FUNCTION attempt_student_uuid(text);
RESET attempt_lock.override;
SELECT "check", status, detail FROM attempt_health() WHERE "check" = 'members';
ROLLBACK;

-- members: an outside object adopted.
BEGIN;
CREATE TABLE health_outside (a int);
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock ADD TABLE health_outside;
RESET attempt_lock.override;
SELECT "check", status, detail FROM attempt_health() WHERE "check" = 'members';
ROLLBACK;

-- view: attempt detached from the extension (it still works: the data checks are ok).
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP VIEW attempt;
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'view';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- view: attempt detached and dropped. attempt_health() does not raise: every check that
-- needs the view reports fail with the reason.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP VIEW attempt;
DROP VIEW attempt;
RESET attempt_lock.override;
SELECT "check", status, detail FROM attempt_health() WHERE status <> 'ok' ORDER BY 1;
SELECT "check", status, detail FROM attempt_health(exact => true) WHERE status <> 'ok' ORDER BY 1;
SELECT count(*) AS checks FROM attempt_health();
ROLLBACK;

-- view: attempt replaced by a table of the same name (detached, dropped, re-created).
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER EXTENSION attempt_lock DROP VIEW attempt;
DROP VIEW attempt;
RESET attempt_lock.override;
CREATE TABLE attempt AS SELECT * FROM attempt_contract();
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'view';
ROLLBACK;

-- After the rollbacks: all ok again.
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
