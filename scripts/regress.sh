#!/usr/bin/env bash
# SQL regression tests: tests/regress/sql/NAME.sql must produce tests/regress/expected/NAME.out.
# Runs pg_regress against a scratch cluster started as the postgres OS user (initdb refuses
# root). A test without an expected file, or an expected file without a test, is a failure:
# nothing is skipped silently. Usage: scripts/regress.sh [NAME ...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    for f in tests/regress/sql/*.sql; do tests+=("$(basename "$f" .sql)"); done
fi
[ ${#tests[@]} -gt 0 ] || die "no regression tests found"
orphans=0
for t in "${tests[@]}"; do
    [ -f "tests/regress/sql/$t.sql" ] || { echo "missing test: tests/regress/sql/$t.sql" >&2; orphans=1; }
    [ -f "tests/regress/expected/$t.out" ] || { echo "missing expected output: tests/regress/expected/$t.out" >&2; orphans=1; }
done
for f in tests/regress/expected/*.out; do
    [ -f "tests/regress/sql/$(basename "$f" .out).sql" ] || { echo "expected output without a test: $f" >&2; orphans=1; }
done
[ $orphans = 0 ] || die "every regression test needs its expected output (and vice versa)"

work=$(mktemp -d /tmp/attempt_lock_regress.XXXXXX)
chmod 755 "$work"
trap 'stop_cluster "$work"; as_root rm -rf "$work"' EXIT
port=$(free_port 54400)
start_cluster "$work" "$port"

# Each test gets a fresh database, so tests that commit (the lock's, the upgrades') do
# not leak into each other. Roles are cluster-wide: a test drops the roles it creates.
passed=0 failed=0 failures=()
rm -rf target/regress; mkdir -p "$work/out"
for t in "${tests[@]}"; do
    psql -X -q -h "$work" -p "$port" -U postgres -d postgres -c "CREATE DATABASE regress_$t"
    if "$($PG_CONFIG --pgxs | xargs dirname)/../test/regress/pg_regress" \
        --use-existing --host="$work" --port="$port" --user=postgres \
        --bindir="$PG_BIN" --inputdir=tests/regress --outputdir="$work/out/$t" \
        --dbname="regress_$t" "$t" >"$work/$t.log" 2>&1; then
        passed=$((passed + 1)); echo "ok     $t"
    else
        failed=$((failed + 1)); failures+=("$t"); echo "FAILED $t"
        cat "$work/out/$t/regression.diffs" 2>/dev/null || cat "$work/$t.log"
        mkdir -p target/regress && cp "$work/out/$t/results/$t.out" target/regress/ 2>/dev/null || true
    fi
done
[ $failed = 0 ] || echo "failed: ${failures[*]} (actual output in target/regress/)"
echo "regress: $passed passed, $failed failed"
[ $failed = 0 ]
