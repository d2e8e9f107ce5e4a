-- Generate a realistic exam_results: psql -v results=N -v questions=Q -v bad=B -f this.
-- Students have UUID ids (some upper-case) or application ids like 'student-123'; most
-- take the same items again later (retakes); B results are malformed in the ways the
-- contract's reject path handles. Deterministic for a given N, Q, B.
SELECT setseed(0.2026);
CREATE TABLE IF NOT EXISTS exam_results (
    id uuid PRIMARY KEY,
    user_id text,
    session_id text,
    created_at timestamptz,
    updated_at timestamptz,
    result_json jsonb
);
INSERT INTO exam_results
SELECT md5('result-' || r)::uuid,
       CASE WHEN s % 10 < 6 THEN md5('student-' || s)::uuid::text
            WHEN s % 10 < 7 THEN upper(md5('student-' || s)::uuid::text)
            ELSE 'student-' || s END,
       'sess-' || (r / 3),
       ts,
       CASE WHEN r % 4 = 0 THEN ts + interval '25 minutes' END,
       jsonb_build_object('questions', (
           SELECT jsonb_agg(jsonb_build_object(
                      'question_id', 1000 + (s * 7 + q * 13 + r % 3) % 400,
                      'is_correct', random() < 0.62,
                      'time_spent_sec', round((5 + random() * 115)::numeric, 3),
                      'used_hints', (random() < 0.15)::int,
                      'topic', (ARRAY['algebra', 'geometry', 'reading', 'vocabulary', ''])[1 + (q % 5)])
                  ORDER BY q)
             FROM generate_series(1, :questions) q
            ))
  FROM (SELECT r, 1 + (r * 7919::bigint) % greatest(:results / 4, 1) AS s,
               timestamptz '2026-01-05 08:00+00' + (r * interval '97 seconds') AS ts
          FROM generate_series(1, :results) r) g
ON CONFLICT (id) DO NOTHING;

-- Malformed results: what used to abort every query on the plain SQL view.
INSERT INTO exam_results
SELECT md5('bad-' || b)::uuid,
       CASE b % 4 WHEN 0 THEN NULL WHEN 1 THEN '  ' ELSE 'student-bad-' || b END,
       NULL,
       timestamptz '2026-02-01 12:00+00' + b * interval '1 hour',
       NULL,
       CASE b % 4
           WHEN 0 THEN '{"questions": [{"question_id": 1001, "is_correct": true}]}'
           WHEN 1 THEN '{"questions": [{"question_id": 1002}]}'
           WHEN 2 THEN '{"questions": [{"question_id": "abc"}, {"question_id": 1003, "time_spent_sec": "NaN"},
                                       {"question_id": 1003}, 42, {"question_id": "1004", "is_correct": "yes"}]}'
           ELSE '{"questions": {"question_id": 1005}}'
       END::jsonb
  FROM generate_series(1, :bad) b
ON CONFLICT (id) DO NOTHING;
ANALYZE exam_results;
