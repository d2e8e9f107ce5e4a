#!/usr/bin/env bash
# kill -9 of the backend running ALTER EXTENSION attempt_lock UPDATE, caught mid-flight:
# VERSION '1.0' is installed, another session holds attempt_lock_history in ACCESS
# EXCLUSIVE mode, so the update (1.0 -> 1.1 -> ... -> the default version, one
# transaction) has already replaced the native guard and recreated its event trigger when
# it blocks on the first step's history INSERT; that backend gets SIGKILL, the postmaster
# recovers from the crash. Passes when afterwards the extension
# is still 1.0 with the same objects and definitions (attempt_lock_snapshot()), no drift,
# attempt returns the same rows, attempt_health() has no fail, the lock still refuses
# ALTER VIEW, and a retried UPDATE reaches the default version with the same rows and a
# clean health.
# The same shape for the store's backfill (attempt_store_enable(), release 1.2), blocked
# on a lock on exam_results: afterwards the store is off, attempt and health are as
# before, and a retried attempt_store_enable() switches it on with the same rows. SKIP
# where the installed version has no store.
#   scripts/reliability/kill_update.sh [--long]
# Reduced: 2,000 results, one kill. --long: 50,000 results, three kills in a row.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if [ $LONG = 1 ]; then results=50000 rounds=3; else results=2000 rounds=1; fi
rel_cluster kill_update
EXT_VERSION=1.0 setup_source "$REL_DIR" "$REL_PORT" "$results" 20
Q() { q "$REL_DIR" "$REL_PORT" "$@"; }

before_rows=$(attempt_digest "$REL_DIR" "$REL_PORT")
before_state=$(Q -c "SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM attempt_lock_snapshot() s")
before_history=$(Q -c "SELECT count(*) FROM attempt_lock_history")
target=$(Q -c "SELECT default_version FROM pg_available_extensions WHERE name = 'attempt_lock'")
steps=$(Q -c "SELECT count(*) - 1 FROM pg_extension_update_paths('attempt_lock') AS p, unnest(string_to_array(p.path, '--')) AS v
              WHERE p.source = '1.0' AND p.target = '$target'")

# Background psql sessions: still-running ones are ended on exit (rel_cleanup).
holder() {  # RELATION: hold it in ACCESS EXCLUSIVE mode until terminated
    psql -X -q -h "$REL_DIR" -p "$REL_PORT" -v ON_ERROR_STOP=1 -c "SET application_name = 'rel_holder'" \
        -c "BEGIN" -c "LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
    wait_for "$REL_DIR" "$REL_PORT" "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                                    WHERE a.application_name = 'rel_holder' AND l.granted
                                                      AND l.relation = '$1'::regclass AND l.mode = 'AccessExclusiveLock')" 20 \
        || die "the lock holder did not get its lock on $1"
}
# kill_mid_flight SQL: run SQL in a backend, wait until it blocks on the holder's lock,
# SIGKILL that backend, wait for crash recovery. Prints the statement's pid.
kill_mid_flight() {
    psql -X -q -h "$REL_DIR" -p "$REL_PORT" -c "SET application_name = 'rel_victim'" -c "$1" >"$REL_DIR/victim.out" 2>&1 &
    wait_for "$REL_DIR" "$REL_PORT" "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'rel_victim' AND wait_event_type = 'Lock'" 30 \
        || die "the statement never blocked: $1 ($(cat "$REL_DIR/victim.out"))"
    local pid
    pid=$(Q -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'rel_victim'")
    echo "  blocked mid-flight: $(Q -c "SELECT left(query, 60) || ' / waiting on ' || wait_event FROM pg_stat_activity WHERE pid = $pid")" >&2
    as_root kill -9 "$pid"
    sleep 1
    wait_for "$REL_DIR" "$REL_PORT" "SELECT NOT pg_is_in_recovery()" 60 || die "no recovery after kill -9"
    grep -q "terminated by signal 9" "$REL_DIR/server.log" || die "the server log shows no SIGKILL"
}

failures=0 checks=0
check() {  # LABEL EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" = "$3" ]; then echo "  ok   $1" >&2
    else echo "  FAIL $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}

for round in $(seq 1 $rounds); do
    say "kill -9 during ALTER EXTENSION attempt_lock UPDATE (round $round of $rounds)"
    holder attempt_lock_history
    kill_mid_flight "ALTER EXTENSION attempt_lock UPDATE"
    check "version after recovery" 1.0 "$(Q -c "SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock'")"
    check "objects and definitions as before" "$before_state" \
        "$(Q -c "SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM attempt_lock_snapshot() s")"
    check "no drift" 0 "$(Q -c "SELECT count(*) FROM attempt_lock_drift()")"
    check "history unchanged" "$before_history" "$(Q -c "SELECT count(*) FROM attempt_lock_history")"
    check "attempt rows as before" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
    check "health: no fail" none "$(health_failures "$REL_DIR" "$REL_PORT")"
    refusal=$(Q -c "ALTER VIEW attempt RENAME TO attempt_renamed" 2>&1 || true)
    check "lock still armed" refused "$([[ $refusal == *"attempt_lock: ALTER VIEW refused"* ]] && echo refused || echo allowed)"
done

say "retry: ALTER EXTENSION attempt_lock UPDATE (1.0 to $target)"
Q -c "ALTER EXTENSION attempt_lock UPDATE" >/dev/null
check "version after retry" "$target" "$(Q -c "SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock'")"
check "attempt rows after retry" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
check "health after retry: no fail" none "$(health_failures "$REL_DIR" "$REL_PORT")"
check "no drift after retry" 0 "$(Q -c "SELECT count(*) FROM attempt_lock_drift()")"
check "history: one row per update step" "$((before_history + steps))" "$(Q -c "SELECT count(*) FROM attempt_lock_history")"
status=PASS; [ $failures = 0 ] || status=FAIL
result "kill -9 during UPDATE" 2 "-" "$((rounds + 1))" "$failures" 0 "$status" \
    "$rounds kill(s) mid-script, $checks checks; retry reached $target"

# The store's backfill (release 1.2).
if ! store_available "$REL_DIR" "$REL_PORT"; then
    result "kill -9 during store backfill" - - 0 0 0 SKIP \
        "attempt_lock $(Q -c "SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock'") has no store (attempt_store_enable() arrives in 1.2)"
    exit $([ $status = PASS ] && echo 0 || echo 1)
fi
failures=0 checks=0
before_rows=$(attempt_digest "$REL_DIR" "$REL_PORT")
say "kill -9 during SELECT attempt_store_enable() (the backfill)"
holder exam_results
kill_mid_flight "SELECT attempt_store_enable()"
check "store off after the killed backfill" f "$(store_enabled "$REL_DIR" "$REL_PORT")"
check "no store schema left" 0 "$(Q -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'attempt_lock_store'")"
check "no drift after the killed backfill" 0 "$(Q -c "SELECT count(*) FROM attempt_lock_drift()")"
check "attempt rows after the killed backfill" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
check "health after the killed backfill: no fail" none "$(health_failures "$REL_DIR" "$REL_PORT")"
Q -c "SELECT attempt_store_enable()" >/dev/null
check "store on after the retry" t "$(store_enabled "$REL_DIR" "$REL_PORT")"
check "attempt rows after the retried backfill" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
check "health after the retried backfill: no fail" none "$(health_failures "$REL_DIR" "$REL_PORT")"
store_status=PASS; [ $failures = 0 ] || store_status=FAIL
result "kill -9 during store backfill" 2 "-" 2 "$failures" 0 "$store_status" "$checks checks; the retried attempt_store_enable() switched it on"
[ $status = PASS ] && [ $store_status = PASS ]
