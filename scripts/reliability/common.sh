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

# rel_cluster NAME [LISTEN]: start a scratch cluster; sets REL_DIR and REL_PORT (the first
# free port from REL_PORT_BASE, 56200 unless set).
rel_cluster() {
    local name=$1 listen=${2:-}
    REL_DIR=$(mktemp -d "/tmp/rel-$name.XXXXXX")
    chmod 755 "$REL_DIR"
    REL_PORT=$(free_port "${REL_PORT_BASE:-56200}")
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

# What restore.sh and pg_upgrade.sh compare. db_facts DIR PORT DB CUTOFF: the facts of a
# database made by scripts/sql/restore_source.sql, one "name<tab>value" line each
# (scripts/sql/restore_facts.sql; a fact whose query fails is missing, not fatal);
# fact NAME FACTS: one of them.
db_facts() {
    q "$1" "$2" -d "$3" -F $'\t' -v ON_ERROR_STOP=0 -v cutoff="$4" -f "$REPO_ROOT/scripts/sql/restore_facts.sql"
}
fact() { sed -n "s/^$1\t//p" <<<"$2"; }
fact_label() {
    case $1 in
        version) echo "extension version" ;;
        attempt) echo "attempt rows (count:md5 of the ordered rows)" ;;
        rejects) echo "attempt_rejects rows (count:md5)" ;;
        source) echo "the source (attempt_lock_config)" ;;
        indexes) echo "indexes on the source" ;;
        store) echo "the store (attempt_store_status())" ;;
        views) echo "definitions of the views on attempt and attempt_rejects" ;;
        view_columns) echo "columns of attempt, attempt_rejects and the views on them" ;;
        view_rows) echo "rows of attempt_daily_busy (on attempt_daily on attempt) and reject_reasons" ;;
        joined_rows) echo "rows of rejected_results (attempt_rejects joined to the source)" ;;
        grants) echo "grants on attempt, attempt_rejects and the views" ;;
        column_grants) echo "column grants" ;;
        history) echo "attempt_lock_history rows" ;;
        state) echo "attempt_lock_state rows (the baselines)" ;;
        override_log) echo "attempt_lock_override_log rows" ;;
        *) echo "$1" ;;
    esac
}
# check NAME EXPECTED ACTUAL: one PASS or FAIL line (LABEL names the scenario); counts
# into checks and failures.
check() {
    checks=$((checks + 1))
    if [ "$2" = "$3" ]; then echo "  PASS $label: $1${2:+: $(cut -c1-70 <<<"$2")}" >&2
    else echo "  FAIL $label: $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}

# health_differences BEFORE AFTER [CHECK=STATUS...]: of two "check=status ..." lists (the
# health fact), the checks not ok after whose status is not as before (a check ok after
# is fine: a restore records a new baseline, so an override used before it is no longer
# "since the last install"; an update clears the extension check's warn), but for the
# CHECK=STATUS pairs allowed.
health_differences() {
    local pair check status want out=""
    [ -n "$2" ] || { echo "no result from attempt_health()"; return; }
    for pair in $2; do
        check=${pair%%=*} status=${pair#*=}
        want=$(tr ' ' '\n' <<<"$1" | sed -n "s/^$check=//p")
        [[ " ${*:3} " == *" $pair "* ]] && continue
        if [ "$status" = fail ] || { [ "$status" != ok ] && [ "$status" != "$want" ]; }; then
            out="$out $check=$status(before: ${want:-none})"
        fi
    done
    echo "${out# }"
}

# lock_refuses DIR PORT DB: "refused" when the lock refuses a DDL on the view (55000).
lock_refuses() {
    local out
    out=$(psql -X -q -h "$1" -p "$2" -d "$3" -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
              -c "ALTER VIEW attempt RENAME TO attempt_renamed" 2>&1) && { echo "allowed"; return; }
    if grep -q "55000" <<<"$out"; then echo refused; else echo "failed otherwise: $(head -1 <<<"$out")"; fi
}

# writes_then_store DIR PORT DB SOURCE: an insert, an update and a delete on the source,
# then the store check of attempt_health(exact => true) (ok: off, or on and exact).
writes_then_store() {
    q "$1" "$2" -d "$3" -v source="$4" >/dev/null <<'SQL' || { echo "the writes failed"; return; }
INSERT INTO :source (id, user_id, session_id, created_at, updated_at, result_json)
SELECT md5('after-' || g)::uuid, 'late-' || g % 3, 'after', timestamptz '2026-03-02 00:00+00' + g * interval '1 minute', NULL,
       jsonb_build_object('questions', jsonb_build_array(jsonb_build_object('question_id', 1000 + g % 4, 'is_correct', g % 2 = 0)))
  FROM generate_series(1, 5) g;
UPDATE :source SET created_at = created_at - interval '10 days' WHERE session_id = 'after' AND user_id = 'late-1';
DELETE FROM :source WHERE session_id = 'after' AND user_id = 'late-2';
SQL
    q "$1" "$2" -d "$3" -c "SELECT status FROM attempt_health(exact => true) WHERE \"check\" = 'store'"
}
