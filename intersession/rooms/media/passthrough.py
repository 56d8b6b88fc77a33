"""Making aiortc's receivers yield encoded packets instead of decoded frames (see shared MEDIA.md).

aiortc 1.16 always decodes what it receives, in a thread that asks `get_decoder` of its
`rtcrtpreceiver` module for a decoder per codec. A stand-in that returns each depayloaded frame as an
`av.Packet` makes received tracks yield encoded packets, which an `RTCRtpSender` only packetizes. The
receivers also reassemble frames without waiting for later ones (reassembly.py). This changes the
whole process: the engine runs in processes of its own.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import aioice.ice
import aiortc.rtcrtpreceiver
import av

from intersession.rooms.media.reassembly import PromptJitterBuffer

_installed = False


class PassthroughDecoder:
    """Hands the encoded frame on, timed by its RTP timestamp."""

    def __init__(self, clock_rate: int) -> None:
        self.time_base = Fraction(1, clock_rate)

    def decode(self, encoded_frame: Any) -> list[av.Packet]:
        packet = av.Packet(encoded_frame.data)
        packet.pts = encoded_frame.timestamp
        packet.time_base = self.time_base
        return [packet]


def install() -> None:
    """Receive encoded packets in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    aiortc.rtcrtpreceiver.get_decoder = lambda codec: PassthroughDecoder(codec.clockRate)  # type: ignore[assignment, return-value]
    aiortc.rtcrtpreceiver.JitterBuffer = PromptJitterBuffer  # type: ignore[misc]
    _installed = True


def gather_only(addresses: list[str]) -> None:
    """Offer only these host addresses in ICE (aioice leaves loopback out; tests want only it)."""
    chosen = list(addresses)
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(chosen)


def is_vp8_keyframe(packet: av.Packet) -> bool:
    """A VP8 frame is a key frame when the lowest bit of its first byte is 0 (RFC 6386, 9.1)."""
    data = bytes(packet)
    return bool(data) and data[0] & 0x01 == 0
