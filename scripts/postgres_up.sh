#!/usr/bin/env bash
# Debian's PostgreSQL on loopback with the tests' role and the database named in $1: installs and
# starts it when run as root and it is missing. Prints the database's URL.
set -euo pipefail
database="$1"
if ! command -v pg_ctlcluster >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL is not installed and this is not root: install postgresql to run this." >&2
        exit 1
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
    pg_ctlcluster "$version" main start >&2
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='intersession_test'\"" | grep -q 1 \
    || as_postgres "psql -qc \"CREATE ROLE intersession_test LOGIN PASSWORD 'intersession_test'\"" >&2
as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$database'\"" | grep -q 1 \
    || as_postgres "createdb -O intersession_test $database" >&2
echo "postgresql+psycopg://intersession_test:intersession_test@127.0.0.1/$database"
