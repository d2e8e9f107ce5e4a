#!/usr/bin/env bash
# Benchmark attempt_lock against the plain-SQL view it replaces (scripts/sql/bench_baseline.sql)
# and print one table of ratios, with the machine it ran on. Method and targets:
# docs/BENCHMARKS.md.
#
#   scripts/bench.sh [--scale 0.5M|2M|8M|all] [--quick]
#
# --scale   attempts in exam_results (x 20 questions per result); default 2M. 'all' runs
#           rows 1-5 at 2M and adds the time-vs-size rows at 0.5M, 2M and 8M.
# --quick   a smoke test of the harness: a tenth of the data, fewer repetitions.
#
# Rows 5b and 7 (the incremental store) run when the installed extension has
# attempt_store_enable() (release 1.2 and later).
#
# Uses the extension as installed in pg_config's directories (scripts/install.sh puts it
# there; this script never builds or installs anything) in a scratch cluster of its own,
# which it removes on exit.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. scripts/lib.sh

usage() { sed -n '5,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
scale=2M quick=0
while [ $# -gt 0 ]; do
    case $1 in
        --scale) [ $# -ge 2 ] || usage; scale=$2; shift 2 ;;
        --scale=*) scale=${1#--scale=}; shift ;;
        --quick) quick=1; shift ;;
        -h|--help) usage ;;
        *) usage ;;
    esac
done
case $scale in 0.5M|2M|8M|all) ;; *) usage ;; esac

[ -f "$($PG_CONFIG --sharedir)/extension/attempt_lock.control" ] &&
    [ -f "$($PG_CONFIG --pkglibdir)/attempt_lock.so" ] ||
    die "attempt_lock is not installed for PostgreSQL $PG_MAJOR: run scripts/install.sh first"

# Results per scale (x 20 questions = attempts). --quick keeps every ratio's shape but
# not its precision: a tenth of the data and of the hash inputs, fewer runs.
questions=20
results_for() { case $1 in 0.5M) echo 25000 ;; 2M) echo 100000 ;; 8M) echo 400000 ;; esac; }
if [ $quick = 1 ]; then div=10 reps=3 heavy_reps=1 inputs=100000
else div=1 reps=7 heavy_reps=3 inputs=1000000; fi
main_scale=$scale
[ "$scale" = all ] && main_scale=2M

# Settings chosen for a benchmark, not for production: large enough caches that every
# run reads from memory (so runs measure CPU work, which is what the extension changes),
# parallel query as a stock server would use it, no JIT (its compile time would swamp
# the sub-millisecond lookups and is off on many managed servers), and no background
# autovacuum landing in a measurement (the script VACUUMs explicitly after loading).
settings=(
    "shared_buffers=1GB" "work_mem=64MB" "maintenance_work_mem=1GB"
    "effective_cache_size=8GB" "random_page_cost=1.1"
    "max_parallel_workers_per_gather=2" "jit=off" "autovacuum=off"
    "synchronous_commit=off" "max_wal_size=8GB" "checkpoint_timeout=30min" "TimeZone=UTC"
)

work=$(mktemp -d /tmp/attempt_lock_bench.XXXXXX)
chmod 755 "$work"
trap 'stop_cluster "$work"; as_root rm -rf "$work"' EXIT
port=$(free_port 56000)
# Other work on the machine skews timings; the table reports how busy it was.
read -r load_start _ </proc/loadavg
say "starting a scratch cluster in $work on port $port"
start_cluster "$work" "$port"

psql_db() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$port" -U postgres -d "$db" "$@"; }
sql() { psql_db "$1" -At -c "$2"; }

for s in "${settings[@]}"; do sql postgres "ALTER SYSTEM SET ${s%%=*} = '${s#*=}'" >/dev/null; done
# shared_buffers needs a restart; pg_ctl restart reuses start_cluster's options.
as_postgres "$PG_BIN/pg_ctl" -D "$work/data" -w -m fast restart >/dev/null

# medians DB REPS WARMUP GROUP QUERY [GROUP QUERY ...]: the median server-side execution
# time in ms of each group of queries (groups numbered 1, 2, ...), space-separated, from
# REPS interleaved runs of every query after WARMUP unmeasured ones.
medians() {
    local db=$1 reps=$2 warmup=$3; shift 3
    local vars=() qs="" gs="" i=0
    while [ $# -gt 0 ]; do
        i=$((i + 1)); gs="$gs${gs:+, }$1"; vars+=(-v "q$i=$2"); qs="$qs${qs:+, }:'q$i'"; shift 2
    done
    echo "SELECT array_to_string(ARRAY(SELECT round(m::numeric, 3)
            FROM unnest(bench.medians_ms(ARRAY[$qs], ARRAY[$gs], $reps, $warmup)) m), ' ');" |
        psql_db "$db" -At "${vars[@]}"
}

# A scratch database at one scale: exam_results, the extension with its recommended
# index, the baseline view (no index of its own: the migration made none), the timing
# helpers, all of it in memory.
prepare_db() {
    local label=$1 db results try
    db=bench_$(echo "$label" | tr 'A-Z.' 'a-z_')
    results=$(( $(results_for "$label") / div ))
    say "[$label] generating $results results x $questions questions"
    sql postgres "CREATE DATABASE $db" >/dev/null
    psql_db "$db" -v results="$results" -v questions=$questions -v bad=0 \
        -f scripts/sql/generate_exam_results.sql >/dev/null
    # Others reinstall the extension from time to time; a CREATE EXTENSION that lands in
    # the middle of a reinstall fails and installs nothing, so it is safe to try again.
    for try in 1 2 3 4 5 6 7 8 9 10; do
        if sql "$db" "CREATE EXTENSION attempt_lock" >/dev/null 2>"$work/create_extension.err"; then
            break
        fi
        [ $try = 10 ] && { cat "$work/create_extension.err" >&2; die "CREATE EXTENSION attempt_lock failed"; }
        say "[$label] CREATE EXTENSION failed ($(head -1 "$work/create_extension.err")); retrying in 15 s"
        sleep 15
    done
    say "[$label] indexes, baseline view, VACUUM, prewarm"
    sql "$db" "CREATE INDEX exam_results_student_idx ON exam_results (attempt_student_uuid(user_id))" >/dev/null
    psql_db "$db" -f scripts/sql/bench_baseline.sql >/dev/null
    psql_db "$db" -f scripts/sql/bench_setup.sql >/dev/null
    # FREEZE sets every hint bit now, so no measured run pays for the first read's writes;
    # ANALYZE again for the statistics of the index expression.
    sql "$db" "VACUUM (FREEZE, ANALYZE) exam_results" >/dev/null
    sql "$db" "CREATE EXTENSION pg_prewarm" >/dev/null
    sql "$db" "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
               WHERE c.oid IN (SELECT 'exam_results'::regclass UNION ALL
                               SELECT reltoastrelid FROM pg_class WHERE oid = 'exam_results'::regclass UNION ALL
                               SELECT indexrelid FROM pg_index WHERE indrelid = 'exam_results'::regclass)
                 AND c.oid <> 0" >/dev/null
    echo "$db"
}

has_view() { [ "$(sql "$1" "SELECT to_regclass('public.attempt') IS NOT NULL")" = t ]; }

q_scan() { echo "SELECT count(*), sum(id), sum(attempt_no), sum(response_time_ms), count(DISTINCT student_id) FROM $1"; }
q_kpi() {
    echo "SELECT topic_id, DATE(completed_at) AS date, COUNT(*) AS attempts,
                 SUM(CASE WHEN correct THEN 1 ELSE 0 END) AS correct_count
            FROM $1 WHERE completed_at >= '$2'::timestamptz - INTERVAL '7 days'
           GROUP BY topic_id, DATE(completed_at) ORDER BY date DESC, attempts DESC"
}
# The seed runbook's weekly KPI: per student, over the last 7 days.
q_weekly() {
    echo "SELECT student_id, count(DISTINCT item_id) AS items, sum(correct::int) AS correct,
                 avg(response_time_ms) AS avg_ms
            FROM $1 WHERE completed_at >= '$2'::timestamptz - INTERVAL '7 days'
           GROUP BY student_id"
}
# Five real students of every kind of user_id (lower- and upper-case UUIDs, application
# ids), each with the time of their latest result as "now", so each lookup returns rows.
students() {
    sql "$1" "SELECT attempt_student_uuid(user_id) || '|' || max(COALESCE(updated_at, created_at))
                FROM (SELECT * FROM (SELECT user_id FROM exam_results WHERE user_id ~ '^[0-9a-f-]{36}\$' ORDER BY id LIMIT 2) a
                      UNION ALL SELECT * FROM (SELECT user_id FROM exam_results WHERE user_id ~ '^[0-9A-F-]{36}\$' ORDER BY id LIMIT 1) b
                      UNION ALL SELECT * FROM (SELECT user_id FROM exam_results WHERE user_id LIKE 'student-%' ORDER BY id LIMIT 2) c) s
                JOIN exam_results USING (user_id) GROUP BY user_id ORDER BY 1"
}
# lookup_args DB VIEW GROUP: the per-student queries on VIEW, as arguments of medians.
lookup_args() {
    local line
    students "$1" | while IFS= read -r line; do
        printf '%s\0%s\0' "$3" "SELECT * FROM $2 WHERE student_id = '${line%%|*}' AND completed_at >= '${line#*|}'::timestamptz - interval '30 days'"
    done
}

# Arithmetic and formatting in awk: bash has no floating point.
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
fmt_ms() { awk -v t="$1" 'BEGIN { if (t >= 100) printf "%.0f ms", t; else if (t >= 1) printf "%.1f ms", t; else printf "%.3f ms", t }'; }
fmt_x() { awk -v r="$1" 'BEGIN { if (r >= 100) printf "%.0fx", r; else printf "%.1fx", r }'; }
met() { if [ "$(calc "($1) ? 1 : 0")" = 1 ]; then echo yes; else echo NO; fi; }

rows=()
row() { rows+=("$1|$2|$3|$4|$5|$6"); }

main_db=$(prepare_db "$main_scale")
main_results=$(sql "$main_db" "SELECT count(*) FROM exam_results")
view=0
has_view "$main_db" && view=1
[ $view = 1 ] || say "the installed attempt_lock has no view attempt yet: rows 3-6 are n/a"

# Rows 1-2: one backend, no parallel workers, so the difference is per-call CPU time;
# bare, native and formula runs interleaved so that they share whatever else the machine
# is doing.
say "hashes: $inputs inputs, $reps runs each"
psql_db "$main_db" -v n="$inputs" -f scripts/sql/bench_inputs.sql >/dev/null
serial() { PGOPTIONS="-c max_parallel_workers_per_gather=0" "$@"; }
hash_row() {
    local metric=$1 target=$2 bare native formula n_ns f_ns r m
    m=$(serial medians "$main_db" "$reps" 1 1 "$3" 2 "$4" 3 "$5")
    read -r bare native formula <<<"$m"
    n_ns=$(calc "($native - $bare) * 1e6 / $inputs")
    f_ns=$(calc "($formula - $bare) * 1e6 / $inputs")
    r=$(calc "($formula - $bare) / ($native - $bare)")
    row "$metric" "$(calc "sprintf(\"%.0f ns\", $n_ns)")" "$(calc "sprintf(\"%.0f ns\", $f_ns)")" \
        "$(fmt_x "$r") faster" ">= ${target}x" "$(met "$r >= $target")"
}
# The same aggregate over each expression; the bare scan reads (deforms) both inputs and
# calls nothing: length() there would be charged to neither side, and on a quiet machine
# cost about as much as the native hash.
hash_row "1 attempt_id(text,text), net ns/call" 8 \
    "SELECT count(b) FROM bench.pairs" \
    "SELECT count(attempt_id(a, b)) FROM bench.pairs" \
    "SELECT count(('x' || substr(md5(a || '-' || b), 1, 16))::bit(64)::bigint) FROM bench.pairs"
hash_row "2 attempt_student_uuid(text), net ns/call" 40 \
    "SELECT count(u) FROM bench.users" \
    "SELECT count(attempt_student_uuid(u)) FROM bench.users" \
    "SELECT count(CASE WHEN u ~* '^[0-9a-fA-F-]{36}\$' THEN u::uuid ELSE md5(u)::uuid END) FROM bench.users"

# The two views must compute the same rows, or the comparison means nothing; the check
# is also the full scans' warm-up run.
agree() {
    local db=$1 a b
    a=$(sql "$db" "$(q_scan attempt)"); b=$(sql "$db" "$(q_scan attempt_baseline)")
    [ "$a" = "$b" ] || say "WARNING: attempt and attempt_baseline disagree: $a vs $b"
}

na="n/a (view not installed)"
declare -A scan_a scan_b look_a look_b
measure_scale() {
    local label=$1 db=$2 m args=()
    say "[$label] full scan, $heavy_reps runs each; per-student lookup, $reps runs (baseline $heavy_reps) x 5 students"
    if [ $view = 1 ]; then
        agree "$db"
        m=$(medians "$db" "$heavy_reps" 0 1 "$(q_scan attempt)" 2 "$(q_scan attempt_baseline)")
        read -r "scan_a[$label]" "scan_b[$label]" <<<"$m"
        mapfile -d '' -t args < <(lookup_args "$db" attempt 1)
        look_a[$label]=$(medians "$db" "$reps" 1 "${args[@]}")
        # The baseline computes its whole view for each lookup: scan-sized, scan repetitions.
        mapfile -d '' -t args < <(lookup_args "$db" attempt_baseline 1)
        look_b[$label]=$(medians "$db" "$heavy_reps" 0 "${args[@]}")
    else
        sql "$db" "$(q_scan attempt_baseline)" >/dev/null
        scan_b[$label]=$(medians "$db" "$heavy_reps" 0 1 "$(q_scan attempt_baseline)")
        mapfile -d '' -t args < <(lookup_args "$db" attempt_baseline 1)
        look_b[$label]=$(medians "$db" "$heavy_reps" 0 "${args[@]}")
    fi
}

measure_scale "$main_scale" "$main_db"
if [ $view = 1 ]; then
    r=$(calc "${scan_a[$main_scale]} / ${scan_b[$main_scale]}")
    row "3 full scan (5 aggregates)" "$(fmt_ms "${scan_a[$main_scale]}")" "$(fmt_ms "${scan_b[$main_scale]}")" \
        "$(calc "sprintf(\"%.3f\", $r)") of its time" "<= 0.15" "$(met "$r <= 0.15")"
    r=$(calc "${look_b[$main_scale]} / ${look_a[$main_scale]}")
    row "4 per-student 30-day lookup" "$(fmt_ms "${look_a[$main_scale]}")" "$(fmt_ms "${look_b[$main_scale]}")" \
        "$(fmt_x "$r") faster" ">= 1000x" "$(met "$r >= 1000")"
else
    row "3 full scan (5 aggregates)" "$na" "$(fmt_ms "${scan_b[$main_scale]}")" "n/a" "<= 0.15" "n/a"
    row "4 per-student 30-day lookup" "$na" "$(fmt_ms "${look_b[$main_scale]}")" "n/a" ">= 1000x" "n/a"
fi

say "[$main_scale] 7-day KPI, $heavy_reps runs each"
max_ts=$(sql "$main_db" "SELECT max(COALESCE(updated_at, created_at)) FROM exam_results")
if [ $view = 1 ]; then
    m=$(medians "$main_db" "$heavy_reps" 1 1 "$(q_kpi attempt "$max_ts")" 2 "$(q_kpi attempt_baseline "$max_ts")")
    read -r kpi_a kpi_b <<<"$m"
    r=$(calc "$kpi_b / $kpi_a")
    row "5 weekly KPI (7 days)" "$(fmt_ms "$kpi_a")" "$(fmt_ms "$kpi_b")" "$(fmt_x "$r") faster" "none yet" "-"
    m=$(medians "$main_db" "$heavy_reps" 1 1 "$(q_weekly attempt "$max_ts")" 2 "$(q_weekly attempt_baseline "$max_ts")")
    read -r a b <<<"$m"
    row "5 per-student weekly KPI (7 days)" "$(fmt_ms "$a")" "$(fmt_ms "$b")" "$(fmt_x "$(calc "$b / $a")") faster" "none yet" "-"
else
    kpi_b=$(medians "$main_db" "$heavy_reps" 1 1 "$(q_kpi attempt_baseline "$max_ts")")
    row "5 weekly KPI (7 days)" "$na" "$(fmt_ms "$kpi_b")" "n/a" "none yet" "n/a"
fi

# Rows 5b and 7: the incremental store, where the installed version has it.
has_store() { [ "$(sql "$1" "SELECT to_regprocedure('attempt_store_enable(integer)') IS NOT NULL")" = t ]; }
nstore="n/a (the installed extension has no attempt_store_enable())"
store_note=""
if [ $view = 1 ] && has_store "$main_db"; then
    # The on-the-fly definition as a plain view, so that it can be timed interleaved with
    # the store-served attempt (which replaces it while the store is on).
    sql "$main_db" "SELECT 'CREATE VIEW bench.attempt_on_the_fly AS ' || attempt_view_query('computed')" |
        psql_db "$main_db" >/dev/null
    say "[$main_scale] switching the store on (backfill)"
    t0=$(date +%s.%N)
    psql_db "$main_db" -c "SET client_min_messages = error" -c "SELECT attempt_store_enable()" >/dev/null
    enable_s=$(calc "$(date +%s.%N) - $t0")
    sql "$main_db" "VACUUM (FREEZE, ANALYZE) attempt_lock_store.attempt_store" >/dev/null
    sql "$main_db" "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
                    WHERE c.relnamespace = 'attempt_lock_store'::regnamespace AND c.relkind IN ('r', 'i')" >/dev/null
    store_rows=$(sql "$main_db" "SELECT count(*) FROM attempt")
    store_note="store:      attempt_store_enable() took $(calc "sprintf(\"%.0f\", $enable_s)") s for $(printf "%'d" "$store_rows") attempts (parse, number, write, index)"
    row "5d attempt_store_enable() at $main_scale" "$(calc "sprintf(\"%.1f s\", $enable_s)")" "" "" "<= 10 s at 2M" \
        "$(if [ "$main_scale" = 2M ] && [ $quick = 0 ]; then met "$enable_s <= 10"; else echo -; fi)"
    say "[$main_scale] 7-day KPI, store vs on the fly, $heavy_reps runs each"
    m=$(medians "$main_db" "$heavy_reps" 1 1 "$(q_kpi attempt "$max_ts")" 2 "$(q_kpi bench.attempt_on_the_fly "$max_ts")")
    read -r kpi_s kpi_f <<<"$m"
    r=$(calc "$kpi_f / $kpi_s")
    row "5b weekly KPI (7 days), store on vs off" "$(fmt_ms "$kpi_s")" "$(fmt_ms "$kpi_f") (store off)" \
        "$(fmt_x "$r") faster" ">= 20x" "$(met "$r >= 20")"
    # Row 5c: the row-store limit. attempt's rows in a plain table indexed on completed_at:
    # the store must read a window about as fast as such a table does.
    say "[$main_scale] 7-day KPIs, store vs a plain table of attempt's rows, $reps runs each"
    sql "$main_db" "CREATE TABLE bench.attempt_table AS SELECT * FROM attempt" >/dev/null
    sql "$main_db" "CREATE INDEX ON bench.attempt_table (completed_at)" >/dev/null
    sql "$main_db" "VACUUM (FREEZE, ANALYZE) bench.attempt_table" >/dev/null
    sql "$main_db" "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c WHERE c.relnamespace = 'bench'::regnamespace AND c.relkind IN ('r', 'i')" >/dev/null
    m=$(medians "$main_db" "$reps" 1 1 "$(q_weekly attempt "$max_ts")" 2 "$(q_weekly bench.attempt_table "$max_ts")" \
                                    3 "$(q_kpi attempt "$max_ts")" 4 "$(q_kpi bench.attempt_table "$max_ts")")
    read -r wk_s wk_t tp_s tp_t <<<"$m"
    r=$(calc "$wk_s / $wk_t")
    row "5c per-student weekly KPI, store vs plain table" "$(fmt_ms "$wk_s")" "$(fmt_ms "$wk_t") (table)" \
        "$(calc "sprintf(\"%.2f\", $r)") of its time" "<= 1.25" "$(met "$r <= 1.25")"
    r=$(calc "$tp_s / $tp_t")
    row "5c per-topic daily count, store vs plain table" "$(fmt_ms "$tp_s")" "$(fmt_ms "$tp_t") (table)" \
        "$(calc "sprintf(\"%.2f\", $r)") of its time" "<= 1.25" "$(met "$r <= 1.25")"

    # Row 7: pgbench, one result of $questions questions per transaction, the JSON a literal
    # as a client sends it, into exam_results (with the store's triggers) and into a copy
    # of it with the same indexes and no triggers, in alternating runs with the same
    # clients and duration. The students are the data's own: inserts are retakes.
    sql "$main_db" "CREATE TABLE bench.exam_results_plain (LIKE exam_results INCLUDING ALL)" >/dev/null
    sql "$main_db" "INSERT INTO bench.exam_results_plain SELECT * FROM exam_results" >/dev/null
    sql "$main_db" "VACUUM (FREEZE, ANALYZE) bench.exam_results_plain" >/dev/null
    students_n=$(sql "$main_db" "SELECT greatest(count(*) / 4, 1) FROM exam_results")
    questions_json=$(sql "$main_db" "SELECT jsonb_build_object('questions', jsonb_agg(jsonb_build_object(
        'question_id', 1000 + q * 13 % 400, 'is_correct', q % 3 <> 0, 'time_spent_sec', 5 + q * 1.5,
        'used_hints', (q % 7 = 0)::int, 'topic', (ARRAY['algebra', 'geometry', 'reading', 'vocabulary', ''])[1 + q % 5])
        ORDER BY q)) FROM generate_series(1, $questions) q")
    for target in exam_results bench.exam_results_plain; do
        cat >"$work/insert_$target.sql" <<EOF
\set r random(1, 1000000000)
\set s random(1, $students_n)
INSERT INTO $target (id, user_id, session_id, created_at, updated_at, result_json)
VALUES (md5('pgbench-' || :r || '-' || :client_id || '-' || clock_timestamp())::uuid,
        CASE WHEN :s % 10 < 6 THEN md5('student-' || :s)::uuid::text
             WHEN :s % 10 < 7 THEN upper(md5('student-' || :s)::uuid::text)
             ELSE 'student-' || :s END,
        'pgbench', now(), NULL, '$questions_json');
EOF
    done
    if [ $quick = 1 ]; then pg_runs=2 pg_secs=5; else pg_runs=3 pg_secs=20; fi
    pg_clients=2
    tps() {  # tps TABLE SYNCHRONOUS_COMMIT: the tps of one pgbench run
        PGOPTIONS="-c synchronous_commit=$2" "$PG_BIN/pgbench" -n -h "$work" -p "$port" -U postgres \
            -c $pg_clients -j $pg_clients -T $pg_secs -f "$work/insert_$1.sql" "$main_db" 2>&1 |
            sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
    }
    median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    insert_row() {  # insert_row LABEL SYNCHRONOUS_COMMIT
        local on=() off=() i t_on t_off
        for i in $(seq 1 $pg_runs); do
            off+=("$(tps bench.exam_results_plain "$2")")
            on+=("$(tps exam_results "$2")")
        done
        t_on=$(median "${on[@]}"); t_off=$(median "${off[@]}")
        r=$(calc "$t_on / $t_off")
        row "7 inserts/s with the store, $1" "$(calc "sprintf(\"%.0f tps\", $t_on)")" \
            "$(calc "sprintf(\"%.0f tps\", $t_off)") (no store)" "$(calc "sprintf(\"%.2f\", $r)") of it" ">= 0.67" "$(met "$r >= 0.67")"
    }
    say "[$main_scale] inserts: pgbench, $pg_clients clients, $pg_runs x $pg_secs s each way, synchronous_commit=off, fsync=off"
    insert_row "synchronous_commit=off, fsync=off" off
    # Production commits durably: the second pair runs with fsync on (restart without the
    # scratch cluster's fsync=off) and synchronous_commit on.
    say "[$main_scale] inserts again with fsync=on, synchronous_commit=on"
    as_postgres "$PG_BIN/pg_ctl" -D "$work/data" -w -m fast stop >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
        -o "-p $port -k $work -c listen_addresses=''" start >/dev/null
    insert_row "synchronous_commit=on, fsync=on" on
    # Row 7b: one result's result_json rewritten (a regrade), with and without the store:
    # a random result of each table's own (row 7 inserted different ids into each).
    for target in exam_results bench.exam_results_plain; do
        ids="bench.ids_${target#bench.}"
        sql "$main_db" "CREATE TABLE $ids AS SELECT row_number() OVER () AS n, id FROM $target" >/dev/null
        sql "$main_db" "CREATE UNIQUE INDEX ON $ids (n)" >/dev/null
        cat >"$work/insert_$target.sql" <<EOF
\set n random(1, $(sql "$main_db" "SELECT count(*) FROM $ids"))
UPDATE $target SET result_json = jsonb_set(result_json, '{questions,0,is_correct}', to_jsonb(random() < 0.5)),
                   updated_at = now()
 WHERE id = (SELECT id FROM $ids WHERE n = :n);
EOF
    done
    on=() off=()
    for i in $(seq 1 $pg_runs); do
        off+=("$(tps bench.exam_results_plain on)")
        on+=("$(tps exam_results on)")
    done
    t_on=$(median "${on[@]}"); t_off=$(median "${off[@]}")
    r=$(calc "$t_off / $t_on")
    row "7b updates of one result, synchronous_commit=on" "$(calc "sprintf(\"%.0f tps\", $t_on)")" \
        "$(calc "sprintf(\"%.0f tps\", $t_off)") (no store)" "$(calc "sprintf(\"%.2f\", $r)")x the cost" "<= 2x" "$(met "$r <= 2")"
    store_note="$store_note; row 7: pgbench -c $pg_clients, median tps of $pg_runs alternating runs of $pg_secs s each way"
    [ "$(sql "$main_db" "SELECT count(*) FROM attempt_store_sync_problems(exact => true)")" = 0 ] ||
        say "WARNING: the store is not in sync after the insert benchmark"
else
    row "5b weekly KPI (7 days), store on vs off" "$nstore" "" "" ">= 20x" "n/a"
    row "7 inserts/s with the store" "$nstore" "" "" ">= 0.67" "n/a"
fi

# Row 8 (--scale all): at 8M, the seed's weekly KPI on the plain view, and a full scan
# with and without parallel workers (no target on 2 cores: the docs say what it is).
row8() {  # row8 DB
    local ts m a b serial_ms
    ts=$(sql "$1" "SELECT max(COALESCE(updated_at, created_at)) FROM exam_results")
    m=$(medians "$1" "$heavy_reps" 1 1 "$(q_weekly attempt "$ts")" 2 "$(q_weekly attempt_baseline "$ts")")
    read -r a b <<<"$m"
    row "8 per-student weekly KPI at 8M" "$(fmt_ms "$a")" "$(fmt_ms "$b")" "$(fmt_x "$(calc "$b / $a")") faster" "" ""
    serial_ms=$(PGOPTIONS="-c max_parallel_workers_per_gather=0" medians "$1" "$heavy_reps" 0 1 "$(q_scan attempt)")
    m=$(PGOPTIONS="-c max_parallel_workers_per_gather=2 -c parallel_setup_cost=0 -c parallel_tuple_cost=0" \
        medians "$1" "$heavy_reps" 0 1 "$(q_scan attempt)")
    row "8 full scan at 8M, 2 workers vs none" "$(fmt_ms "$m")" "$(fmt_ms "$serial_ms") (none)" \
        "$(calc "sprintf(\"%.2f\", $m / $serial_ms)") of its time" "" ""
}

if [ "$scale" = all ]; then
    for label in 0.5M 8M; do
        db=$(prepare_db "$label")
        measure_scale "$label" "$db"
        [ "$label" = 8M ] && [ $view = 1 ] && row8 "$db"
        # Nothing else reads this database; dropping it keeps the page cache for the next.
        sql postgres "DROP DATABASE $db" >/dev/null
    done
    for label in 0.5M 2M 8M; do
        if [ $view = 1 ]; then
            row "6 full scan at $label" "$(fmt_ms "${scan_a[$label]}")" "$(fmt_ms "${scan_b[$label]}")" \
                "$(calc "sprintf(\"%.3f\", ${scan_a[$label]} / ${scan_b[$label]})") of its time" "" ""
        else
            row "6 full scan at $label" "$na" "$(fmt_ms "${scan_b[$label]}")" "n/a" "" ""
        fi
    done
    for label in 0.5M 2M 8M; do
        if [ $view = 1 ]; then
            row "6 per-student lookup at $label" "$(fmt_ms "${look_a[$label]}")" "$(fmt_ms "${look_b[$label]}")" \
                "$(fmt_x "$(calc "${look_b[$label]} / ${look_a[$label]}")") faster" "" ""
        else
            row "6 per-student lookup at $label" "$na" "$(fmt_ms "${look_b[$label]}")" "n/a" "" ""
        fi
    done
    # 16x the data: a scan should take 8-32x as long (linear, give or take cache
    # effects); a lookup through the index at most twice as long (flat).
    gb=$(calc "${scan_b[8M]} / ${scan_b[0.5M]}")
    lb=$(calc "${look_b[8M]} / ${look_b[0.5M]}")
    if [ $view = 1 ]; then
        g=$(calc "${scan_a[8M]} / ${scan_a[0.5M]}")
        row "6 full scan growth, 0.5M -> 8M (16x data)" "$(fmt_x "$g")" "$(fmt_x "$gb")" "" "8x-32x (linear)" \
            "$(met "$g >= 8 && $g <= 32")"
        g=$(calc "${look_a[8M]} / ${look_a[0.5M]}")
        row "6 per-student growth, 0.5M -> 8M" "$(fmt_x "$g")" "$(fmt_x "$lb")" "" "<= 2x (flat)" "$(met "$g <= 2")"
    else
        row "6 full scan growth, 0.5M -> 8M (16x data)" "$na" "$(fmt_x "$gb")" "n/a" "8x-32x (linear)" "n/a"
        row "6 per-student growth, 0.5M -> 8M" "$na" "$(fmt_x "$lb")" "n/a" "<= 2x (flat)" "n/a"
    fi
fi

# The machine and what ran on it, printed with the table so a figure never travels alone.
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain 2>/dev/null)" ] || commit="$commit (work tree modified)"
lib=$($PG_CONFIG --pkglibdir)/attempt_lock.so
ext="attempt_lock $(sql "$main_db" "SELECT extversion FROM pg_extension WHERE extname = 'attempt_lock'")"
ext="$ext, $lib of $(date -u -r "$lib" '+%Y-%m-%d %H:%M UTC'), view attempt $([ $view = 1 ] && echo installed || echo 'not installed')"
cmd="scripts/bench.sh --scale $scale"
[ $quick = 1 ] && cmd="$cmd --quick"

echo
echo "command:    $cmd"
echo "machine:    $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr)"
echo "server:     $(sql "$main_db" "SELECT version()")"
echo "extension:  $ext"
echo "commit:     $commit"
read -r load_end _ </proc/loadavg
echo "load:       1-minute load average $load_start at start, $load_end at end"
echo "settings:   ${settings[*]}"
echo "data:       $(printf "%'d" "$main_results") results x $questions questions = $(printf "%'d" $((main_results * questions))) attempts$([ "$scale" = all ] && echo " in rows 1-5")$([ $quick = 1 ] && echo " (--quick: a tenth of every scale)"); hash inputs: $(printf "%'d" "$inputs") rows"
echo "timing:     server-side execution time, median of $reps runs (lookups: x 5 students) / $heavy_reps runs (scans, KPI, baseline lookups)"
[ -z "$store_note" ] || echo "$store_note"
echo
{
    echo "metric|attempt_lock|baseline|ratio|target|met?"
    echo "---|---|---|---|---|---"
    printf '%s\n' "${rows[@]}"
} | awk -F'|' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
    END {
        for (r = 1; r <= n; r++) {
            line = "|"
            for (i = 1; i <= nf; i++) {
                c = cell[r, i]
                if (r == 2) { c = ""; while (length(c) < w[i]) c = c "-" }
                line = line " " sprintf("%-" w[i] "s", c) " |"
            }
            print line
        }
    }'
