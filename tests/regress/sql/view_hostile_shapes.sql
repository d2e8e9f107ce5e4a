-- Hostile shapes view_contract's random data does not reach: JSON nested 5,000 deep,
-- numbers at numeric's limits (1e131071, 1e-16383), numeric-looking and NaN-like strings,
-- non-ASCII digits, emoji and other multi-byte text, duplicate keys, near-miss key names,
-- top-level scalars, a 10,000-element questions array, 1 MB topics and user ids, 2,000
-- generated near-UUID user ids, NULL and infinite timestamps. attempt, attempt_rejects,
-- attempt_health() and attempt_evidence_report() never raise; attempt and
-- attempt_rejects equal the pure-SQL reference (fixtures/reference_attempt.sql); the kept
-- rows obey the contract, recomputed from the source.
SET client_min_messages = warning;
\set ECHO none
\set QUIET on
\i tests/regress/fixtures/exam_results.sql
SELECT setseed(0.0909);

-- Named cases: one result each, id = md5(label).
CREATE TEMP TABLE cases (label text PRIMARY KEY, user_id text, created_at timestamptz,
                         updated_at timestamptz, result_json jsonb);
INSERT INTO cases VALUES
  ('deep element',       'u-deep',  '2026-01-01', NULL, jsonb_build_object('questions', (repeat('[', 5000) || '1' || repeat(']', 5000))::jsonb)),
  ('deep in array',      'u-deep',  '2026-01-02', NULL, jsonb_build_object('questions', jsonb_build_array((repeat('[', 4000) || repeat(']', 4000))::jsonb, jsonb_build_object('question_id', 1)))),
  ('deep question_id',   'u-deep',  '2026-01-03', NULL, jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', (repeat('[', 4000) || '7' || repeat(']', 4000))::jsonb), jsonb_build_object('question_id', 2)))),
  ('deep fields',        'u-deep',  '2026-01-04', NULL, jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', 3,
        'is_correct', (repeat('{"a":', 3000) || 'true' || repeat('}', 3000))::jsonb,
        'time_spent_sec', (repeat('[', 3000) || '5' || repeat(']', 3000))::jsonb,
        'used_hints', (repeat('[', 3000) || repeat(']', 3000))::jsonb,
        'topic', (repeat('{"t":', 3000) || '"x"' || repeat('}', 3000))::jsonb)))),
  ('numeric limits',     'u-num',   '2026-01-05', NULL, ('{"questions": ['
        '{"question_id": 1e131071}, {"question_id": -1e131071}, {"question_id": 1e-16383},'
        '{"question_id": 4, "time_spent_sec": 1e131071, "used_hints": 1e131071},'
        '{"question_id": 5, "time_spent_sec": 1e-16383, "used_hints": 1e-16383},'
        '{"question_id": 6, "time_spent_sec": -1e131071, "used_hints": -1e131071},'
        '{"question_id": 7, "time_spent_sec": 2147483.4999999999999999999, "used_hints": 1.0000000000000000000001},'
        '{"question_id": 8, "time_spent_sec": 2147483.5, "used_hints": 100000000000000000000000000000},'
        '{"question_id": 9223372036854775807.000000000000000}, {"question_id": -9223372036854775808.0},'
        '{"question_id": 9223372036854775807.0000000000000000001}, {"question_id": 1E18}, {"question_id": 1e19}]}')::jsonb),
  ('numeric strings',    'u-str',   '2026-01-06', NULL, ('{"questions": ['
        '{"question_id": "NaN"}, {"question_id": "Infinity"}, {"question_id": "-Infinity"}, {"question_id": "inf"},'
        '{"question_id": "0x1F"}, {"question_id": "1_000"}, {"question_id": "1e2"}, {"question_id": "+1"},'
        '{"question_id": "١٢"}, {"question_id": "１２"}, {"question_id": "12\u0001"},'
        '{"question_id": "' || repeat('0', 10000) || '9223372036854775807"},'
        '{"question_id": "' || repeat('0', 10000) || '9223372036854775808"},'
        '{"question_id": "' || repeat('9', 10000) || '"},'
        '{"question_id": 10, "time_spent_sec": "NaN", "used_hints": "Infinity", "is_correct": "NaN"},'
        '{"question_id": 11, "time_spent_sec": "-Infinity", "used_hints": "1e400", "correct": "true"},'
        '{"question_id": 12, "time_spent_sec": "12", "used_hints": "1"}]}')::jsonb),
  ('unicode',            'ünïcødé 🎓 ‮רוני‬ ​', '2026-01-07', NULL, ('{"questions": ['
        '{"question_id": 1, "topic": "🎓 álgebra ‮ltr‬"}, {"question_id": 2, "topic": "\u200b"},'
        '{"question_id": 3, "topic": "\ud83d\ude00"}, {"question_id": 4, "topic": "e\u0301"},'
        '{"question_id": 5, "tópic": "x", "quéstion_id": 6}, {"quéstion_id": 7}]}')::jsonb),
  ('keys',               'u-keys',  '2026-01-08', NULL, ('{"questions": ['
        '{"question_id": 1, "question_id": "x"}, {"question_id": "x", "question_id": 2},'
        '{"Question_ID": 3}, {"question_id ": 4}, {" question_id": 5}, {"questionid": 6},'
        '{"question_id": 7, "is_correct": null, "correct": true}, {"question_id": 8, "is_correct": false, "correct": true},'
        '{"question_id": 9, "is_correct": "false", "correct": false}, {"question_id": 10, "topic": null, "used_hints": null, "time_spent_sec": null}]}')::jsonb),
  -- Element objects of 0 to 80 other keys around the six fields (some sorting before and
  -- some after them), so their JEntries cross the offset strides (every 32 entries) that
  -- the native parser's one pass over an object must follow.
  ('wide objects',       'u-wide',  '2026-01-08 12:00', NULL, (SELECT jsonb_build_object('questions', jsonb_agg(o ORDER BY n)) FROM (
        SELECT n, COALESCE((SELECT jsonb_object_agg('k' || lpad(k::text, 3, '0') || repeat('x', k % 7), k) FROM generate_series(1, n) k), '{}')
                  || jsonb_build_object('question_id', 100 + n, 'is_correct', n % 2 = 0, 'time_spent_sec', n * 1.2345,
                                        'used_hints', n % 3, 'topic', 't' || n, repeat('z', 20 + n % 5), repeat('y', n)) AS o
          FROM generate_series(0, 80) n) AS w)),
  ('empty objects',      'u-empty', '2026-01-09', NULL, '{"questions": [{}, {}, {"": 1}, {"question_id": {}}, {"question_id": []}, {"question_id": 1, "topic": {}}]}'),
  ('empty questions',    'u-empty', '2026-01-09', NULL, '{"questions": []}'),
  ('empty result',       'u-empty', '2026-01-09', NULL, '{}'),
  ('json null result',   'u-empty', '2026-01-09', NULL, 'null'),
  ('json string result', 'u-empty', '2026-01-09', NULL, '"questions"'),
  ('json number result', 'u-empty', '2026-01-09', NULL, '1e400'),
  ('json array result',  'u-empty', '2026-01-09', NULL, '[{"questions": [{"question_id": 1}]}]'),
  ('questions object',   'u-empty', '2026-01-09', NULL, '{"questions": {"0": {"question_id": 1}}}'),
  ('questions string',   'u-empty', '2026-01-09', NULL, '{"questions": "[{\"question_id\": 1}]"}'),
  ('nested questions',   'u-empty', '2026-01-09', NULL, '{"result": {"questions": [{"question_id": 1}]}}'),
  ('big array',          'u-big',   '2026-01-10', NULL, (SELECT jsonb_build_object('questions', jsonb_agg(jsonb_build_object('question_id', n % 9900, 'is_correct', n % 2 = 0, 'time_spent_sec', n / 1000.0)))
                                                           FROM generate_series(1, 10000) AS n)),
  ('huge topic',         'u-big',   '2026-01-11', NULL, jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', 1, 'topic', repeat('т', 1000000))))),
  ('huge user',          repeat('x', 1000000), '2026-01-12', NULL, '{"questions": [{"question_id": 1}]}'),
  ('5000-char user',     repeat('é', 5000), '2026-01-12', NULL, '{"questions": [{"question_id": 1}]}'),
  ('null user',          NULL,      '2026-01-13', NULL, '{"questions": [{"question_id": 1}]}'),
  ('blank user',         E' \t\n\r\f\x0b ', '2026-01-13', NULL, '{"questions": [{"question_id": 1}]}'),
  ('nbsp user',          E'\u00a0', '2026-01-13', NULL, '{"questions": [{"question_id": 1}]}'),
  ('null timestamps',    'u-time',  NULL, NULL, '{"questions": [{"question_id": 1}]}'),
  ('updated only',       'u-time',  NULL, '2026-01-14', '{"questions": [{"question_id": 1, "time_spent_sec": 2147483}]}'),
  ('infinity',           'u-time',  'infinity', NULL, '{"questions": [{"question_id": 1, "time_spent_sec": 10}]}'),
  ('minus infinity',     'u-time',  '-infinity', 'infinity', '{"questions": [{"question_id": 2, "time_spent_sec": 10}]}'),
  ('oldest',             'u-time',  '4714-11-24 00:00:00+00 BC', NULL, '{"questions": [{"question_id": 3, "time_spent_sec": 1}]}'),
  ('newest',             'u-time',  '294276-12-31 23:59:59.999999+00', NULL, '{"questions": [{"question_id": 4, "time_spent_sec": 2147483}]}');

-- 2,000 near-UUID user ids: a UUID spelled in random case with hyphens after random groups
-- of four (sometimes in braces), then 0..2 random edits from hex digits, hyphens and near
-- misses. Each gets one result with two questions.
CREATE TEMP TABLE near_uuids AS
WITH spelled AS (
    SELECT g, (SELECT string_agg(CASE WHEN random() < 0.5 THEN upper(substr(h, 4 * k + 1, 4)) ELSE substr(h, 4 * k + 1, 4) END
                                 || CASE WHEN k < 7 AND random() < 0.55 THEN '-' ELSE '' END, '' ORDER BY k)
               FROM generate_series(0, 7) AS k) AS u
    FROM (SELECT g, md5('near' || g) AS h FROM generate_series(1, 2000) AS g) AS s),
braced AS (SELECT g, CASE WHEN random() < 0.05 THEN '{' || u || '}' ELSE u END AS u FROM spelled),
edited AS (
    SELECT g, u, floor(random() * 3)::int AS edits FROM braced)
SELECT g, (SELECT CASE WHEN e.edits = 0 THEN e.u ELSE
           (WITH RECURSIVE ed(n, s) AS (
               SELECT 0, e.u
               UNION ALL
               SELECT n + 1, (SELECT CASE k WHEN 0 THEN overlay(ed.s PLACING c FROM p FOR 1)
                                            WHEN 1 THEN overlay(ed.s PLACING c FROM p FOR 0)
                                            ELSE overlay(ed.s PLACING '' FROM p FOR 1) END
                              FROM (SELECT floor(random() * 3)::int AS k,
                                           1 + floor(random() * length(ed.s))::int AS p,
                                           substr('0aF-g{ é٣', 1 + floor(random() * 9)::int, 1) AS c) AS r)
               FROM ed WHERE n < e.edits)
            SELECT s FROM ed ORDER BY n DESC LIMIT 1) END) AS user_id
FROM edited AS e;

INSERT INTO exam_results (id, user_id, session_id, created_at, updated_at, result_json)
SELECT md5(label)::uuid, user_id, label, created_at, updated_at, result_json FROM cases
UNION ALL
SELECT md5('near-result' || g)::uuid, user_id, NULL, '2026-02-01'::timestamptz + g * interval '1 second', NULL,
       jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', g % 3, 'is_correct', true),
                                                         jsonb_build_object('question_id', 100 + g % 2, 'time_spent_sec', g % 7)))
FROM near_uuids;

CREATE EXTENSION attempt_lock;
CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id));
ANALYZE exam_results;
\i tests/regress/fixtures/reference_attempt.sql
\set QUIET off
\set ECHO all

-- Nothing raises.
CREATE TEMP TABLE got_attempt AS SELECT * FROM attempt;
CREATE TEMP TABLE got_rejects AS SELECT * FROM attempt_rejects;
SELECT count(*) AS health_checks, count(*) FILTER (WHERE status = 'fail') AS failing
  FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL);
SELECT count(*) AS health_checks, count(*) FILTER (WHERE status = 'fail') AS failing
  FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL);
SELECT "check", status FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL)
 WHERE status <> 'ok' ORDER BY 1;
SELECT attempt_health_assert(exact => true, freshness_warn => NULL, freshness_fail => NULL) AS warnings;
SELECT length(attempt_evidence_report()) > 0 AS report_rendered,
       attempt_evidence_report() LIKE '%could not be rendered%' AS a_section_failed;

-- Equal to the reference, both ways.
CREATE TEMP TABLE ref_attempt AS SELECT * FROM ref.attempt_rows();
CREATE TEMP TABLE ref_rejects AS SELECT * FROM ref.reject_rows();
SELECT (SELECT count(*) FROM got_attempt) AS attempts,
       (SELECT count(*) FROM (SELECT * FROM got_attempt EXCEPT ALL SELECT * FROM ref_attempt) d) AS attempt_not_in_ref,
       (SELECT count(*) FROM (SELECT * FROM ref_attempt EXCEPT ALL SELECT * FROM got_attempt) d) AS ref_not_in_attempt,
       (SELECT count(*) FROM got_rejects) AS rejects,
       (SELECT count(*) FROM (SELECT * FROM got_rejects EXCEPT ALL SELECT * FROM ref_rejects) d) AS rejects_not_in_ref,
       (SELECT count(*) FROM (SELECT * FROM ref_rejects EXCEPT ALL SELECT * FROM got_rejects) d) AS ref_not_in_rejects;

-- The contract, recomputed from the source: every kept row's id and student_id, its
-- completed_at and started_at, the ranges, and attempt_no dense per (student, item).
CREATE TEMP TABLE source_elements AS
SELECT er.id AS exam_result_id, er.user_id, COALESCE(er.updated_at, er.created_at) AS source_completed_at,
       attempt_id(er.id, (ref.question_id(a.e)).item) AS id
  FROM exam_results er
 CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(er.result_json -> 'questions') = 'array'
                                              THEN er.result_json -> 'questions' END) AS a(e)
 WHERE jsonb_typeof(a.e) = 'object';
CREATE TEMP TABLE kept AS
SELECT DISTINCT ON (a.id) s.exam_result_id, s.user_id, s.source_completed_at, a.*
  FROM got_attempt a JOIN source_elements s ON s.id = a.id;
SELECT (SELECT count(*) FROM got_attempt) - (SELECT count(*) FROM kept) AS rows_without_their_result,
       count(*) FILTER (WHERE student_id IS DISTINCT FROM attempt_student_uuid(user_id)) AS wrong_student,
       count(*) FILTER (WHERE id IS DISTINCT FROM attempt_id(exam_result_id::text, item_id::text)) AS wrong_id_text_form,
       count(*) FILTER (WHERE completed_at IS DISTINCT FROM source_completed_at) AS wrong_completed_at,
       count(*) FILTER (WHERE started_at IS DISTINCT FROM completed_at - response_time_ms * interval '1 millisecond') AS wrong_started_at,
       count(*) FILTER (WHERE response_time_ms NOT BETWEEN 0 AND 2147483000) AS time_out_of_range,
       count(*) FILTER (WHERE user_id IS NULL OR btrim(user_id, E' \t\n\r\f\x0b') = '') AS blank_user_kept,
       count(*) FILTER (WHERE topic_id = '') AS empty_topic
  FROM kept;
SELECT count(*) FILTER (WHERE id IS NULL OR student_id IS NULL OR item_id IS NULL OR correct IS NULL
                          OR response_time_ms IS NULL OR hint_used IS NULL OR completed_at IS NULL
                          OR started_at IS NULL OR attempt_no IS NULL) AS null_in_not_null_columns,
       count(*) - count(DISTINCT id) AS duplicate_ids
  FROM got_attempt;
SELECT count(*) AS attempt_no_not_dense
  FROM (SELECT student_id, item_id FROM got_attempt GROUP BY 1, 2
        HAVING min(attempt_no) <> 1 OR max(attempt_no) <> count(*) OR count(DISTINCT attempt_no) <> count(*)) AS g;

-- Per case: kept rows, dropped and defaulted entries (big array: 10,000 elements, 9,900
-- distinct question_ids, the first occurrence of each kept). Only 100 duplicates: with
-- thousands, a whole-table scan of attempt_rejects took minutes in 1.1 (a Memoize over
-- its unpivot, replaced in 1.2; docs/SECURITY.md section 5).
SELECT c.label,
       (SELECT count(*) FROM kept k WHERE k.exam_result_id = md5(c.label)::uuid) AS kept,
       (SELECT count(*) FROM got_rejects r WHERE r.exam_result_id = md5(c.label)::uuid AND r.action = 'dropped') AS dropped,
       (SELECT count(*) FROM got_rejects r WHERE r.exam_result_id = md5(c.label)::uuid AND r.action = 'defaulted') AS defaulted
  FROM cases c ORDER BY c.label;

-- What each odd value became (kept rows of the small cases).
SELECT c.label, k.item_id, k.correct, k.response_time_ms, k.hint_used, left(k.topic_id, 20) AS topic,
       k.completed_at, k.started_at
  FROM cases c JOIN kept k ON k.exam_result_id = md5(c.label)::uuid
 WHERE c.label IN ('numeric limits', 'numeric strings', 'unicode', 'keys', 'empty objects', 'deep fields',
                   'deep in array', 'deep question_id', 'updated only', 'infinity', 'minus infinity', 'oldest', 'newest')
 ORDER BY c.label, k.item_id;
SELECT c.label, r."position", left(r.question_id, 24) AS question_id, r.field, r.reason, r.action
  FROM cases c JOIN got_rejects r ON r.exam_result_id = md5(c.label)::uuid
 WHERE c.label NOT IN ('big array')
 ORDER BY c.label, r."position", r.field;

-- The near-UUID users: both branches reached, student_id equal to the reference SQL
-- (which raises where uuid_in refuses; there the contract says md5).
CREATE FUNCTION pg_temp.ref_student_uuid(u text) RETURNS uuid LANGUAGE plpgsql AS $$
BEGIN
    RETURN CASE WHEN u ~* '^[0-9a-fA-F-]{36}$' THEN u::uuid ELSE md5(u)::uuid END;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN md5(u)::uuid;
END $$;
SELECT count(*) AS near_uuid_users,
       count(*) FILTER (WHERE attempt_student_uuid(user_id) <> md5(user_id)::uuid) AS kept_as_uuid,
       count(*) FILTER (WHERE user_id ~* '^[0-9a-fA-F-]{36}$' AND attempt_student_uuid(user_id) = md5(user_id)::uuid) AS uuid_like_hashed,
       count(*) FILTER (WHERE attempt_student_uuid(user_id) IS DISTINCT FROM pg_temp.ref_student_uuid(user_id)) AS differ_from_reference
  FROM near_uuids;
SELECT count(*) AS near_uuid_rows_wrong_student
  FROM near_uuids n JOIN kept k ON k.exam_result_id = md5('near-result' || n.g)::uuid
 WHERE k.student_id IS DISTINCT FROM pg_temp.ref_student_uuid(n.user_id);
