#!/usr/bin/env bash
# Concurrency test of the incremental store: parallel
# sessions writing retakes of the same few students and items. Not a pg_regress test: it
# needs several sessions at once. Fails (exit 1) on any mismatch with the on-the-fly
# definition, any attempt_no that is not dense, any deadlock, or a REPEATABLE READ writer
# that is not refused with 40001 when it cannot see a concurrent retake.
#
#   scripts/reliability/store_concurrency.sh [--seconds N]     (default 20 per phase)
#
# Uses the attempt_lock installed for $PG_BIN (Debian's PostgreSQL 15 by default) in a
# scratch cluster of its own, removed on exit; installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

seconds=20
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        *) echo "usage: $0 [--seconds N]" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d /tmp/store_concurrency.XXXXXX)
chmod 755 "$work"
trap 'stop_cluster "$work"; as_root rm -rf "$work"' EXIT
port=$(free_port 55900)
say "scratch cluster in $work on port $port"
start_cluster "$work" "$port"
export PGHOST=$work PGPORT=$port PGUSER=postgres PGDATABASE=postgres
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
failures=0
check() {  # check NAME ACTUAL EXPECTED
    if [ "$2" = "$3" ]; then echo "ok      $1: $2"; else echo "FAILED  $1: $2 (expected $3)"; failures=$((failures + 1)); fi
}

q -f tests/regress/fixtures/exam_results.sql
q -c "CREATE EXTENSION attempt_lock"
q -c "SET client_min_messages = error" -c "SELECT attempt_store_enable()" >/dev/null

# ---------------------------------------------------------------------------------------
# 1. Two sessions, one retake each of the same student and item, at the same moment.
# ---------------------------------------------------------------------------------------
say "two sessions, same student and item, READ COMMITTED"
q -c "INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000000001', 'alice', 's', '2026-03-01 10:00+00', NULL,
      '{\"questions\": [{\"question_id\": 7}]}')"
# A holds its retake uncommitted for 2 s; B inserts a later one meanwhile and must wait
# for A, then number after it.
q -c "BEGIN" -c "INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000000002', 'alice', 's', '2026-03-01 11:00+00', NULL,
      '{\"questions\": [{\"question_id\": 7}]}')" -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
a=$!
sleep 0.5
start=$(date +%s.%N)
q -c "INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000000003', 'alice', 's', '2026-03-01 12:00+00', NULL,
      '{\"questions\": [{\"question_id\": 7}]}')"
waited=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print (e - s >= 1.0) ? "yes" : "no" }')
wait $a
check "B waited for A" "$waited" yes
check "attempt_no of the three retakes" \
    "$(q -c "SELECT string_agg(attempt_no::text, ',' ORDER BY completed_at) FROM attempt WHERE item_id = 7")" "1,2,3"

say "two sessions, same student and item, B in REPEATABLE READ"
# B takes its snapshot before A commits: it cannot see A's retake, so numbering after
# what it sees would give two rows the same attempt_no. It must fail with 40001.
q -c "BEGIN" -c "INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000000004', 'alice', 's', '2026-03-01 13:00+00', NULL,
      '{\"questions\": [{\"question_id\": 7}]}')" -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null &
a=$!
sleep 0.5
rr_out=$(psql -X -q -At -v VERBOSITY=verbose \
    -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "SELECT count(*) FROM exam_results" \
    -c "INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000000005', 'alice', 's', '2026-03-01 14:00+00', NULL,
        '{\"questions\": [{\"question_id\": 7}]}')" -c "COMMIT" 2>&1 || true)
wait $a
check "REPEATABLE READ writer refused" "$(grep -o 'ERROR:  40001' <<<"$rr_out" | head -1)" "ERROR:  40001"
check "attempt_no after the refusal" \
    "$(q -c "SELECT string_agg(attempt_no::text, ',' ORDER BY completed_at) FROM attempt WHERE item_id = 7")" "1,2,3,4"
# The same session, retried, succeeds.
q -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "INSERT INTO exam_results VALUES ('00000000-0000-0000-0000-000000000005', 'alice', 's', '2026-03-01 14:00+00', NULL,
      '{\"questions\": [{\"question_id\": 7}]}')" -c "COMMIT"
check "attempt_no after the retry" \
    "$(q -c "SELECT string_agg(attempt_no::text, ',' ORDER BY completed_at) FROM attempt WHERE item_id = 7")" "1,2,3,4,5"

# ---------------------------------------------------------------------------------------
# 2. Many sessions: inserts (in and out of time order, ties), earlier completions, user
#    changes and deletes of three students' results, READ COMMITTED and REPEATABLE READ
#    writers at once. pgbench retries serialization failures (--max-tries).
# ---------------------------------------------------------------------------------------
cat >"$work/writes.sql" <<'EOF'
\set s random(1, 3)
\set item random(1, 4)
\set t random(0, 40)
\set op random(1, 20)
\if :op <= 12
INSERT INTO exam_results (id, user_id, session_id, created_at, updated_at, result_json)
VALUES (gen_random_uuid(), 'student-' || :s, 'bench',
        timestamptz '2026-03-01 10:00+00' + :t * interval '1 minute', NULL,
        jsonb_build_object('questions', jsonb_build_array(
            jsonb_build_object('question_id', :item, 'is_correct', :t % 2 = 0),
            jsonb_build_object('question_id', :item + 1, 'time_spent_sec', :t))));
\elif :op <= 14
BEGIN;
INSERT INTO exam_results (id, user_id, session_id, created_at, updated_at, result_json)
VALUES (gen_random_uuid(), 'student-' || :s, 'bench', timestamptz '2026-03-01 10:00+00' + :t * interval '1 minute', NULL,
        jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', :item))));
INSERT INTO exam_results (id, user_id, session_id, created_at, updated_at, result_json)
VALUES (gen_random_uuid(), 'student-' || :s, 'bench', timestamptz '2026-03-01 10:00+00' + :t * interval '1 minute', NULL,
        jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', :item))));
COMMIT;
\elif :op <= 17
UPDATE exam_results SET created_at = created_at - interval '3 minutes'
 WHERE id = (SELECT id FROM exam_results WHERE user_id = 'student-' || :s ORDER BY random() LIMIT 1);
\elif :op <= 18
UPDATE exam_results SET user_id = 'student-' || (1 + :s % 3)
 WHERE id = (SELECT id FROM exam_results WHERE user_id = 'student-' || :s ORDER BY random() LIMIT 1);
\else
DELETE FROM exam_results
 WHERE id = (SELECT id FROM exam_results WHERE user_id = 'student-' || :s ORDER BY random() LIMIT 1);
\endif
EOF
# The REPEATABLE READ clients run a count of transactions, not a duration: pgbench does not
# retry a transaction whose serialization failure comes after -T has run out, and counts it
# failed. About 15 per client per second, so they end while the READ COMMITTED load runs.
bench() {  # bench LABEL ISOLATION CLIENTS LENGTH...
    PGOPTIONS="-c default_transaction_isolation=$2" "$PG_BIN/pgbench" -n -f "$work/writes.sql" \
        -c "$3" -j "$3" "${@:4}" --max-tries=50 --failures-detailed >"$work/pgbench-$1.out" 2>&1 || true
}
say "pgbench: 3 READ COMMITTED clients for $seconds s + 2 REPEATABLE READ clients, $((seconds * 15)) transactions each"
bench rc 'read\ committed' 3 -T "$seconds" &
b1=$!
bench rr 'repeatable\ read' 2 -t "$((seconds * 15))" &
b2=$!
wait $b1 $b2
for side in rc rr; do
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench-$side.out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench-$side.out")
    ser=$(sed -n 's/^number of serialization failures: \([0-9]*\).*/\1/p' "$work/pgbench-$side.out")
    dl=$(sed -n 's/^number of deadlock failures: \([0-9]*\).*/\1/p' "$work/pgbench-$side.out")
    retried=$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$work/pgbench-$side.out")
    [ -n "$tx" ] || { cat "$work/pgbench-$side.out"; check "pgbench $side ran" no yes; continue; }
    echo "        pgbench $side: $tx transactions, ${retried:-0} retried, ${ser:-0} serialization failures, ${dl:-0} deadlocks, ${failed:-0} failed"
    check "pgbench $side: transactions that failed after retries" "${failed:-0}" 0
    check "pgbench $side: deadlocks" "${dl:-0}" 0
done
check "deadlocks in the server log" "$(grep -c 'deadlock detected' "$work/server.log" || true)" 0
# pgbench counts a transaction it retried after a serialization failure as retried, and
# as a failure only when it gave up.
check "REPEATABLE READ writers refused with 40001 and retried" \
    "$([ "$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$work/pgbench-rr.out")" -gt 0 ] && echo some || echo none)" some

say "comparing the store with the on-the-fly definition"
check "results written" "$(q -c "SELECT count(*) > 100 FROM exam_results")" t
check "sync problems (exact)" "$(q -c "SELECT count(*) FROM attempt_store_sync_problems(exact => true)")" 0
check "partitions not numbered 1..n" "$(q -c "SELECT count(*) FROM (SELECT 1 FROM attempt GROUP BY student_id, item_id
    HAVING min(attempt_no) <> 1 OR max(attempt_no) <> count(*) OR count(DISTINCT attempt_no) <> count(*)) g")" 0
check "rows differing from the on-the-fly definition" "$(q -c "DO \$\$ DECLARE n bigint; BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM (%1\$s) a) x)
                         + (SELECT count(*) FROM (SELECT * FROM (%1\$s) a EXCEPT ALL SELECT * FROM attempt) y)',
                   attempt_view_query('computed')) INTO n;
    RAISE NOTICE '%', n; END \$\$" 2>&1 | sed 's/^NOTICE: *//')" 0
echo "        $(q -c "SELECT count(*) || ' attempt rows, ' || count(DISTINCT (student_id, item_id)) || ' partitions, longest ' || max(attempt_no) FROM attempt")"

if [ $failures -gt 0 ]; then echo "store_concurrency: $failures FAILED"; exit 1; fi
echo "store_concurrency: all checks passed"
