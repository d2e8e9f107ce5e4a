#!/usr/bin/env bash
# The demo: a scratch cluster (as the postgres OS user, on a free port), a realistic
# generated exam_results with the plain view attempt deployed on it as teams have it today
# (a KPI view on it, a grant), the extension adopting that view, and a tour of what it offers.
# It only ever touches the cluster it created in $ATTEMPT_LOCK_DEMO_DIR; re-running it
# stops that cluster and starts a fresh one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

dir=${ATTEMPT_LOCK_DEMO_DIR:-/tmp/attempt_lock_demo}
ensure_prerequisites
install_extension

if [ -d "$dir" ]; then
    [ -f "$dir/.attempt_lock_demo" ] || die "$dir exists and was not made by this demo; set ATTEMPT_LOCK_DEMO_DIR"
    say "stopping and removing the previous demo cluster in $dir"
    stop_cluster "$dir"
    as_root rm -rf "$dir"
fi
port=${ATTEMPT_LOCK_DEMO_PORT:-$(free_port 55432)}
say "starting a scratch cluster in $dir on port $port"
start_cluster "$dir" "$port" localhost
as_root touch "$dir/.attempt_lock_demo"

psql_demo() { psql -X -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d attempt_lock_demo "$@"; }
psql -X -q -h "$dir" -p "$port" -U postgres -d postgres -c 'CREATE DATABASE attempt_lock_demo'

say "loading exam_results: 4,000 students, 16,000 results x 20 questions, 8 malformed results"
psql_demo -q -v results=16000 -v questions=20 -v bad=8 -f scripts/sql/generate_exam_results.sql

say "the deployed view of today: the plain view attempt, a KPI view on it, BI's grant"
psql_demo -q -f scripts/sql/demo_deployed_view.sql

say "CREATE EXTENSION attempt_lock: refused, then adopting the deployed view, and a tour"
psql_demo -f scripts/sql/demo_tour.sql

cat <<MSG

The demo cluster is running.
  connect:  psql -h $dir -p $port -U postgres attempt_lock_demo
            (or host=localhost port=$port user=postgres dbname=attempt_lock_demo)
  stop:     sudo -u postgres $PG_BIN/pg_ctl -D $dir/data stop
  re-run:   scripts/demo.sh   (replaces this cluster with a fresh one)
MSG
