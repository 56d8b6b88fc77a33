"""The ICE servers a browser in a lesson is handed: STUN, and TURN with short-lived credentials.

A school whose network drops UDP reaches the media engine only through a TURN relay over TCP, or
TLS on 443 where only the web's ports are open. coturn checks credentials made by the TURN REST
scheme (`use-auth-secret`): the username is `expiry:user id`, the credential the base64 HMAC-SHA1
of the username under a secret shared with coturn, so nothing is stored per person and a leaked
credential stops working when the lesson is over.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from intersession.core.db import utcnow

MIN_VALIDITY = timedelta(minutes=10)  # a credential handed out at the very end still connects


def turn_credential(secret: str, user_id: int, expires: datetime) -> tuple[str, str]:
    username = f"{int(expires.timestamp())}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(config: Any, user_id: int, valid_until: datetime) -> list[dict[str, Any]]:
    """RTCPeerConnection's iceServers for this person until `valid_until` (the lesson's end)."""
    servers: list[dict[str, Any]] = []
    if config.get("STUN_URLS"):
        servers.append({"urls": list(config["STUN_URLS"])})
    if config.get("TURN_URLS") and config.get("TURN_SECRET"):
        expires = max(valid_until, utcnow() + MIN_VALIDITY)
        username, credential = turn_credential(config["TURN_SECRET"], user_id, expires)
        servers.append(
            {"urls": list(config["TURN_URLS"]), "username": username, "credential": credential}
        )
    return servers
