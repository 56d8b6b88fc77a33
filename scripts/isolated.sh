#!/usr/bin/env bash
# Run a command in a network namespace that has only loopback, when we may (root with unshare),
# so nothing the tests start (browsers, WebRTC peers) can send a packet off this machine.
set -euo pipefail
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null \
        && unshare --net true 2>/dev/null; then
    exec unshare --net sh -c 'ip link set lo up && exec "$@"' isolated "$@"
fi
exec "$@"
