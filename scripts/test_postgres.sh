#!/usr/bin/env bash
# The test suite (without the browser) once more on a real PostgreSQL server on loopback.
# Installs and starts Debian's PostgreSQL when run as root and it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
INTERSESSION_TEST_DATABASE_URL=$(scripts/postgres_up.sh intersession_test)
export INTERSESSION_TEST_DATABASE_URL
.venv/bin/pytest --ignore=tests/e2e --ignore=tests/scaled -m "not worker and not media" \
    -p no:cacheprovider "$@"
