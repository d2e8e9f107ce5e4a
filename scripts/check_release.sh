#!/usr/bin/env bash
# Release discipline, checked by the test suite:
# - every released script (sql/manifest.sha256) is unchanged since its release, and every
#   other script under sql/install/ and sql/upgrade/ is exactly what scripts/build_sql.sh
#   builds from sql/src/ and sql/steps/ (the next release, unfrozen until it is declared);
# - the control file's default_version is the newest frozen install script;
# - every C symbol any released script names is exported by the built library, so older
#   versions stay installable and upgradable.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
fail() { echo "check_release: $*" >&2; status=1; }

sha256sum --check --strict --quiet sql/manifest.sha256 || fail "a released script changed: release a new version instead"
scripts/build_sql.sh --check || fail "the unreleased scripts are not what sql/src and sql/steps build"

default=$(sed -n "s/^default_version = '\(.*\)'/\1/p" attempt_lock.control)
newest=$(ls sql/install/ | sed -n 's/^attempt_lock--\(.*\)\.sql$/\1/p' | sort -V | tail -n 1)
[ "$default" = "$newest" ] || fail "default_version is $default, the newest install script is $newest"

library=${1:-target/release/libattempt_lock.so}
if [ -f "$library" ]; then
    exported=$(nm -D --defined-only "$library" | awk '{print $3}')
    for symbol in $(grep -ho "'MODULE_PATHNAME', '[a-z_0-9]*'" sql/install/*.sql sql/upgrade/*.sql 2>/dev/null \
                    | sed "s/.*, '\(.*\)'/\1/" | sort -u); do
        grep -qx "$symbol" <<<"$exported" || fail "$symbol is named by a released script but not exported by $library"
        grep -qx "pg_finfo_$symbol" <<<"$exported" || fail "pg_finfo_$symbol is not exported by $library"
    done
else
    fail "$library not built"
fi
[ $status = 0 ] && echo "check_release: manifest, built scripts, default_version and exported symbols ok"
exit $status
