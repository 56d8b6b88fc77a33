"""The aiortc internals the engine relies on (see shared MEDIA.md): if an upgrade changes one of
them, this fails before a room does."""

from __future__ import annotations

import inspect

import aiortc.jitterbuffer
import aiortc.rtcrtpreceiver
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtp import is_rtcp


def test_the_calls_the_engine_patches_or_makes_are_there() -> None:
    # Frames go to the track through a Handoff in place of the receiver's queue (handoff.py).
    worker = aiortc.rtcrtpreceiver.decoder_worker
    assert list(inspect.signature(worker).parameters) == [
        "loop", "input_q", "output_q", "decode_error",
    ]  # fmt: skip
    # Receivers build their jitter buffers with the module's JitterBuffer (reassembly.py).
    assert list(inspect.signature(aiortc.rtcrtpreceiver.JitterBuffer).parameters) == [
        "capacity", "prefetch", "is_video",
    ]  # fmt: skip
    assert list(inspect.signature(aiortc.rtcrtpreceiver.JitterBuffer.add).parameters) == [
        "self", "packet",
    ]  # fmt: skip
    # Retransmissions and key-frame requests of a listener's sender (bound_to_the_listener).
    assert list(inspect.signature(RTCRtpSender._retransmit).parameters) == [
        "self",
        "sequence_number",
    ]
    assert list(inspect.signature(RTCRtpSender._send_keyframe).parameters) == ["self"]
    # Key-frame requests forwarded to a publisher (MediaRoom._ask_keyframe).
    assert list(inspect.signature(RTCRtpReceiver._send_rtcp_pli).parameters) == [
        "self", "media_ssrc",
    ]  # fmt: skip
    # Sound sent twice goes through the transport's send (hooks.sound_sent_twice).
    assert list(inspect.signature(RTCDtlsTransport._send_rtp).parameters) == ["self", "data"]
    assert is_rtcp(bytes([0x80, 200, 0, 6])) and not is_rtcp(bytes([0x80, 96, 0, 1]))


def test_the_private_attributes_are_where_the_engine_looks() -> None:
    receiver_init = inspect.getsource(RTCRtpReceiver.__init__)
    receiver = inspect.getsource(RTCRtpReceiver)
    assert "self.__decoder_queue: queue.Queue = queue.Queue()" in receiver_init  # a Handoff
    assert receiver.count("self.__decoder_queue.put(") == 2  # (codec, frame), and None to stop
    assert "target=decoder_worker," in receiver and "self._track._queue," in receiver
    assert receiver_init.count("self.__jitter_buffer = JitterBuffer(") == 2  # PromptJitterBuffer
    for name in ("_origin", "_packets", "_capacity", "_is_video", "remove", "_remove_frame"):
        assert name in inspect.getsource(aiortc.jitterbuffer.JitterBuffer), name
    assert "self.__remote_bitrate_estimator" in receiver_init  # without_bandwidth_estimates
    assert "if self.__remote_bitrate_estimator is not None" in inspect.getsource(RTCRtpReceiver)
    sender = inspect.getsource(RTCRtpSender)
    assert 'id="remote-inbound-rtp_" + str(id(self))' in sender  # hooks.receiver_report
    assert "self.__stats.add(" in sender
    assert "self._ssrc" in sender and "self.transport._send_rtp(" in sender
    # hooks._KeyFramesNoted: the history, a dict set by item as each packet goes out.
    assert "self.__rtp_history: dict[int, RtpPacket] = {}" in sender
    assert "self.__rtp_history[packet.sequence_number % RTP_HISTORY_SIZE] = (" in sender
    assert "self.__rtp_history.get(sequence_number % RTP_HISTORY_SIZE)" in sender
    # A forwarded packet is packed, not encoded: its pts and time base make the timestamp.
    assert "self.__encoder.pack(data)" in sender


def test_the_answer_to_a_publisher_asks_for_resilient_opus() -> None:
    """In-band error correction and silence suppression for the publisher's encoder, written into
    the answer (opus.with_resilient_opus); other sections and parameters as they were."""
    from intersession.rooms.media.opus import with_resilient_opus

    answer = "\r\n".join([
        "v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10",
        "m=video 9 UDP/TLS/RTP/SAVPF 111", "a=rtpmap:111 VP8/90000",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 opus/48000/2", "a=mid:2", "",
    ])  # fmt: skip
    lines = with_resilient_opus(answer).split("\r\n")
    assert "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1" in lines
    assert lines[lines.index("a=rtpmap:96 opus/48000/2") + 1] == "a=fmtp:96 useinbandfec=1;usedtx=1"
    assert (
        lines.count("a=rtpmap:111 VP8/90000") == 1 and len(lines) == len(answer.split("\r\n")) + 1
    )
    assert lines[-1] == ""
