#!/usr/bin/env bash
# Builds the unreleased SQL scripts from sql/src/ (the sources, one concern per file) and
# sql/steps/ (hand-written update and downgrade steps); docs/UPGRADING.md, "Releasing".
#   scripts/build_sql.sh           write sql/install/attempt_lock--<next>.sql and the steps'
#                                  outputs under sql/upgrade/
#   scripts/build_sql.sh --check   exit 1 if a committed unreleased script differs from
#                                  what the sources build (check_release.sh and CI run it)
# Released scripts (sql/manifest.sha256) are never rebuilt.
set -euo pipefail
exec python3 "$(dirname "$0")/build_sql.py" "$@"
