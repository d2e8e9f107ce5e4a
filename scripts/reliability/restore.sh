#!/usr/bin/env bash
# Dump and restore: source databases with attempt_lock (hostile data, views on
# attempt and attempt_rejects two levels deep with grants to two roles and a column grant,
# the recommended index, an override in the log, the store on or off), dumped with
# pg_dump and restored into empty databases of the same cluster:
#   plain       pg_dump | psql -v ON_ERROR_STOP=1
#   custom-1    pg_dump -Fc, pg_restore -1 (one transaction)
#   custom-j2   pg_dump -Fc, pg_restore -j 2
#   dir-1       pg_dump -Fd, pg_restore -1
#   dir-j2      pg_dump -Fd, pg_restore -j 2
#   split       pg_restore --schema-only, then pg_restore --data-only
#   table       pg_dump -t <source>, restored with psql into a database whose extension
#               waits for it (created with check_function_bodies = off, as a restore does)
# After each: no error, the same extension version, the rows of attempt and
# attempt_rejects identical to the source database's (count and md5 of the ordered rows),
# the lock on (a DDL on the view refused), the source's history, state and override-log
# rows kept, the index, the dependent views with their rows and grants, the source table,
# the store in the same state (on: exact, attempt_health(exact => true) says so), and
# attempt_health() with no fail and every status as in the source database.
#   scripts/reliability/restore.sh [--smoke]
# Variants: default (public.exam_results, uuid ids, store on), app (app.results, text
# ids, a decoy public.exam_results that keeps the contract too, store off, and a view that
# joins attempt_rejects to the source on the id, whose restore needs the source named in
# the session: PGOPTIONS='-c attempt_lock.source_table=app.results', docs/OPERATIONS.md,
# "Backups and restores") and app-store (app.results, store on, without that view, restored
# without naming the source: the restored row of attempt_lock_config completes it). The
# full matrix runs every mode on each (table on default only); --smoke: default, plain and
# custom-1 only; RESTORE_VARIANTS="app" runs only those variants.
set -euo pipefail
SMOKE=0
for arg in "$@"; do
    case $arg in
        --smoke) SMOKE=1 ;;
        -h|--help) sed -n '2,/^set -/p' "$0" | sed -n '/^#/s/^# \{0,1\}//p'; exit 0 ;;
        *) echo "usage: scripts/reliability/restore.sh [--smoke]" >&2; exit 2 ;;
    esac
done
set --
. "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

if [ $SMOKE = 1 ]; then
    variants=(default)
    modes_default=(plain custom-1)
else
    read -r -a variants <<<"${RESTORE_VARIANTS:-default app app-store}"
    modes_default=(plain custom-1 custom-j2 dir-1 dir-j2 split table)
    modes_app=(plain custom-1 custom-j2 dir-1 dir-j2 split)
fi

REL_PORT_BASE=57000 rel_cluster restore
D=$REL_DIR P=$REL_PORT
DUMPS=$D/dumps; mkdir -p "$DUMPS"
qd() { local db=$1; shift; q "$D" "$P" -d "$db" "$@"; }

# facts DB CUTOFF: the facts of a database made by scripts/sql/restore_source.sql.
facts() { db_facts "$D" "$P" "$1" "$2"; }

failures=0 checks=0 scenario_failures=0

for variant in "${variants[@]}"; do
    # name_source: the restores name the source in their session (needed by rejected_results).
    case $variant in
        default) source=public.exam_results store=on join_view=on name_source=no ;;
        app) source=app.results store=off join_view=on name_source=yes ;;
        app-store) source=app.results store=on join_view=off name_source=no ;;
    esac
    src=src_${variant//-/_}
    say "source database $src: $source, store $store"
    qd postgres -c "CREATE DATABASE $src"
    started=$SECONDS
    qd "$src" -v source="$source" -v store="$store" -v join_view="$join_view" -f scripts/sql/restore_source.sql >/dev/null 2>"$D/$src.log" \
        || { cat "$D/$src.log" >&2; die "could not set up $src"; }
    cutoff=$(qd "$src" -c "SELECT clock_timestamp()")
    src_facts=$(facts "$src" "$cutoff")
    src_health=$(fact health "$src_facts")
    echo "  $(fact attempt "$src_facts" | cut -d: -f1) attempt rows, $(fact rejects "$src_facts" | cut -d: -f1) attempt_rejects rows (setup $((SECONDS - started)) s); not ok in the source: $(tr ' ' '\n' <<<"$src_health" | grep -v '=ok$' | paste -sd' ' - || true)" >&2

    started=$SECONDS
    pg_dump -h "$D" -p "$P" -d "$src" -f "$DUMPS/$src.sql"
    pg_dump -h "$D" -p "$P" -d "$src" -Fc -f "$DUMPS/$src.custom"
    [ $SMOKE = 1 ] || pg_dump -h "$D" -p "$P" -d "$src" -Fd -f "$DUMPS/$src.dir"
    [ $SMOKE = 1 ] || pg_dump -h "$D" -p "$P" -d "$src" -t "$source" -f "$DUMPS/$src.table.sql"
    sizes="plain $(du -k "$DUMPS/$src.sql" | cut -f1) kB, custom $(du -k "$DUMPS/$src.custom" | cut -f1) kB"
    echo "  dumps: $sizes ($((SECONDS - started)) s)" >&2

    restore_env=()
    [ $name_source = no ] || restore_env=(PGOPTIONS="-c attempt_lock.source_table=$source")
    if [ "$variant" = default ]; then modes=("${modes_default[@]}"); else modes=("${modes_app[@]}"); fi
    for mode in "${modes[@]}"; do
        label="$variant/$mode" failures=0 checks=0
        t=t_${variant//-/_}_${mode//-/_}
        qd postgres -c "CREATE DATABASE $t"
        log=$D/$t.log
        started=$SECONDS
        restored=ok
        {
            case $mode in
                plain) env "${restore_env[@]}" psql -X -q -h "$D" -p "$P" -d "$t" -v ON_ERROR_STOP=1 -f "$DUMPS/$src.sql" ;;
                custom-1) env "${restore_env[@]}" pg_restore -h "$D" -p "$P" -d "$t" -1 "$DUMPS/$src.custom" ;;
                custom-j2) env "${restore_env[@]}" pg_restore -h "$D" -p "$P" -d "$t" -j 2 --exit-on-error "$DUMPS/$src.custom" ;;
                dir-1) env "${restore_env[@]}" pg_restore -h "$D" -p "$P" -d "$t" -1 "$DUMPS/$src.dir" ;;
                dir-j2) env "${restore_env[@]}" pg_restore -h "$D" -p "$P" -d "$t" -j 2 --exit-on-error "$DUMPS/$src.dir" ;;
                split) env "${restore_env[@]}" pg_restore -h "$D" -p "$P" -d "$t" --schema-only --exit-on-error "$DUMPS/$src.custom" \
                       && env "${restore_env[@]}" pg_restore -h "$D" -p "$P" -d "$t" --data-only --exit-on-error "$DUMPS/$src.custom" ;;
                table) qd "$t" -c "SET check_function_bodies = off" -c "CREATE EXTENSION attempt_lock" \
                       && psql -X -q -h "$D" -p "$P" -d "$t" -v ON_ERROR_STOP=1 -f "$DUMPS/$src.table.sql" ;;
            esac
        } >"$log" 2>&1 || restored=failed
        seconds=$((SECONDS - started))
        errors=$(grep -c 'ERROR' "$log" || true)
        check "restored without error ($seconds s)" "ok, 0 errors" "$restored, $errors errors"
        [ "$restored" = ok ] || sed 's/^/      /' "$log" | grep -A3 ERROR | head -20 >&2
        qd "$t" -c "ANALYZE" >/dev/null 2>&1 || true
        tgt_facts=$(facts "$t" "$cutoff" 2>>"$log" || true)
        names="version attempt rejects source indexes store"
        [ "$mode" = table ] || names="$names views view_columns view_rows joined_rows grants column_grants history state override_log"
        for name in $names; do
            check "$(fact_label "$name")" "$(fact "$name" "$src_facts")" "$(fact "$name" "$tgt_facts")"
        done
        check "lock on: ALTER VIEW attempt refused" refused "$(lock_refuses "$D" "$P" "$t")"
        check "attempt_health(exact): no fail, statuses as in the source" "" \
            "$(health_differences "$src_health" "$(fact health "$tgt_facts")")"
        check "writes after: the store check (exact)" ok "$(writes_then_store "$D" "$P" "$t" "$source")"
        src_rows=$(fact attempt "$src_facts" | cut -d: -f1) tgt_rows=$(fact attempt "$tgt_facts" | cut -d: -f1)
        losses=$(( src_rows > ${tgt_rows:-0} ? src_rows - ${tgt_rows:-0} : 0 ))
        status=PASS; [ $failures = 0 ] || { status=FAIL; scenario_failures=$((scenario_failures + 1)); }
        result "restore $label" "$([[ $mode == *-j2 ]] && echo 2 || echo 1)" "$seconds" "$checks" "$failures" "$losses" "$status" \
            "$src_rows attempt rows; $sizes"
    done
done
[ $scenario_failures = 0 ]
