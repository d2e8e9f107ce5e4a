#!/usr/bin/env bash
# The whole test suite: the SQL regression tests against the installed release build, then
# the Rust unit tests and #[pg_test]s (cargo pgrx test). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_prerequisites

install_extension
say "release discipline (frozen scripts, exported symbols)"
scripts/check_release.sh
say "SQL regression tests"
scripts/regress.sh
# issue #9: load, kill -9, cancel and hot-standby scenarios in scratch clusters (reduced
# form, about 2 minutes; scripts/reliability/run.sh --long gives the documented figures).
say "reliability suite (reduced)"
scripts/reliability/run.sh
# issue #7: concurrent retakes of one student with the store on (several sessions at once,
# so not a pg_regress test).
say "incremental store under concurrent writers"
tests/store_concurrency.sh --seconds 8

say "cargo pgrx test (unit tests and pg_tests)"
pgdata=$(mktemp -d /tmp/attempt_lock_pgtest.XXXXXX)
as_root chown postgres: "$pgdata"
trap 'as_root rm -rf "$pgdata"' EXIT
# cargo pgrx test installs its own debug build and pgrx's generated functions-only script;
# put the release build and the frozen scripts back afterwards (no rebuild: a copy).
cargo pgrx test "pg$PG_MAJOR" --runas postgres --pgdata "$pgdata/data"
install_extension
say "all tests passed"
