-- The deployment guide's 11-column V1 view as the seed's Alembic migration created it
-- (seeds/001, "Migration SQL Preview"; its elided parts completed with the column rules
-- of docs/SPEC.md §3). Loaded by the demo, the adoption tests and the bench (as its
-- baseline, scripts/sql/bench_baseline.sql); examples/alembic carries it inline, as a
-- migration does.
CREATE VIEW attempt AS
WITH q AS (
    SELECT er.id AS exam_result_id, er.user_id AS user_id_text, er.session_id,
           COALESCE(er.updated_at, er.created_at) AS completed_at, e.qelem, e.ordinality
      FROM exam_results er
     CROSS JOIN LATERAL jsonb_array_elements(er.result_json->'questions') WITH ORDINALITY AS e(qelem, ordinality)
)
SELECT
    ('x' || substr(md5(q.exam_result_id::text || '-' || (q.qelem->>'question_id')), 1, 16))::bit(64)::bigint AS id,
    CASE WHEN q.user_id_text ~* '^[0-9a-fA-F-]{36}$' THEN q.user_id_text::uuid
         ELSE md5(q.user_id_text)::uuid END AS student_id,
    NULLIF(q.qelem->>'question_id', '')::bigint AS item_id,
    COALESCE((q.qelem->>'is_correct')::boolean, (q.qelem->>'correct')::boolean, false) AS correct,
    COALESCE(round((q.qelem->>'time_spent_sec')::numeric * 1000)::int, 0) AS response_time_ms,
    COALESCE((q.qelem->>'used_hints')::int, 0) > 0 AS hint_used,
    q.completed_at,
    q.completed_at
        - make_interval(secs => COALESCE(round((q.qelem->>'time_spent_sec')::numeric * 1000)::int, 0) / 1000.0)
        AS started_at,
    (ROW_NUMBER() OVER (
        PARTITION BY q.user_id_text, NULLIF(q.qelem->>'question_id', '')::bigint
        ORDER BY q.completed_at, q.exam_result_id, q.ordinality))::int AS attempt_no,
    q.session_id,
    NULLIF(q.qelem->>'topic', '') AS topic_id
FROM q
WHERE NULLIF(q.qelem->>'question_id', '') IS NOT NULL;
COMMENT ON VIEW attempt IS 'V1 schema lock (migration 20251101_0900)';
