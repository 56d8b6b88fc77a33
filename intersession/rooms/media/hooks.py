"""Where the engine reaches into aiortc's senders and receivers, which have no public call for what
a forwarding engine needs: bounded retransmissions and key-frame requests of a listener's sender,
its sound sent twice, its latest receiver report, and no bandwidth estimates to a publisher of two
encodings. tests/media/test_aiortc_contract.py fails if aiortc changes any of them."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.rtp import RtpPacket, is_rtcp
from aiortc.stats import RTCRemoteInboundRtpStreamStats

from intersession.rooms.media.forwarding import ListenerTrack

REPEAT_AFTER = 0.04  # a repeated sound packet goes this much later, past a short burst of loss


def bound_to_the_listener(sender: RTCRtpSender, track: ListenerTrack) -> None:
    """aiortc's sender answers a PLI by asking its encoder, and every NACK from its history; a
    forwarding sender has no encoder, and a weak link's NACKs must not crowd out the sound. Both
    are its private calls (tests/media/test_aiortc_contract.py fails if aiortc changes them)."""
    retransmit = sender._retransmit

    async def bounded(sequence_number: int) -> None:
        if track.may_retransmit(sequence_number):
            await retransmit(sequence_number)

    sender._retransmit = bounded  # type: ignore[method-assign]
    # The key-frame request goes to the publisher, at the pace of one that fell behind.
    sender._send_keyframe = track.lost_picture  # type: ignore[method-assign]
    if track.kind == "video":
        sender._RTCRtpSender__rtp_history = _KeyFramesNoted(track)  # type: ignore[attr-defined]


class _KeyFramesNoted(dict[int, RtpPacket]):
    """The sender's history of what it sent (for retransmissions), noting the sequence number
    each key frame went out with: a listener's NACK of a packet before it is of no use."""

    def __init__(self, track: ListenerTrack) -> None:
        super().__init__()
        self.track = track

    def __setitem__(self, index: int, packet: RtpPacket) -> None:
        super().__setitem__(index, packet)
        payload = packet.payload
        # A VP8 frame's first packet (RFC 7741: S set, partition 0) of a key frame (P clear).
        if payload and payload[0] & 0x17 == 0x10 and starts_keyframe(payload):
            self.track.keyframe_sequence = packet.sequence_number


def starts_keyframe(payload: bytes) -> bool:
    """Whether a VP8 RTP payload is the first packet of a key frame."""
    try:
        descriptor, data = VpxPayloadDescriptor.parse(payload)
    except ValueError:
        return False
    first = descriptor.partition_start and descriptor.partition_id == 0
    return bool(first and data) and data[0] & 0x01 == 0


def receiver_report(sender: RTCRtpSender) -> RTCRemoteInboundRtpStreamStats | None:
    """What the listener's latest receiver report said of this sender's stream. Read where the
    sender keeps it: `getStats()` would also gather the transport's statistics, every second for
    every listener (12% more engine CPU at 40 listeners); tests/media/test_aiortc_contract.py."""
    kept: dict[str, Any] = sender._RTCRtpSender__stats  # type: ignore[attr-defined]
    return kept.get(f"remote-inbound-rtp_{id(sender)}")


def without_bandwidth_estimates(receiver: RTCRtpReceiver) -> None:
    """aiortc's receivers each send the publisher an estimate (REMB) of what their own stream
    carries; a browser takes each as the cap on everything it sends, so the small encoding's
    would hold the full one at its size (Chromium sent both at 320x180, 50 kbit/s). With two
    encodings the browser goes by its own loss-based estimate (a private attribute:
    tests/media/test_aiortc_contract.py)."""
    receiver._RTCRtpReceiver__remote_bitrate_estimator = None  # type: ignore[attr-defined]


def sound_sent_twice(sender: RTCRtpSender, track: ListenerTrack) -> None:
    """While `track.repeated`, each of the sender's packets goes out again REPEAT_AFTER later,
    the same packet (same sequence number): a client drops the copy if the first one came, and
    plays it if the first was lost. Sound survives a lossy link so, at the cost of its own
    small rate. Called once the connection is up, when the transport is the bundled one for good
    (its private send call: tests/media/test_aiortc_contract.py)."""
    transport = sender.transport
    known: dict[int, ListenerTrack] | None = getattr(transport, "_repeats_for", None)
    if known is not None:
        known[sender._ssrc] = track
        return
    send = transport._send_rtp
    repeats_for: dict[int, ListenerTrack] = {sender._ssrc: track}
    pending: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()

    async def again(data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await send(data)

    def later(data: bytes) -> None:
        task = asyncio.ensure_future(again(data))
        pending.add(task)
        task.add_done_callback(pending.discard)

    async def send_rtp(data: bytes) -> None:
        await send(data)
        if len(data) >= 12 and not is_rtcp(data):
            repeated = repeats_for.get(int.from_bytes(data[8:12], "big"))
            if repeated is not None and repeated.repeated:
                loop.call_later(REPEAT_AFTER, later, data)

    transport._repeats_for = repeats_for  # type: ignore[attr-defined]
    transport._send_rtp = send_rtp  # type: ignore[method-assign]
