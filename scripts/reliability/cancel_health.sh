#!/usr/bin/env bash
# Cancel and timeouts during attempt_health() leave nothing behind. Four scenarios:
#   cancel-blocked   pg_cancel_backend() while health waits for a lock on exam_results
#   timeout-blocked  statement_timeout = 1s while health waits for that lock
#   cancel-busy      pg_cancel_backend() during a CPU-bound attempt_health(exact => true)
#   lock_timeout     lock_timeout = 200ms while the lock is held: health returns, the
#                    checks that could not run say fail with the reason, nothing raises
# After each, in the same session: the error was 57014 (query_canceled: PL/pgSQL's WHEN
# OTHERS never catches it), search_path is the session's own again (the function's SET
# clause is undone), no temporary object, no lock, no transaction id left; then, across
# the cluster: no prepared transaction, no new row in attempt_lock_history or the
# override log, and the next attempt_health() call works without a fail.
#   scripts/reliability/cancel_health.sh [--long]
# Reduced: 4,000 results, each scenario once. --long: 40,000 results, five times each.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ $LONG = 1 ]; then results=40000 rounds=5; else results=4000 rounds=1; fi
rel_cluster cancel_health
setup_source "$REL_DIR" "$REL_PORT" "$results" 20
Q() { q "$REL_DIR" "$REL_PORT" "$@"; }
history_before=$(Q -c "SELECT (SELECT count(*) FROM attempt_lock_history) || '/' || (SELECT count(*) FROM attempt_lock_override_log)")

holder_start() {
    psql -X -q -h "$REL_DIR" -p "$REL_PORT" -c "SET application_name = 'rel_holder'" -c "BEGIN" \
        -c "LOCK TABLE exam_results IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
    wait_for "$REL_DIR" "$REL_PORT" "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                                    WHERE a.application_name = 'rel_holder' AND l.granted
                                                      AND l.relation = 'exam_results'::regclass AND l.mode = 'AccessExclusiveLock')" 20 \
        || die "the lock holder did not get its lock"
}
holder_stop() {
    Q -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'rel_holder'" >/dev/null
    wait_for "$REL_DIR" "$REL_PORT" "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'rel_holder')" 20 \
        || die "the lock holder did not go away"
}

# target SETTING EXACT: the session under test; its output goes to $REL_DIR/target.out.
target() {
    cat >"$REL_DIR/target.sql" <<SQL
SET application_name = 'rel_target';
SELECT current_setting('search_path') AS search_path_before \gset
$1
\timing on
SELECT count(*) AS checks, count(*) FILTER (WHERE status = 'fail') AS failing,
       string_agg(DISTINCT CASE WHEN detail LIKE 'the check could not run%' OR detail LIKE '%could not be drawn%'
                                THEN regexp_replace(detail, '^.*: ', '') END, '; ') AS reasons
  FROM attempt_health(exact => $2);
\timing off
\echo SQLSTATE :SQLSTATE
RESET statement_timeout; RESET lock_timeout;
DO \$\$ BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'rel_holder');
        PERFORM pg_sleep(0.1);
        PERFORM pg_stat_clear_snapshot();  -- pg_stat_activity is read once per transaction otherwise
    END LOOP;
END \$\$;
SELECT 'after:' || (current_setting('search_path') = :'search_path_before')
       || ':' || (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())
       || ':' || (pg_current_xact_id_if_assigned() IS NULL) AS state;
SELECT 'locks:' || count(*) FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype <> 'virtualxid' AND relation IS DISTINCT FROM 'pg_locks'::regclass;
SQL
    # Emptied here, not by the background redirection: health_done must not read the
    # previous scenario's SQLSTATE before the new session has started.
    : >"$REL_DIR/target.out"
    psql -X -At -h "$REL_DIR" -p "$REL_PORT" -f "$REL_DIR/target.sql" >>"$REL_DIR/target.out" 2>&1 &
    TARGET=$!
}
health_done() {  # wait until the target's attempt_health() statement has ended (psql echoes its SQLSTATE)
    local i
    for ((i = 0; i < 1200; i++)); do
        grep -q '^SQLSTATE' "$REL_DIR/target.out" 2>/dev/null && return 0
        sleep 0.1
    done
    die "attempt_health() did not end within 120 s"
}
target_pid() { Q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'rel_target' AND query LIKE '%attempt_health%'"; }

failures=0 total=0
check() {  # LABEL EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then echo "  ok   $1" >&2
    else echo "  FAIL $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}
aftermath() {  # EXPECTED_SQLSTATE
    wait "$TARGET" || true
    local out; out=$(cat "$REL_DIR/target.out")
    check "SQLSTATE" "$1" "$(sed -n 's/^SQLSTATE //p' <<<"$out")"
    check "search_path restored, no temp object, no xid" "after:true:0:true" "$(grep '^after:' <<<"$out")"
    check "no lock held" "locks:0" "$(grep '^locks:' <<<"$out")"
    check "no prepared transaction" 0 "$(Q -c "SELECT count(*) FROM pg_prepared_xacts")"
    check "history and override log unchanged" "$history_before" \
        "$(Q -c "SELECT (SELECT count(*) FROM attempt_lock_history) || '/' || (SELECT count(*) FROM attempt_lock_override_log)")"
    check "next attempt_health(): no fail" none "$(health_failures "$REL_DIR" "$REL_PORT")"
    grep -E '^Time:|ERROR|^[0-9]+\|' <<<"$out" | sed 's/^/       /' >&2
}

for round in $(seq 1 $rounds); do
    say "cancel-blocked (round $round): pg_cancel_backend while attempt_health() waits for a lock"
    holder_start
    target "" false
    wait_for "$REL_DIR" "$REL_PORT" "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'rel_target' AND wait_event_type = 'Lock'" 30 \
        || die "attempt_health() never waited for the lock"
    Q -c "SELECT pg_cancel_backend($(target_pid))" >/dev/null
    holder_stop
    aftermath 57014; total=$((total + 1))

    say "timeout-blocked (round $round): statement_timeout = 1s while attempt_health() waits for a lock"
    holder_start
    target "SET statement_timeout = '1s';" false
    health_done
    holder_stop
    aftermath 57014; total=$((total + 1))

    say "cancel-busy (round $round): pg_cancel_backend during attempt_health(exact => true)"
    target "" true
    # Find and cancel in one statement: between two statements a fast call may end.
    wait_for "$REL_DIR" "$REL_PORT" "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'rel_target' AND state = 'active' AND query LIKE '%attempt_health%' AND now() - query_start > interval '200 milliseconds'" 60 \
        || die "attempt_health(exact => true) never ran for 0.2 s: not a test of a busy cancel"
    [ "$(Q -c "SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity
               WHERE application_name = 'rel_target' AND state = 'active' AND query LIKE '%attempt_health%'")" = 1 ] \
        || die "attempt_health(exact => true) ended before it could be cancelled"
    aftermath 57014; total=$((total + 1))

    say "lock_timeout (round $round): lock_timeout = 200ms while the lock is held"
    holder_start
    target "SET lock_timeout = '200ms';" false
    health_done
    # Without its lock holder (ended from outside the script) this scenario proves nothing.
    check "the lock was still held when health returned" t \
        "$(Q -c "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'rel_holder')")"
    holder_stop
    aftermath 00000; total=$((total + 1))
    check "health returned with the lock failures" yes \
        "$(grep -q 'canceling statement due to lock timeout' "$REL_DIR/target.out" && echo yes || echo no)"
done

status=PASS; [ $failures = 0 ] || status=FAIL
result "cancel/timeout during health" 2 - "$total" "$failures" 0 "$status" \
    "$rounds x (cancel while blocked, statement_timeout, cancel while busy, lock_timeout); $results results"
[ $status = PASS ]
