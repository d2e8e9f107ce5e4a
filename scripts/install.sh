#!/usr/bin/env bash
# Build and install attempt_lock into the server pg_config names (PostgreSQL 15 by default):
# the release library, the control file and every released SQL script.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_prerequisites
install_extension
