#!/usr/bin/env bash
# The test suite (without the browser) once more on a real PostgreSQL server on loopback.
# Installs and starts Debian's PostgreSQL when run as root and it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pg_ctlcluster >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL is not installed and this is not root: install postgresql to run this." >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
    pg_ctlcluster "$version" main start
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='intersession_test'\"" | grep -q 1 \
    || as_postgres "psql -qc \"CREATE ROLE intersession_test LOGIN PASSWORD 'intersession_test'\""
as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='intersession_test'\"" | grep -q 1 \
    || as_postgres "createdb -O intersession_test intersession_test"

export INTERSESSION_TEST_DATABASE_URL="postgresql+psycopg://intersession_test:intersession_test@127.0.0.1/intersession_test"
.venv/bin/pytest --ignore=tests/e2e -m "not worker and not media" -p no:cacheprovider "$@"
