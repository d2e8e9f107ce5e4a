-- attempt_health(): the column_contract, definition, source_contract and native_functions
-- checks, each provoked (in a transaction that rolls back) and seen as fail, in both modes.
\i tests/regress/fixtures/health_setup.sql
SELECT * FROM health_problems();

-- column_contract: CREATE OR REPLACE VIEW attempt adding a twelfth column, under the
-- override (the eleven columns keep their names, types and values).
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('q.topic_id', 'q.topic_id, 1 AS extra');
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'column_contract';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- column_contract: a column renamed (ALTER VIEW ... RENAME COLUMN under the override).
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER VIEW attempt RENAME COLUMN topic_id TO topic;
RESET attempt_lock.override;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'column_contract';
SELECT * FROM health_problems();
ROLLBACK;

-- definition: same columns, changed rule (hint_used negated), under the override.
BEGIN;
SET LOCAL attempt_lock.override = on;
SELECT health_replace_attempt('q.hint_used,', 'NOT q.hint_used AS hint_used,');
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'definition';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- definition: a view option changed (security_invoker reset: the view would read
-- exam_results with its owner's rights).
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER VIEW attempt RESET (security_invoker);
RESET attempt_lock.override;
SELECT "check", status, detail FROM attempt_health() WHERE "check" = 'definition';
ROLLBACK;

-- definition: attempt_rejects replaced as well.
BEGIN;
SET LOCAL attempt_lock.override = on;
DO $$ BEGIN
    EXECUTE 'CREATE OR REPLACE VIEW attempt_rejects WITH (security_invoker = true) AS '
         || rtrim(pg_get_viewdef('attempt_rejects'::regclass), ';') || ' WHERE r.action = ''dropped''';
END $$;
RESET attempt_lock.override;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'definition';
ROLLBACK;

-- definition: a function of the lock replaced (its body is locked too).
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_lock_override_active() COST 2;
RESET attempt_lock.override;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'definition';
ROLLBACK;

-- source_contract: PostgreSQL allows renaming a column the view reads (the view follows
-- the column), which breaks the contract: the lock refuses it (SQLSTATE 55000) unless the
-- override is on, and then health reports it.
BEGIN;
ALTER TABLE exam_results RENAME COLUMN user_id TO uid;
\echo SQLSTATE :SQLSTATE
ROLLBACK;
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER TABLE exam_results RENAME COLUMN user_id TO uid;
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'source_contract';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- native_functions: attempt_id(text, text) declared VOLATILE, under the override.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_id(text, text) VOLATILE;
RESET attempt_lock.override;
SELECT "check", status, observed, expected, detail FROM attempt_health() WHERE "check" = 'native_functions';
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
ROLLBACK;

-- native_functions: not STRICT, not PARALLEL SAFE.
BEGIN;
SET LOCAL attempt_lock.override = on;
ALTER FUNCTION attempt_student_uuid(text) CALLED ON NULL INPUT;
ALTER FUNCTION attempt_id(uuid, bigint) PARALLEL RESTRICTED;
RESET attempt_lock.override;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'native_functions';
ROLLBACK;

-- native_functions: the declaration is right but the answers are wrong (the native
-- attempt_student_uuid replaced by a SQL function that hashes every input).
BEGIN;
SET LOCAL attempt_lock.override = on;
CREATE OR REPLACE FUNCTION attempt_student_uuid(u text) RETURNS uuid
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$ SELECT md5(u)::uuid $$;
RESET attempt_lock.override;
SELECT "check", status, observed, detail FROM attempt_health() WHERE "check" = 'native_functions';
SELECT * FROM health_problems();
ROLLBACK;

-- After the rollbacks: all ok again.
SELECT * FROM health_problems();
SELECT * FROM health_problems(exact => true);
