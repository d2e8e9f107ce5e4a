#!/usr/bin/env bash
# attempt_rejects before and after the native parser: a full scan of attempt_rejects on
# release 1.2 (its SQL parser, attempt_questions) and on the newest release (the native
# attempt_element_rejects), same library, same data, in a scratch cluster; checks that
# both list the same rows (count and a hash of every column), then prints each
# release's execution times (EXPLAIN ANALYZE, 3 runs) and their medians.
#
#   scripts/bench_rejects.sh [RESULTS [MALFORMED]]     (default 100000 results, 5000 malformed)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

results=${1:-100000} bad=${2:-5000}
newest=$(sed -n "s/^default_version = '\(.*\)'/\1/p" attempt_lock.control)
port=$(free_port 56300)
work=$(mktemp -d /tmp/attempt_lock_bench_rejects.XXXXXX)
as_root chown postgres: "$work"
trap 'as_postgres "$PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; as_root rm -rf "$work"' EXIT
as_postgres "$PG_BIN/initdb" -D "$work/data" -U postgres >/dev/null 2>&1
as_postgres "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o "-p $port -k $work \
    -c listen_addresses='' -c shared_buffers=1GB -c work_mem=64MB -c fsync=off -c autovacuum=off -c jit=off" start >/dev/null
q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$port" -U postgres "$@"; }
scan="SELECT count(*), count(DISTINCT reason),
             sum(hashtext(concat_ws('|', exam_result_id, position, question_id, field, reason, action)))
        FROM attempt_rejects"
declare -A rows
for version in 1.2 "$newest"; do
    db=rejects_${version/./_}
    q -d postgres -c "CREATE DATABASE $db"
    q -d "$db" -v results="$results" -v questions=20 -v bad="$bad" -f scripts/sql/generate_exam_results.sql >/dev/null
    q -d "$db" -c "CREATE EXTENSION attempt_lock VERSION '$version'" -c "VACUUM (FREEZE, ANALYZE)" >/dev/null
    rows[$version]=$(q -d "$db" -Atc "$scan")
done
[ "${rows[1.2]}" = "${rows[$newest]}" ] || die "attempt_rejects differs: 1.2 ${rows[1.2]}, $newest ${rows[$newest]}"
echo "data: $results results + $bad malformed, 20 questions; attempt_rejects rows|reasons|hash: ${rows[1.2]} (both)"
for version in 1.2 "$newest"; do
    db=rejects_${version/./_} times=()
    for _ in 1 2 3; do
        times+=("$(q -d "$db" -Atc "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $scan" |
                   python3 -c 'import json, sys; print(round(json.load(sys.stdin)[0]["Execution Time"]))')")
    done
    echo "release $version: ${times[*]} ms, median $(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p) ms"
done
