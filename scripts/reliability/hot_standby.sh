#!/usr/bin/env bash
# A streaming hot standby on loopback: pg_basebackup -R from a primary listening on
# 127.0.0.1, the standby started on another port; then, on the primary, the data, the
# extension and the recommended index, and (while the standby replays) more results.
# Once the standby has replayed everything: SELECT count(*) FROM attempt, a per-student
# lookup through the index and attempt_health() (estimated and exact) run read-only on
# the replica, with the same rows as the primary. Reports every check whose status
# differs between primary and standby.
#   scripts/reliability/hot_standby.sh [--long]
# Reduced: 2,000 results + 500 during replay. --long: 50,000 + 10,000.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ $LONG = 1 ]; then results=50000 more=10000; else results=2000 more=500; fi
rel_cluster hot_primary 127.0.0.1
P_DIR=$REL_DIR P_PORT=$REL_PORT
S_DIR=$(mktemp -d /tmp/rel-hot_standby.XXXXXX); chmod 755 "$S_DIR"; as_root chown postgres: "$S_DIR"
S_PORT=$(free_port $((P_PORT + 1)))
REL_CLUSTERS+=("$S_DIR")
P() { q "$P_DIR" "$P_PORT" "$@"; }
S() { q "$S_DIR" "$S_PORT" "$@"; }

say "pg_basebackup -R from 127.0.0.1:$P_PORT; standby on port $S_PORT"
as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$P_PORT" -U postgres -D "$S_DIR/data" -R -X stream -c fast
as_postgres "$PG_BIN/pg_ctl" -D "$S_DIR/data" -l "$S_DIR/server.log" -w \
    -o "-p $S_PORT -k $S_DIR -c listen_addresses='' -c hot_standby=on" start >/dev/null
[ "$(S -c "SELECT pg_is_in_recovery()")" = t ] || die "the standby is not in recovery"

say "primary: $results results, the extension, the index; $more more results during replay"
setup_source "$P_DIR" "$P_PORT" "$results" 20
P -c "INSERT INTO exam_results
      SELECT gen_random_uuid(), 'standby-student-' || (g % 50), 'late', now(), NULL,
             jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', 9000 + g % 7, 'is_correct', true)))
        FROM generate_series(1, $more) g" >/dev/null
P -c "ANALYZE exam_results" >/dev/null
lsn=$(P -c "SELECT pg_current_wal_lsn()")
wait_for "$S_DIR" "$S_PORT" "SELECT pg_last_wal_replay_lsn() >= '$lsn'" 120 || die "the standby did not replay up to $lsn"

failures=0 checks=0
check() {
    checks=$((checks + 1))
    if [ "$2" = "$3" ]; then echo "  ok   $1" >&2
    else echo "  FAIL $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}
student="standby-student-7"
check "standby is read-only" on "$(S -c "SHOW transaction_read_only")"
check "count(*) FROM attempt" "$(P -c "SELECT count(*) FROM attempt")" "$(S -c "SELECT count(*) FROM attempt")"
check "attempt rows" "$(attempt_digest "$P_DIR" "$P_PORT")" "$(attempt_digest "$S_DIR" "$S_PORT")"
lookup="SELECT count(*) || ':' || md5(string_agg(a::text, ',' ORDER BY a.id)) FROM attempt a WHERE student_id = attempt_student_uuid('$student')"
check "per-student lookup" "$(P -c "$lookup")" "$(S -c "$lookup")"
check "per-student lookup uses the index on the standby" yes \
    "$(S -c "EXPLAIN (COSTS OFF) SELECT * FROM attempt WHERE student_id = attempt_student_uuid('$student')" | grep -q 'exam_results_student_idx' && echo yes || echo no)"
health="SELECT \"check\" || '=' || status FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) ORDER BY 1"
health_exact="SELECT \"check\" || '=' || status FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL) ORDER BY 1"
p_health=$(P -c "$health"); s_health=$(S -c "$health")
s_health_exact=$(S -c "$health_exact")
checks_on_primary=$(wc -l <<<"$p_health")
check "attempt_health() runs on the standby (every check)" "$checks_on_primary" "$(wc -l <<<"$s_health")"
check "attempt_health(exact => true) runs on the standby (every check)" "$checks_on_primary" "$(wc -l <<<"$s_health_exact")"
check "no fail on the standby" 0 "$(grep -c '=fail' <<<"$s_health$s_health_exact" || true)"
check "attempt_health_assert() on the standby" 0 "$(S -c "SELECT attempt_health_assert(freshness_warn => NULL, freshness_fail => NULL) >= 0" >/dev/null 2>&1; echo $?)"
check "attempt_evidence_report() on the standby" t "$(S -c "SELECT attempt_evidence_report() LIKE '%## 8. Decision%'")"
differ=$( (diff <(echo "$p_health") <(echo "$s_health") || true) | sed -n 's/^> //p' | paste -sd, -)
echo "  primary health, not ok:  $(grep -v '=ok' <<<"$p_health" | paste -sd, - || true)" >&2
echo "  standby health, not ok:  $(grep -v '=ok' <<<"$s_health" | paste -sd, - || true)" >&2
echo "  statuses that differ on the standby: ${differ:-none}" >&2
echo "  standby statistics check: $(S -c "SELECT observed FROM attempt_health() WHERE \"check\" = 'statistics'")" >&2

status=PASS; [ $failures = 0 ] || status=FAIL
result "hot standby (read-only replica)" 2 - "$checks" "$failures" 0 "$status" \
    "$((results + 20 + more)) results replayed; statuses differing on the standby: ${differ:-none}"
[ $status = PASS ]
