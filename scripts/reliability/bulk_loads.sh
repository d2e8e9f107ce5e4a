#!/usr/bin/env bash
# Bulk loads with the incremental store on: the slow
# scenarios; the quick ones are tests/regress/sql/store_bulk_loads.sql. After each load,
# attempt must equal its computed definition (the store is read only while it is exact),
# and the store check of attempt_health() must say which: ok (read, exact) or warn
# "on, stale" (not read: attempt computes its rows until attempt_store_rebuild()).
#   e  TRUNCATE, then pg_restore --data-only --disable-triggers of the table, as a superuser
#      and as the table's owner (release 1.2 served 0 rows after it); then the rebuild
#   f  the same with the lock's event triggers disabled, and under session_replication_role
#      = replica (event triggers do not fire then): caught at query time, not marked
#   g  COPY FROM in big batches with the store's triggers on (exact throughout), and with
#      them disabled for speed, then attempt_store_rebuild() (timed)
#   h  a logical replication subscriber: its apply worker fires no statement triggers; and
#      a subscription created and dropped while the event trigger is off, which only
#      health's comparison catches (docs/OPERATIONS.md, "What cannot be caught before health")
#
#   scripts/reliability/bulk_loads.sh [--long]
# Reduced: 10,000 results (about 50,000 attempts), 4 COPY batches of 5,000 results.
# --long: 100,000 results, 4 batches of 50,000. Uses the attempt_lock installed for
# PG_BIN in scratch clusters of its own, removed on exit; installs nothing.
set -uo pipefail
. "$(dirname "$0")/common.sh"

if [ $LONG = 1 ]; then results=100000 batch=50000; else results=10000 batch=5000; fi
DB=bulk

rel_cluster bulk
DIR=$REL_DIR PORT=$REL_PORT
qd() { q "$DIR" "$PORT" -d "$DB" "$@"; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

failures=0 notes=""
check() {  # check NAME ACTUAL EXPECTED
    if [ "$2" = "$3" ]; then echo "ok      $1: $2"
    else echo "FAILED  $1: $2 (expected $3)"; failures=$((failures + 1)); fi
}
fail() { echo "FAILED  $1"; failures=$((failures + 1)); }
# state: usable|marked stale|attempt equals its computed rows|health's store status|observed
state() {
    qd -c "SELECT attempt_store_usable() || '|' || (SELECT stale_since IS NOT NULL FROM attempt_store_status())
                  || '|' || (bulk_view_mismatches() = 0) || '|' || h.status || '|' || h.observed
             FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) AS h WHERE h.\"check\" = 'store'"
}
READ_EXACT="true|false|true|ok|on"              # the store is read and exact
STALE_MARKED="false|true|true|warn|on, stale"    # marked stale at the DDL, not read
STALE_UNMARKED="false|false|true|warn|on, stale" # not marked (no event trigger), not read
exact_problems() { qd -c "SELECT count(*) FROM attempt_store_sync_problems(exact => true)"; }
digest() { qd -c "SELECT count(*) || ':' || md5(string_agg(a::text, ',' ORDER BY a.id, a.completed_at)) FROM attempt a"; }
# finish SCENARIO SECONDS NOTE: one summary row from the checks since the last finish
finish() {
    local status=PASS
    [ $failures = 0 ] || status=FAIL
    result "$1" 1 "$2" - "$failures" - "$status" "$3"
    total_failures=$((total_failures + failures)); failures=0
}
total_failures=0
rebuild() {  # rebuild: attempt_store_rebuild() as a superuser; prints its seconds
    local t; t=$(now)
    qd -c "SET client_min_messages = warning" -c "SELECT attempt_store_rebuild()" >/dev/null || echo "(failed)"
    since "$t"
}

say "setup: $results results, the store on"
q "$DIR" "$PORT" -c "CREATE DATABASE $DB" >/dev/null
qd -v results="$results" -v questions=5 -v bad=20 -f "$REPO_ROOT/scripts/sql/generate_exam_results.sql" >/dev/null
qd -c "CREATE EXTENSION attempt_lock" \
   -c "CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id))" >/dev/null
qd -c "SET client_min_messages = warning" -c "SELECT attempt_store_enable()" >/dev/null
qd >/dev/null <<'EOF'
CREATE FUNCTION bulk_view_mismatches() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM (%1$s) c) x)
                         + (SELECT count(*) FROM (SELECT * FROM (%1$s) c EXCEPT ALL SELECT * FROM attempt) y)',
                   attempt_view_query('computed')) INTO n;
    RETURN n;
END $$;
CREATE ROLE bulk_owner LOGIN;
ALTER TABLE exam_results OWNER TO bulk_owner;
EOF
check "store read and exact after enable" "$(state)" "$READ_EXACT"
full=$(digest)
echo "        attempt: ${full%%:*} rows"
pg_dump -h "$DIR" -p "$PORT" -U postgres -Fc --data-only -t exam_results -f "$DIR/exam_results.dump" "$DB" \
    || die "pg_dump failed"

# restore_after_truncate LABEL USER [PGOPTIONS]: TRUNCATE, then the data-only restore with
# --disable-triggers, as USER
restore_after_truncate() {
    local user=$1 options=${2:-} t
    PGOPTIONS=$options psql -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U "$user" -d "$DB" -c "TRUNCATE exam_results" \
        || fail "TRUNCATE as $user"
    check "after TRUNCATE: read, exact, empty" "$(state)|$(qd -c "SELECT count(*) FROM attempt")" "$READ_EXACT|0"
    t=$(now)
    PGOPTIONS=$options pg_restore -h "$DIR" -p "$PORT" -U "$user" -d "$DB" --data-only --disable-triggers \
        -t exam_results --exit-on-error "$DIR/exam_results.dump" || fail "pg_restore as $user"
    echo "        pg_restore: $(since "$t") s"
}

# ---------------------------------------------------------------------------------------
say "e: TRUNCATE, pg_restore --data-only --disable-triggers (superuser), rebuild"
started=$SECONDS
restore_after_truncate postgres
check "after the restore: marked stale, not read, attempt exact" "$(state)" "$STALE_MARKED"
check "attempt serves every restored row" "$(digest)" "$full"
check "triggers after the restore" "$(qd -c "SELECT triggers FROM attempt_store_status()")" \
    "attempt_store_delete enabled, attempt_store_insert enabled, attempt_store_truncate enabled, attempt_store_update enabled"
seconds=$(rebuild)
echo "        attempt_store_rebuild(): $seconds s"
check "after the rebuild: read, exact" "$(state)|$(exact_problems)" "$READ_EXACT|0"
check "attempt after the rebuild" "$(digest)" "$full"
finish "bulk: restore --disable-triggers" $((SECONDS - started)) "rebuild ${seconds}s"

say "e: the same as the table's owner (not a superuser)"
started=$SECONDS
restore_after_truncate bulk_owner
check "after the owner's restore: marked stale, not read, attempt exact" "$(state)" "$STALE_MARKED"
check "stale reason" "$(qd -c "SELECT stale_reason FROM attempt_store_status()")" \
    "ALTER TABLE by bulk_owner changed the store's triggers on the source"
check "attempt serves every restored row" "$(digest)" "$full"
seconds=$(rebuild)
check "after the rebuild: read, exact" "$(state)|$(exact_problems)" "$READ_EXACT|0"
finish "bulk: restore as the owner" $((SECONDS - started)) "rebuild ${seconds}s"

# ---------------------------------------------------------------------------------------
say "f: the same restore with the lock's event triggers disabled"
started=$SECONDS
qd -c "DO \$\$ DECLARE e name; BEGIN
         FOR e IN SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'attempt\\_lock\\_%' LOOP
             EXECUTE format('ALTER EVENT TRIGGER %I DISABLE', e);
         END LOOP; END \$\$"
restore_after_truncate postgres
# Nothing marks it (no event trigger fired), but its triggers are not as the switch made
# them (ENABLE, not ENABLE ALWAYS): the view's check at query time keeps it unread.
check "after the restore: not marked, not read, attempt exact" "$(state)" "$STALE_UNMARKED"
check "health's lock_triggers" "$(qd -c "SELECT status FROM attempt_health() WHERE \"check\" = 'lock_triggers'")" fail
check "attempt serves every restored row" "$(digest)" "$full"
qd -c "DO \$\$ DECLARE e name; BEGIN
         FOR e IN SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'attempt\\_lock\\_%' LOOP
             EXECUTE format('ALTER EVENT TRIGGER %I ENABLE', e);
         END LOOP; END \$\$"
# A DBA puts ENABLE ALWAYS back by hand: the store is not exact for that; the event trigger
# marks it stale now (the triggers are other catalog rows than the switch made).
qd -c "ALTER TABLE exam_results ENABLE ALWAYS TRIGGER attempt_store_insert, ENABLE ALWAYS TRIGGER attempt_store_update,
       ENABLE ALWAYS TRIGGER attempt_store_delete, ENABLE ALWAYS TRIGGER attempt_store_truncate"
check "ENABLE ALWAYS by hand: marked stale, not read" "$(state)" "$STALE_MARKED"
seconds=$(rebuild)
check "after the rebuild: read, exact" "$(state)|$(exact_problems)" "$READ_EXACT|0"
finish "bulk: restore, event triggers off" $((SECONDS - started)) "caught at query time; rebuild ${seconds}s"

say "f: the same restore under session_replication_role = replica"
started=$SECONDS
restore_after_truncate postgres "-c session_replication_role=replica"
check "after the restore: not marked, not read, attempt exact" "$(state)" "$STALE_UNMARKED"
check "attempt serves every restored row" "$(digest)" "$full"
seconds=$(rebuild)
check "after the rebuild: read, exact" "$(state)|$(exact_problems)" "$READ_EXACT|0"
finish "bulk: restore under replica" $((SECONDS - started)) "caught at query time; rebuild ${seconds}s"

# ---------------------------------------------------------------------------------------
# g: four COPY batches of new results: retakes of existing students (some completed before
# their latest, which renumbers them) and new students.
for k in 1 2 3 4; do
    qd -c "COPY (SELECT md5('bulk-$k-' || r)::uuid, e.user_id, 'bulk-$k',
                          e.created_at + CASE WHEN r % 7 = 0 THEN interval '-30 days' ELSE interval '60 days' END * $k, NULL,
                          e.result_json
                     FROM (SELECT row_number() OVER (ORDER BY id) AS r, user_id, created_at, result_json FROM exam_results) AS e
                    WHERE e.r <= $batch
                    UNION ALL
                   SELECT md5('bulk-new-$k-' || g)::uuid, 'bulk-student-$k-' || (g % 500), 'bulk-$k',
                          timestamptz '2026-05-01' + g * interval '1 minute', NULL,
                          '{\"questions\": [{\"question_id\": 1}, {\"question_id\": 2, \"is_correct\": true}]}'
                     FROM generate_series(1, $batch / 10) AS g) TO STDOUT" >"$DIR/batch$k.tsv"
done
copy_batches() {  # copy_batches FIRST LAST: COPY FROM each batch file, one statement each
    local k
    for k in $(seq "$1" "$2"); do
        qd -c "COPY exam_results FROM STDIN" <"$DIR/batch$k.tsv" || fail "COPY batch $k"
    done
}
say "g: COPY FROM, 2 batches of $((batch + batch / 10)) results, the store's triggers on"
started=$SECONDS
t=$(now)
copy_batches 1 2
copy_on=$(since "$t")
echo "        COPY with the store's triggers: $copy_on s"
check "after the COPYs: read, exact" "$(state)|$(exact_problems)" "$READ_EXACT|0"
finish "bulk: COPY batches, triggers on" $((SECONDS - started)) "2 COPYs ${copy_on}s"

say "g: COPY FROM, 2 batches with the triggers disabled for speed, then the rebuild"
started=$SECONDS
t=$(now)
qd -c "ALTER TABLE exam_results DISABLE TRIGGER ALL"
copy_batches 3 4
qd -c "ALTER TABLE exam_results ENABLE TRIGGER ALL"
copy_off=$(since "$t")
echo "        COPY without them: $copy_off s"
check "after the COPYs: marked stale, not read, attempt exact" "$(state)" "$STALE_MARKED"
seconds=$(rebuild)
echo "        attempt_store_rebuild(): $seconds s ($(qd -c "SELECT count(*) FROM exam_results") results)"
check "after the rebuild: read, exact" "$(state)|$(exact_problems)" "$READ_EXACT|0"
finish "bulk: COPY batches, triggers off" $((SECONDS - started)) "2 COPYs ${copy_off}s + rebuild ${seconds}s"

# ---------------------------------------------------------------------------------------
say "h: a logical replication subscriber"
started=$SECONDS
rel_cluster pub
PUB_DIR=$REL_DIR PUB_PORT=$REL_PORT
q "$PUB_DIR" "$PUB_PORT" -c "ALTER SYSTEM SET wal_level = logical" >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$PUB_DIR/data" -l "$PUB_DIR/server.log" -w restart >/dev/null || die "publisher restart failed"
q "$PUB_DIR" "$PUB_PORT" -v results=2000 -v questions=5 -v bad=5 -f "$REPO_ROOT/scripts/sql/generate_exam_results.sql" >/dev/null
q "$PUB_DIR" "$PUB_PORT" -c "CREATE PUBLICATION bulk_pub FOR TABLE exam_results" >/dev/null
q "$DIR" "$PORT" -c "CREATE DATABASE sub" >/dev/null
qs() { q "$DIR" "$PORT" -d sub "$@"; }
qs -c "CREATE TABLE exam_results (id uuid PRIMARY KEY, user_id text, session_id text, created_at timestamptz,
                                  updated_at timestamptz, result_json jsonb)" \
   -c "CREATE EXTENSION attempt_lock" >/dev/null
qs -c "SET client_min_messages = warning" -c "SELECT attempt_store_enable()" >/dev/null
qs -f - >/dev/null <<'EOF'
CREATE FUNCTION bulk_view_mismatches() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM (SELECT * FROM attempt EXCEPT ALL SELECT * FROM (%1$s) c) x)
                         + (SELECT count(*) FROM (SELECT * FROM (%1$s) c EXCEPT ALL SELECT * FROM attempt) y)',
                   attempt_view_query('computed')) INTO n;
    RETURN n;
END $$;
EOF
qs -c "CREATE SUBSCRIPTION bulk_sub CONNECTION 'host=$PUB_DIR port=$PUB_PORT dbname=postgres user=postgres' PUBLICATION bulk_pub" >/dev/null 2>&1 \
    || fail "CREATE SUBSCRIPTION"
for _ in $(seq 1 300); do  # the initial copy done (it is a COPY: the statement triggers fire)
    [ "$(qs -c "SELECT count(*) > 0 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel")" = t ] && break
    sleep 0.2
done
# The publisher's writes, applied by the apply worker (row by row, no statement triggers).
q "$PUB_DIR" "$PUB_PORT" -c "INSERT INTO exam_results SELECT md5('lr-' || g)::uuid, 'student-' || (g % 50), 'lr', timestamptz '2026-06-01' + g * interval '1 hour', NULL,
                                 '{\"questions\": [{\"question_id\": 1001}, {\"question_id\": 1002}]}' FROM generate_series(1, 100) AS g" \
    -c "UPDATE exam_results SET created_at = created_at - interval '1 year' WHERE id IN (SELECT id FROM exam_results ORDER BY id LIMIT 20)" \
    -c "DELETE FROM exam_results WHERE id IN (SELECT id FROM exam_results ORDER BY id DESC LIMIT 20)" >/dev/null
pub_count=$(q "$PUB_DIR" "$PUB_PORT" -c "SELECT count(*) FROM exam_results")
sub_count=""
for _ in $(seq 1 300); do
    sub_count=$(qs -c "SELECT count(*) FROM exam_results")
    [ "$sub_count" = "$pub_count" ] && break
    sleep 0.2
done
check "subscriber caught up" "$sub_count" "$pub_count"
check "subscriber: marked stale at CREATE SUBSCRIPTION, not read, attempt exact" "$(DB=sub state)" "$STALE_MARKED"
check "stale reason" "$(qs -c "SELECT stale_reason FROM attempt_store_status()")" \
    "CREATE SUBSCRIPTION by postgres: a logical replication subscription writes the source, and its apply worker fires none of the store's triggers"
check "rebuild refused on a subscriber" \
    "$(qs -c "SELECT attempt_store_rebuild()" 2>&1 | grep -o 'a logical replication subscription writes the source' | head -1)" \
    "a logical replication subscription writes the source"
qs -c "ALTER SUBSCRIPTION bulk_sub DISABLE" -c "ALTER SUBSCRIPTION bulk_sub SET (slot_name = NONE)" -c "DROP SUBSCRIPTION bulk_sub" >/dev/null
q "$PUB_DIR" "$PUB_PORT" -c "SELECT pg_drop_replication_slot('bulk_sub')" >/dev/null
check "subscription dropped: still marked stale, not read" "$(DB=sub state)" "$STALE_MARKED"
qs -c "SET client_min_messages = warning" -c "SELECT attempt_store_rebuild()" >/dev/null || fail "rebuild"
check "after the rebuild: read, exact" "$(DB=sub state)|$(DB=sub exact_problems)" "$READ_EXACT|0"
finish "bulk: subscriber (logical repl.)" $((SECONDS - started)) "apply fires no statement triggers"

say "h: a subscription created and dropped while the source's event trigger is off: only health sees it"
started=$SECONDS
qs -c "ALTER EVENT TRIGGER attempt_lock_watch_source DISABLE" >/dev/null
qs -c "CREATE SUBSCRIPTION bulk_sub2 CONNECTION 'host=$PUB_DIR port=$PUB_PORT dbname=postgres user=postgres'
       PUBLICATION bulk_pub WITH (copy_data = false)" >/dev/null 2>&1 || fail "CREATE SUBSCRIPTION"
q "$PUB_DIR" "$PUB_PORT" -c "INSERT INTO exam_results SELECT md5('lr2-' || g)::uuid, 'student-' || (g % 50), 'lr2', timestamptz '2026-07-01' + g * interval '1 hour', NULL,
                                 '{\"questions\": [{\"question_id\": 1003}]}' FROM generate_series(1, 50) AS g" >/dev/null
pub_count=$(q "$PUB_DIR" "$PUB_PORT" -c "SELECT count(*) FROM exam_results")
for _ in $(seq 1 300); do
    sub_count=$(qs -c "SELECT count(*) FROM exam_results")
    [ "$sub_count" = "$pub_count" ] && break
    sleep 0.2
done
check "subscriber caught up" "$sub_count" "$pub_count"
check "subscribed, event trigger off: not marked, but not read (query time)" "$(DB=sub state)" "$STALE_UNMARKED"
qs -c "ALTER SUBSCRIPTION bulk_sub2 DISABLE" -c "ALTER SUBSCRIPTION bulk_sub2 SET (slot_name = NONE)" -c "DROP SUBSCRIPTION bulk_sub2" >/dev/null
q "$PUB_DIR" "$PUB_PORT" -c "SELECT pg_drop_replication_slot('bulk_sub2')" >/dev/null
qs -c "ALTER EVENT TRIGGER attempt_lock_watch_source ENABLE" >/dev/null
# The documented blind spot: nothing marked it, and no subscription is left to see. The
# store is read again, 50 results short; health's comparison reports it (exact mode here).
check "subscription gone: read again, and health's exact check fails" \
    "$(qs -c "SELECT attempt_store_usable() || '|' || h.status || '|' || h.observed
                FROM attempt_health(exact => true, freshness_warn => NULL, freshness_fail => NULL) AS h WHERE h.\"check\" = 'store'")" \
    "true|fail|on, 1 problems"
qs -c "SET client_min_messages = warning" -c "SELECT attempt_store_rebuild()" >/dev/null || fail "rebuild"
check "after the rebuild: read, exact" "$(DB=sub state)|$(DB=sub exact_problems)" "$READ_EXACT|0"
finish "bulk: subscriber, no event trigger" $((SECONDS - started)) "blind spot: health's comparison fails"

[ $total_failures = 0 ]
