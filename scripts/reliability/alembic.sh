#!/usr/bin/env bash
# The Alembic example (examples/alembic) run as a team would run it, in a
# scratch cluster with the attempt_lock installed for PG_BIN: the application's role
# upgrades to the original migration (20251101_0900: the plain view attempt, a KPI view on
# it, BI's grant); a superuser upgrades to head (20261203_0900: CREATE EXTENSION adopts
# the view), downgrades (the plain view, the KPI view and the grants back as they were),
# and upgrades again; the deployment guide's smoke tests (pytest) pass on either view;
# `alembic check` and `alembic revision --autogenerate` propose nothing for the
# extension's objects (store on too), where an unfiltered comparison proposes dropping
# them; and downgrade base, upgrade head from an empty database.
#   scripts/reliability/alembic.sh
# The example's Python packages (examples/alembic/requirements.txt, pinned) go into a venv
# under $PG_CACHE (created once, again when the file changes); the example is run from a
# copy in the scratch directory, so the generated revision lands there. About 20 s (40 s
# when it makes the venv).
set -euo pipefail
. "$(dirname "$0")/common.sh"

project_src=$REPO_ROOT/examples/alembic
venv=${ATTEMPT_LOCK_ALEMBIC_VENV:-$PG_CACHE/venv-alembic}

# The venv: Debian's python3 (python3-venv), the pinned requirements. Complete when its
# stamp holds the requirements' sha256; otherwise made again from nothing.
ensure_venv() {
    local want stamp="$venv/.attempt_lock-requirements"
    want=$(sha256sum <"$project_src/requirements.txt" | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
    if ! dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed"; then
        say "installing Debian packages: python3 python3-venv"
        as_root apt-get update -qq || die "apt-get update failed"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null \
            || die "could not install python3-venv"
    fi
    say "creating $venv (examples/alembic/requirements.txt)"
    as_root mkdir -p "$(dirname "$venv")"
    as_root rm -rf "$venv"
    as_root /usr/bin/python3 -m venv "$venv" || die "could not create $venv"
    as_root "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$project_src/requirements.txt" \
        || die "could not install examples/alembic/requirements.txt"
    echo "$want" | as_root tee "$stamp" >/dev/null
}
ensure_venv
say "$("$venv/bin/alembic" --version), $("$venv/bin/python" -c 'import sqlalchemy, psycopg; print("SQLAlchemy", sqlalchemy.__version__ + ", psycopg", psycopg.__version__)')"

# A scratch cluster (ports from 59000, as rel_cluster but away from the other scripts'),
# stopped and removed on exit (rel_cleanup).
REL_DIR=$(mktemp -d /tmp/alembic-rel.XXXXXX)
chmod 755 "$REL_DIR"
REL_PORT=$(free_port 59000)
REL_CLUSTERS+=("$REL_DIR")
start_cluster "$REL_DIR" "$REL_PORT"
say "scratch cluster in $REL_DIR on port $REL_PORT"
Q() { q "$REL_DIR" "$REL_PORT" "$@"; }
# The application's role owns the database and runs the migrations; BI reads.
q "$REL_DIR" "$REL_PORT" -c "CREATE ROLE exam_app LOGIN" -c "CREATE ROLE bi_reader" \
    -c "CREATE DATABASE exam OWNER exam_app" >/dev/null
export PGDATABASE=exam
cp -r "$project_src" "$REL_DIR/project"
rm -rf "$REL_DIR/project"/{,*/,*/*/}__pycache__

url() { echo "postgresql+psycopg://$1@/exam?host=$REL_DIR&port=$REL_PORT"; }
# as ROLE alembic ARGS...: alembic in the project, as that role; its output in $REL_DIR/out
as() {
    local role=$1; shift
    (cd "$REL_DIR/project" && DATABASE_URL=$(url "$role") "$venv/bin/$1" "${@:2}") >"$REL_DIR/out" 2>&1
}
show() { sed 's/^/        | /' "$REL_DIR/out" >&2; }
run() {  # run ROLE COMMAND ARGS...: must succeed
    as "$@" || { show; check "$2 ${*:3} (as $1)" "exit 0" "failed"; return 1; }
}

failures=0 checks=0
check() {  # LABEL EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" = "$3" ]; then echo "  ok   $1" >&2
    else echo "  FAIL $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}
current() { as "$1" alembic current && grep -v '^INFO' "$REL_DIR/out" | tr -d '\n'; }
smoke() {  # smoke ROLE EXPECTED: the deployment guide's five smoke tests
    as "$1" pytest -q -p no:cacheprovider tests/test_attempt_view_smoke.py || true
    local summary; summary=$(tail -n 1 "$REL_DIR/out" | sed 's/ in [0-9.]*s//')
    [ "$summary" = "$2" ] || show
    check "smoke tests on $3" "$2" "$summary"
}
# Every view in public and reporting as a DBA compares them: kind, owner, ACL, column
# ACLs, comment, definition.
views_state() {
    Q -c "SELECT string_agg(format('%s %s owner=%s acl=%s columns=%s comment=%L def=%s', c.oid::regclass, c.relkind,
                                   pg_get_userbyid(c.relowner), c.relacl,
                                   (SELECT array_agg(a.attname || ':' || a.attacl::text ORDER BY a.attnum) FROM pg_attribute a
                                     WHERE a.attrelid = c.oid AND a.attacl IS NOT NULL),
                                   obj_description(c.oid, 'pg_class'), md5(pg_get_viewdef(c.oid))), E'\n' ORDER BY c.oid::regclass::text)
            FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')"
}
kpi_digest() { Q -c "SELECT count(*) || ':' || md5(string_agg(k::text, ',' ORDER BY k::text)) FROM attempt_weekly_kpi k"; }
member() {  # member RELATION: t when it is a member of an extension
    Q -c "SELECT EXISTS (SELECT FROM pg_depend WHERE classid = 'pg_class'::regclass AND objid = to_regclass('$1')
                                                AND refclassid = 'pg_extension'::regclass AND deptype = 'e')"
}
reads() {  # reads ROLE: what ROLE gets from attempt and the KPI view (row counts)
    Q -c "SET ROLE $1" -c "SELECT (SELECT count(*) FROM attempt) || '/' || (SELECT count(*) FROM attempt_weekly_kpi)" 2>&1
}
# A comparison of the metadata with the database, with none of env.py's filters: what
# autogenerate would propose without them.
unfiltered() {
    (cd "$REL_DIR/project" && DATABASE_URL=$(url exam_app) "$venv/bin/python" - <<'EOF'
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from exam_app.db import database_url
from exam_app.models import metadata
with create_engine(database_url()).connect() as connection:
    context = MigrationContext.configure(connection, opts={"include_schemas": True})
    print(" ".join(sorted(f"{d[0]}:{d[1].fullname}" for d in compare_metadata(context, metadata)
                          if d[0] in ("remove_table", "add_table"))))
EOF
    )
}

# ---------------------------------------------------------------------------------------
say "1. the application's role: alembic upgrade 20251101_0900 (the plain view), data"
run exam_app alembic upgrade 20251101_0900
check "alembic current" "20251101_0900" "$(current exam_app)"
Q -v results=400 -v questions=10 -v bad=0 -f "$REPO_ROOT/scripts/sql/generate_exam_results.sql" >/dev/null 2>&1
check "attempt (plain view) rows" 4000 "$(Q -c "SELECT count(*) FROM attempt")"
check "attempt is a plain view, no extension" "v f 0" \
    "$(Q -c "SELECT relkind FROM pg_class WHERE oid = 'attempt'::regclass") $(member attempt) $(Q -c "SELECT count(*) FROM pg_extension WHERE extname = 'attempt_lock'")"
before_views=$(views_state)
before_definition=$(Q -c "SET search_path = pg_catalog" -c "SELECT md5(pg_get_viewdef('public.attempt'::regclass))")
before_rows=$(attempt_digest "$REL_DIR" "$REL_PORT")
before_kpi=$(kpi_digest)
before_reads=$(reads bi_reader || true)
check "bi_reader reads attempt and the KPI view" "4000/$(Q -c "SELECT count(*) FROM attempt_weekly_kpi")" "$before_reads"
smoke exam_app "5 passed" "the plain view"
if as exam_app alembic upgrade head; then check "upgrade head as the application's role refused" refused "ran"
else check "upgrade head as the application's role refused (needs a superuser)" yes "$(grep -q 'needs a superuser' "$REL_DIR/out" && echo yes)"; fi
check "alembic current after the refusal" "20251101_0900" "$(current exam_app)"

# ---------------------------------------------------------------------------------------
say "2. a superuser: alembic upgrade head (CREATE EXTENSION adopts attempt)"
run postgres alembic upgrade head
check "alembic current" "20261203_0900 (head)" "$(current exam_app)"
check "attempt is the extension's V1 view (member, its comment)" "t t" \
    "$(member attempt) $(Q -c "SELECT obj_description('attempt'::regclass, 'pg_class') LIKE 'attempt V1 (attempt_lock)%'")"
check "attempt_weekly_kpi is the application's (not a member), built on the V1 view" "f t" \
    "$(member attempt_weekly_kpi) $(Q -c "SELECT EXISTS (SELECT FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                                                          WHERE r.ev_class = 'attempt_weekly_kpi'::regclass
                                                            AND d.refobjid = 'attempt'::regclass)")"
check "attempt's grants: bi_reader's kept, the old owner's SELECT" "bi_reader=SELECT exam_app=SELECT" \
    "$(Q -c "SELECT string_agg(x.grantee::regrole::text || '=' || x.privilege_type, ' ' ORDER BY 1)
               FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = 'attempt'::regclass AND x.grantee <> c.relowner")"
check "attempt_weekly_kpi: owner, grants, comment, definition as before" \
    "$(grep '^attempt_weekly_kpi ' <<<"$before_views")" "$(views_state | grep '^attempt_weekly_kpi ')"
check "attempt (V1) rows: the plain view's, on clean data" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
check "attempt_weekly_kpi rows as before" "$before_kpi" "$(kpi_digest)"
check "bi_reader reads attempt and the KPI view" "$before_reads" "$(reads bi_reader)"
check "exam_app (the old view's owner) reads attempt and its KPI view" "$before_reads" "$(reads exam_app)"
check "attempt_lock_history: one adopt row, the old view in full" "1 exam_app t 1" \
    "$(Q -c "SELECT count(*), min(detail->'replaced'->>'owner'),
                    bool_and(md5(detail->'replaced'->>'definition') = '$before_definition'),
                    min(jsonb_array_length(detail->'dependents'))
               FROM attempt_lock_history WHERE action = 'adopt'" | tr '|' ' ')"
check "attempt_health(): no fail" none "$(health_failures "$REL_DIR" "$REL_PORT")"
smoke exam_app "5 passed" "the adopted V1 view"
run exam_app alembic check
check "alembic check" "No new upgrade operations detected." "$(grep -v '^INFO' "$REL_DIR/out")"

# ---------------------------------------------------------------------------------------
say "3. a superuser: alembic downgrade -1 (the plain view back)"
run postgres alembic downgrade -1
check "alembic current" "20251101_0900" "$(current exam_app)"
check "no extension, no attempt_lock_* relation" "0 0" \
    "$(Q -c "SELECT count(*) FROM pg_extension WHERE extname = 'attempt_lock'") $(Q -c "SELECT count(*) FROM pg_class WHERE relname LIKE 'attempt\_lock\_%'")"
after_views=$(views_state)
check "attempt and attempt_weekly_kpi: kind, owner, grants, comment, definition as before the adoption" "$before_views" "$after_views"
[ "$before_views" = "$after_views" ] || diff <(echo "$before_views") <(echo "$after_views") >&2 || true
check "attempt (plain view) rows as before" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
check "attempt_weekly_kpi rows as before" "$before_kpi" "$(kpi_digest)"
check "bi_reader reads attempt and the KPI view" "$before_reads" "$(reads bi_reader)"
check "bi_reader's SELECT on exam_results revoked again" f "$(Q -c "SELECT has_table_privilege('bi_reader', 'exam_results', 'SELECT')")"
smoke exam_app "5 passed" "the plain view, back"

# ---------------------------------------------------------------------------------------
say "4. a superuser: alembic upgrade head again"
run postgres alembic upgrade head
check "alembic current" "20261203_0900 (head)" "$(current exam_app)"
check "attempt adopted again (member, one adopt row)" "t 1" \
    "$(member attempt) $(Q -c "SELECT count(*) FROM attempt_lock_history WHERE action = 'adopt'")"
check "attempt (V1) rows" "$before_rows" "$(attempt_digest "$REL_DIR" "$REL_PORT")"
check "attempt_weekly_kpi rows" "$before_kpi" "$(kpi_digest)"

# ---------------------------------------------------------------------------------------
say "5. autogenerate proposes nothing for the extension's objects"
extension_tables="remove_table:attempt_lock_config remove_table:attempt_lock_history remove_table:attempt_lock_override_log remove_table:attempt_lock_state"
check "unfiltered, a comparison would drop the extension's tables" "$extension_tables" "$(unfiltered)"
if as exam_app alembic check; then status=0; else status=$?; show; fi
check "alembic check: exit status" 0 "$status"
run exam_app alembic revision --autogenerate -m "probe"
generated=$(sed -n 's/^ *Generating \(.*\.py\) \.\.\. *done$/\1/p' "$REL_DIR/out")
check "alembic revision --autogenerate wrote a file" yes "$([ -f "$generated" ] && echo yes || echo "no ($generated)")"
# upgrade() and downgrade() hold nothing but their docstring and pass
check "the generated revision's upgrade() and downgrade(): pass only" "upgrade: pass downgrade: pass" \
    "$("$venv/bin/python" - "$generated" <<'EOF'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
out = []
for f in tree.body:
    if isinstance(f, ast.FunctionDef) and f.name in ("upgrade", "downgrade"):
        body = [s for s in f.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        out.append(f.name + ": " + " ".join(ast.unparse(s) for s in body))
print(" ".join(out))
EOF
)"
[ -f "$generated" ] && rm -f "$generated"
Q -c "SET client_min_messages = warning" -c "SELECT attempt_store_enable()" >/dev/null
check "store on: unfiltered, a comparison would also drop attempt_lock_store's tables" yes \
    "$(unfiltered | tr ' ' '\n' | grep -q '^remove_table:attempt_lock_store\.' && echo yes || echo no)"
if as exam_app alembic check; then status=0; else status=$?; show; fi
check "store on: alembic check: exit status" 0 "$status"

# ---------------------------------------------------------------------------------------
say "6. a superuser: downgrade base (store on), upgrade head from an empty database"
run postgres alembic downgrade base
check "downgrade base: nothing left but alembic's table, no store schema" "alembic_version alembic_version_pkc 0" \
    "$(Q -c "SELECT string_agg(c.oid::regclass::text, ' ' ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')") $(Q -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'attempt_lock_store'")"
run postgres alembic upgrade head
check "alembic current" "20261203_0900 (head)" "$(current exam_app)"
check "attempt adopted (member), the KPI view built on it" "t f" "$(member attempt) $(member attempt_weekly_kpi)"
smoke postgres "2 passed, 3 skipped" "an empty exam_results"
if as exam_app alembic check; then status=0; else status=$?; show; fi
check "alembic check: exit status" 0 "$status"

status=PASS; [ $failures = 0 ] || status=FAIL
result "alembic: adopt, downgrade, again" 1 "-" "-" "$failures" 0 "$status" "$checks checks; $("$venv/bin/alembic" --version)"
echo "alembic: $checks checks, $failures failed" >&2
[ $failures = 0 ]
