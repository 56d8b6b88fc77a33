"""Making aiortc's receivers yield encoded packets instead of decoded frames (see shared MEDIA.md).

aiortc 1.16 always decodes what it receives, in a decoder thread of each receiver. Here the
receivers hand each depayloaded frame to their track as an `av.Packet`, on the event loop, with no
thread (handoff.py): received tracks yield encoded packets, which an `RTCRtpSender` only
packetizes. They also reassemble frames without waiting for later ones (reassembly.py). This
changes the whole process: the engine runs in processes of its own.
"""

from __future__ import annotations

import aioice.ice
import aiortc.rtcrtpreceiver
import av

from intersession.rooms.media import handoff
from intersession.rooms.media.reassembly import PromptJitterBuffer

_installed = False


def install() -> None:
    """Receive encoded packets in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    aiortc.rtcrtpreceiver.JitterBuffer = PromptJitterBuffer  # type: ignore[misc]
    aiortc.rtcrtpreceiver.queue = handoff.queue_module  # type: ignore[assignment]
    aiortc.rtcrtpreceiver.decoder_worker = handoff.tell_the_handoff
    _installed = True


def gather_only(addresses: list[str]) -> None:
    """Offer only these host addresses in ICE (aioice leaves loopback out; tests want only it)."""
    chosen = list(addresses)
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(chosen)


def is_vp8_keyframe(packet: av.Packet) -> bool:
    """A VP8 frame is a key frame when the lowest bit of its first byte is 0 (RFC 6386, 9.1)."""
    data = bytes(packet)
    return bool(data) and data[0] & 0x01 == 0
