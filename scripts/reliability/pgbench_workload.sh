#!/usr/bin/env bash
# pgbench workload: writers insert exam_results (20-question results of random students,
# retakes included), readers query attempt per student, one client runs attempt_health().
# Passes when no transaction failed, no pgbench client aborted, no health check said
# fail, and every question of every inserted result is a row of attempt (losses = the
# committed inserts, and their questions, missing from attempt).
#   scripts/reliability/pgbench_workload.sh [--long] [--store]
# Reduced (CI): 3 writers, 2 readers, 1 health client, 15 s. --long: 6 + 4 + 1, 300 s.
# --store turns the store of release 1.2 on first (attempt_store_enable()); where the
# installed version has none, the --store run is reported as SKIP, never as a pass.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ $LONG = 1 ]; then writers=6 readers=4 duration=300 results=20000
else writers=3 readers=2 duration=15 results=2000; fi
clients=$((writers + readers + 1))
name=pgbench; [ $STORE = 0 ] || name="pgbench --store"

rel_cluster pgbench
setup_source "$REL_DIR" "$REL_PORT" "$results" 20
version=$(q "$REL_DIR" "$REL_PORT" -c "SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock'")
if [ $STORE = 1 ]; then
    if ! store_available "$REL_DIR" "$REL_PORT"; then
        result "$name" "$clients" 0 0 0 0 SKIP "attempt_lock $version has no store (attempt_store_enable() arrives in 1.2)"
        exit 0
    fi
    q "$REL_DIR" "$REL_PORT" -c "SELECT attempt_store_enable()" >/dev/null
fi
q "$REL_DIR" "$REL_PORT" -c "CREATE TABLE health_log (at timestamptz, \"check\" text, status text, detail text)"

work=$REL_DIR/pgbench
as_root mkdir -p "$work"; as_root chmod 777 "$work"
# Students 1..300 (a third with UUID ids), question ids overlapping between results:
# most results are retakes of items the student has seen.
cat >"$work/writer.sql" <<'SQL'
\set student random(1, 300)
\set first random(1, 40)
INSERT INTO exam_results (id, user_id, session_id, created_at, updated_at, result_json)
SELECT gen_random_uuid(),
       CASE WHEN :student % 3 = 0 THEN md5('bench-student-' || :student)::uuid::text ELSE 'bench-student-' || :student END,
       'pgbench', clock_timestamp(), NULL,
       jsonb_build_object('questions', (
           SELECT jsonb_agg(jsonb_build_object('question_id', 5000 + :first + q,
                                               'is_correct', random() < 0.6,
                                               'time_spent_sec', round((random() * 90)::numeric, 3),
                                               'used_hints', (random() < 0.2)::int,
                                               'topic', 'topic-' || (q % 4)) ORDER BY q)
             FROM generate_series(1, 20) AS q));
SQL
cat >"$work/reader.sql" <<'SQL'
\set student random(1, 300)
SELECT count(*), max(attempt_no), min(started_at)
  FROM attempt
 WHERE student_id = attempt_student_uuid(CASE WHEN :student % 3 = 0 THEN md5('bench-student-' || :student)::uuid::text
                                              ELSE 'bench-student-' || :student END);
SQL
cat >"$work/health.sql" <<'SQL'
INSERT INTO health_log
SELECT clock_timestamp(), h."check", h.status, h.detail
  FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) AS h;
SQL

run_pgbench() {  # LABEL CLIENTS SCRIPT
    as_postgres "$PG_BIN/pgbench" -n -h "$REL_DIR" -p "$REL_PORT" -U postgres -c "$2" -j "$2" -T "$duration" \
        -f "$work/$3" postgres >"$work/$1.out" 2>&1
}
say "pgbench: $writers writers, $readers readers, 1 health client, ${duration}s (attempt_lock $version)"
set +e
run_pgbench writers "$writers" writer.sql & w=$!
run_pgbench readers "$readers" reader.sql & r=$!
run_pgbench health 1 health.sql & h=$!
wait $w; w_rc=$?; wait $r; r_rc=$?; wait $h; h_rc=$?
set -e

processed() { local n; n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/$1.out"); echo "${n:-0}"; }
failed() { local n; n=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$1.out"); echo "${n:-0}"; }
w_tx=$(processed writers); r_tx=$(processed readers); h_tx=$(processed health)
failures=$(( $(failed writers) + $(failed readers) + $(failed health) ))
aborted=$(cat "$work"/*.out | grep -c -E 'aborted|ERROR' || true)

inserted=$(q "$REL_DIR" "$REL_PORT" -c "SELECT count(*) FROM exam_results WHERE session_id = 'pgbench'")
# A set difference, not NOT EXISTS: that is planned on the statistics of before the load
# and may become a nested loop over the whole view per inserted question.
missing=$(q "$REL_DIR" "$REL_PORT" -c "
    SELECT count(*) FROM (
        SELECT attempt_id(er.id, (e ->> 'question_id')::bigint), attempt_student_uuid(er.user_id)
          FROM exam_results er
         CROSS JOIN LATERAL jsonb_array_elements(er.result_json -> 'questions') AS e
         WHERE er.session_id = 'pgbench'
        EXCEPT ALL
        SELECT a.id, a.student_id FROM attempt a) AS m")
health_fail=$(q "$REL_DIR" "$REL_PORT" -c "SELECT count(*) FROM health_log WHERE status = 'fail'")
health_checks=$(q "$REL_DIR" "$REL_PORT" -c "SELECT coalesce(string_agg(DISTINCT \"check\" || '=' || status, ', '), 'none') FROM health_log WHERE status <> 'ok'")
dense=$(q "$REL_DIR" "$REL_PORT" -c "SELECT count(*) FROM (SELECT 1 FROM attempt GROUP BY student_id, item_id
                                       HAVING max(attempt_no) <> count(*) OR min(attempt_no) <> 1) g")
losses=$(( (w_tx - inserted) + missing ))

grep -E '^(number of|tps|latency average)' "$work/writers.out" | sed 's/^/  writers: /' >&2
grep -E '^(number of|tps|latency average)' "$work/readers.out" | sed 's/^/  readers: /' >&2
grep -E '^(number of|tps|latency average)' "$work/health.out" | sed 's/^/  health:  /' >&2
echo "  inserted results: $inserted (writer transactions $w_tx); questions missing from attempt: $missing" >&2
echo "  health runs: $h_tx, fail statuses: $health_fail, non-ok checks seen: $health_checks; attempt_no not dense: $dense" >&2

status=PASS
[ "$w_rc$r_rc$h_rc" = 000 ] || status=FAIL
[ "$failures" = 0 ] && [ "$aborted" = 0 ] && [ "$losses" = 0 ] && [ "$health_fail" = 0 ] && [ "$dense" = 0 ] || status=FAIL
[ "$w_tx" -gt 0 ] && [ "$r_tx" -gt 0 ] && [ "$h_tx" -gt 0 ] || status=FAIL
result "$name" "$clients" "$duration" "$((w_tx + r_tx + h_tx))" "$((failures + aborted))" "$losses" "$status" \
    "writers $w_tx, readers $r_tx, health $h_tx; $inserted results inserted, $((inserted * 20)) questions checked in attempt"
[ $status = PASS ]
