#!/usr/bin/env bash
# The reliability suite: load, faults, a hot standby and bulk loads with the
# incremental store, each in scratch clusters of PG_BIN's PostgreSQL with the attempt_lock
# already installed there (nothing is built or installed). Prints one summary table and
# exits non-zero when any scenario fails; a scenario that cannot run here (the store
# before release 1.2; the bulk loads off 15 in the reduced run) is a visible SKIP.
#   scripts/reliability/run.sh [--long]
# Reduced (CI, about 2 minutes, 3 on 15): short runs on small data. --long: the same scenarios at
# scale (about 20 minutes); the figures in docs/SCALING.md come from it.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
args=()
for arg in "$@"; do
    case $arg in
        --long) args+=(--long) ;;
        *) die "usage: scripts/reliability/run.sh [--long]" ;;
    esac
done

export RELIABILITY_RESULTS
RELIABILITY_RESULTS=$(mktemp /tmp/rel-results.XXXXXX)
trap 'rm -f "$RELIABILITY_RESULTS"' EXIT
started=$SECONDS
run() {  # SCRIPT ARGS...
    local script=$1; shift
    local before; before=$(wc -l <"$RELIABILITY_RESULTS")
    say "scripts/reliability/$script $*"
    if ! "scripts/reliability/$script" "$@"; then
        # A script that died before reporting its FAIL still counts as one.
        tail -n +$((before + 1)) "$RELIABILITY_RESULTS" | grep -q '|FAIL|' \
            || printf '%s|-|-|-|-|-|FAIL|died before reporting (its output is above)\n' "$script $*" >>"$RELIABILITY_RESULTS"
    fi
}
run pgbench_workload.sh "${args[@]}"
run pgbench_workload.sh "${args[@]}" --store
run kill_update.sh "${args[@]}"
run cancel_health.sh "${args[@]}"
run hot_standby.sh "${args[@]}"
# Bulk loads with the store on (pg_restore --disable-triggers, event triggers off, big COPY
# batches, a logical replication subscriber; about a minute): on 15 in the reduced suite,
# on every major with --long. Their quick cases run on every major in the regression
# tests (store_bulk_loads).
if [ "$PG_MAJOR" = 15 ] || [ ${#args[@]} -gt 0 ]; then
    run bulk_loads.sh "${args[@]}"
else
    echo "bulk_loads.sh|-|-|-|-|-|SKIP|reduced suite: PostgreSQL 15 only (--long runs it here; store_bulk_loads did)" >>"$RELIABILITY_RESULTS"
fi
# The dump/restore matrix (scripts/test.sh runs it as its own step: not in the reduced form).
if [ "${args[*]:-}" = --long ]; then run restore.sh; fi

echo
printf '%-34s %-7s %9s %10s %13s %9s %7s  %s\n' scenario status clients duration_s transactions failures losses note
printf '%s\n' "$(printf -- '-%.0s' $(seq 1 120))"
fails=0
while IFS='|' read -r scenario clients duration transactions failures losses status note; do
    printf '%-34s %-7s %9s %10s %13s %9s %7s  %s\n' "$scenario" "$status" "$clients" "$duration" \
        "$transactions" "$failures" "$losses" "$note"
    [ "$status" = FAIL ] && fails=$((fails + 1))
done <"$RELIABILITY_RESULTS"
echo
echo "reliability: $(wc -l <"$RELIABILITY_RESULTS") scenarios, $fails failed, $((SECONDS - started))s (${args[*]:-reduced})"
[ $fails = 0 ]
