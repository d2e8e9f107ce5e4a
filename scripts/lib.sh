# Shared by the scripts in this folder: prerequisites, install, scratch clusters.
# Sourced, not run. Everything here is idempotent.

PG_MAJOR=${PG_MAJOR:-15}
# PG_BIN may name another server's bin/ (a private copy of PostgreSQL, for one); by
# default it is Debian's.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PG_CONFIG=$PG_BIN/pg_config
PGRX_VERSION=0.18.0
export USER=${USER:-$(id -un)}
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Root runs commands directly; anyone else through sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root sudo -u postgres -- "$@"; }

ensure_prerequisites() {
    local packages="sudo libclang-dev clang"
    if [ "$PG_BIN" = "/usr/lib/postgresql/$PG_MAJOR/bin" ]; then
        packages="$packages postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR"
    fi
    local missing=""
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        say "installing Debian packages:$missing"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
    # The Debian package starts a cluster of its own; we never use or touch it.
    if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
        say "installing cargo-pgrx $PGRX_VERSION (a few minutes, once)"
        cargo install cargo-pgrx --version "$PGRX_VERSION" --locked
    fi
    if ! grep -qs "pg$PG_MAJOR = \"$PG_CONFIG\"" "${PGRX_HOME:-$HOME/.pgrx}/config.toml"; then
        say "cargo pgrx init --pg$PG_MAJOR $PG_CONFIG"
        cargo pgrx init --pg$PG_MAJOR "$PG_CONFIG" >/dev/null
    fi
}

# Build the release library and install it with the control file and every released
# SQL script (frozen install scripts and upgrade steps) into the server's directories.
install_extension() {
    say "building and installing attempt_lock into $($PG_CONFIG --sharedir)"
    cargo build --release --lib --quiet --no-default-features --features "pg$PG_MAJOR"
    local sharedir pkglibdir
    sharedir=$($PG_CONFIG --sharedir)/extension
    pkglibdir=$($PG_CONFIG --pkglibdir)
    as_root install -m 755 target/release/libattempt_lock.so "$pkglibdir/attempt_lock.so"
    as_root install -m 644 attempt_lock.control sql/install/*.sql "$sharedir/"
    if compgen -G "sql/upgrade/*.sql" >/dev/null; then
        as_root install -m 644 sql/upgrade/*.sql "$sharedir/"
    fi
}

# start_cluster DIR PORT [LISTEN]: a scratch cluster owned by the postgres OS user, with
# its socket in DIR. LISTEN defaults to '' (socket only).
start_cluster() {
    local dir=$1 port=$2 listen=${3:-}
    as_root mkdir -p "$dir"
    as_root chown postgres: "$dir"
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses='$listen' -c fsync=off" start >/dev/null
}

stop_cluster() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

free_port() {
    local port first=${1:-54400}
    for port in $(seq "$first" $((first + 500))); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
        [ -e "/tmp/.s.PGSQL.$port" ] && continue
        echo "$port"; return 0
    done
    die "no free port"
}
