-- What attempt_lock offers, on the demo data.
\pset footer off
\echo '-- CREATE EXTENSION checks exam_results, then installs the native hashes.'
CREATE EXTENSION attempt_lock;
\dx attempt_lock

\echo '-- The hashes are bit-identical to the SQL formulas they replace, and never raise:'
SELECT attempt_id('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10', '1001') AS attempt_id,
       ('x' || substr(md5('5f0c7c1e-4b7a-4a39-9d1e-0c1f3c2b7a10-1001'), 1, 16))::bit(64)::bigint AS sql_formula;
SELECT u AS user_id, attempt_student_uuid(u) AS student_id
  FROM (VALUES ('student-42'), ('ABCDEF01-2345-6789-ABCD-EF0123456789'), (repeat('-', 36))) v(u);

\echo '-- The recommended index turns per-student lookups into index scans:'
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));

\echo '-- The source contract, checked at install and by attempt_health():'
SELECT * FROM attempt_contract();
SELECT version, action, by_role FROM attempt_lock_history;
