# Shared by the reliability scripts (scripts/reliability/*.sh). Sourced, not run.
# Every script starts its own scratch clusters (PG_BIN's PostgreSQL, CREATE EXTENSION in
# them; nothing is installed anywhere), stops them on exit, prints what it measured and
# appends one summary row per scenario to $RELIABILITY_RESULTS:
#   scenario|clients|duration_s|transactions|failures|losses|status|note
# status is PASS, FAIL or SKIP; a SKIP says why. run.sh prints the table.

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RELIABILITY_RESULTS=${RELIABILITY_RESULTS:-/dev/null}
export PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT=10

LONG=0
STORE=0
for arg in "$@"; do
    case $arg in
        --long) LONG=1 ;;
        --store) STORE=1 ;;
        -h|--help) sed -n '2,/^set -/p' "$0" | sed -n '/^#/s/^# \{0,1\}//p'; exit 0 ;;
        *) die "unknown argument: $arg" ;;
    esac
done

# Clusters started by this script, stopped (and removed) on exit. Background sessions
# are ended through the shell's own job table (live children only: a remembered pid may
# belong to another process by then, as pids are reused quickly here).
REL_CLUSTERS=()
rel_cleanup() {
    local pid dir
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
    for dir in "${REL_CLUSTERS[@]}"; do
        stop_cluster "$dir"
        [ -n "${KEEP_CLUSTERS:-}" ] || as_root rm -rf "$dir"
    done
}
trap rel_cleanup EXIT

# rel_cluster NAME [LISTEN]: start a scratch cluster; sets REL_DIR and REL_PORT.
rel_cluster() {
    local name=$1 listen=${2:-}
    REL_DIR=$(mktemp -d "/tmp/rel-$name.XXXXXX")
    chmod 755 "$REL_DIR"
    REL_PORT=$(free_port 56200)
    REL_CLUSTERS+=("$REL_DIR")
    start_cluster "$REL_DIR" "$REL_PORT" "$listen"
}

# q DIR PORT SQL...: one value (or rows, unaligned), errors fail the caller.
q() {
    local dir=$1 port=$2; shift 2
    psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" "$@"
}

# setup_source DIR PORT RESULTS QUESTIONS: exam_results with generated data, the extension,
# the recommended index, ANALYZE.
setup_source() {
    local dir=$1 port=$2 results=$3 questions=$4
    q "$dir" "$port" -v results="$results" -v questions="$questions" -v bad=20 \
        -f "$REPO_ROOT/scripts/sql/generate_exam_results.sql" >/dev/null
    q "$dir" "$port" -c "CREATE EXTENSION attempt_lock ${EXT_VERSION:+VERSION '$EXT_VERSION'}" \
        -c "CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id))" \
        -c "ANALYZE exam_results" >/dev/null
}

# The rows of attempt as one digest (order-independent), and the health failures.
attempt_digest() { q "$1" "$2" -c "SELECT count(*) || ':' || md5(string_agg(a::text, ',' ORDER BY a.id)) FROM attempt a"; }
health_failures() {
    q "$1" "$2" -c "SELECT coalesce(string_agg(\"check\" || '=' || status, ',' ORDER BY \"check\"), 'none')
                      FROM attempt_health(freshness_warn => NULL, freshness_fail => NULL) WHERE status = 'fail'"
}

# store_available DIR PORT: has the installed version the incremental store (release 1.2,
# attempt_store_enable(batch_size DEFAULT ...))?
store_available() {
    [ "$(q "$1" "$2" -c "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_extension e ON e.extnamespace = p.pronamespace
                                         WHERE e.extname = 'attempt_lock' AND p.proname = 'attempt_store_enable')")" = t ]
}
# store_enabled DIR PORT: t, f, or none (no store in this version).
store_enabled() {
    store_available "$1" "$2" || { echo none; return; }
    q "$1" "$2" -c "SELECT enabled FROM attempt_store_status()"
}

# result NAME CLIENTS DURATION TRANSACTIONS FAILURES LOSSES STATUS NOTE
result() {
    printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$@" >>"$RELIABILITY_RESULTS"
    printf '%-34s %s  (clients %s, %ss, %s transactions, %s failures, %s losses)%s\n' \
        "$1" "$7" "$2" "$3" "$4" "$5" "$6" "${8:+: $8}" >&2
}

# wait_for DIR PORT SQL SECONDS: poll until SQL returns t.
wait_for() {
    local dir=$1 port=$2 sql=$3 seconds=$4 i
    for ((i = 0; i < seconds * 10; i++)); do
        [ "$(q "$dir" "$port" -c "$sql" 2>/dev/null)" = t ] && return 0
        sleep 0.1
    done
    return 1
}
