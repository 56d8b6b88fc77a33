#!/usr/bin/env bash
# The scaled shape: Redis, nginx, coturn and PostgreSQL from Debian's packages (installed when run
# as root and missing), started by the tests themselves on loopback, with two gunicorn instances.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v turnserver >/dev/null || missing+=(coturn)
command -v iptables >/dev/null || missing+=(iptables)  # the firewall test's school
command -v certutil >/dev/null || missing+=(libnss3-tools)  # the school trusts the relay's CA
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Missing ${missing[*]} and this is not root: install them to run the scaled tests." >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian starts the services it installs where it can: ours are started by the tests.
INTERSESSION_TEST_DATABASE_URL=$(scripts/postgres_up.sh intersession_scaled)
export INTERSESSION_TEST_DATABASE_URL INTERSESSION_REQUIRE_SERVERS=1
# Not in isolated.sh's namespace: PostgreSQL listens on the machine's own loopback.
.venv/bin/pytest tests/scaled tests/rooms/test_store.py -p no:cacheprovider "$@"
