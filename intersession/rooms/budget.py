"""How many Socket.IO events a socket may send: a token bucket, and a flood cut off."""

from __future__ import annotations

import time
from dataclasses import dataclass

EVENT_BURST = 40  # events a socket may send at once …
EVENT_RATE = 10.0  # … and per second after that; beyond, events are refused
FLOOD_CUT = 500  # refused events, forgotten at EVENT_RATE a second, before the socket is cut off


@dataclass
class Budget:
    """A token bucket per socket, and a count of refusals that fades at the same rate: a flood is
    cut off however fast the server answers it, a brief burst is soon forgiven."""

    tokens: float = EVENT_BURST
    at: float = 0.0
    refused: float = 0.0

    def allow(self) -> bool:
        now = time.monotonic()
        elapsed = now - self.at
        self.tokens = min(EVENT_BURST, self.tokens + elapsed * EVENT_RATE)
        self.refused = max(0.0, self.refused - elapsed * EVENT_RATE)
        self.at = now
        if self.tokens < 1:
            self.refused += 1
            return False
        self.tokens -= 1
        return True
