#!/usr/bin/env bash
# The whole test suite: Rust unit tests and #[pg_test]s (cargo pgrx test), then the SQL
# regression tests against the installed extension. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_prerequisites

say "cargo pgrx test (unit tests and pg_tests)"
pgdata=$(mktemp -d /tmp/attempt_lock_pgtest.XXXXXX)
as_root chown postgres: "$pgdata"
trap 'as_root rm -rf "$pgdata"' EXIT
# cargo pgrx test installs pgrx's generated functions-only script as attempt_lock--1.0.sql;
# install_extension below puts the frozen release scripts back before the SQL tests.
cargo pgrx test "pg$PG_MAJOR" --runas postgres --pgdata "$pgdata/data"

install_extension
say "SQL regression tests"
scripts/regress.sh
say "all tests passed"
