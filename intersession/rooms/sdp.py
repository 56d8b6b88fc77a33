"""Checks on session descriptions from browsers, made before aiortc parses them.

A description from a browser is untrusted input: the engine sees it only when it is small, has a few
audio or video sections, carries a DTLS fingerprint for each, and offers the room's codecs.
"""

from __future__ import annotations

from typing import Any

MAX_BYTES = 64 * 1024
MAX_SECTIONS = 4  # a camera and a microphone, with room to spare; 200 sections is an attack
CODECS = {"video": "VP8", "audio": "opus"}


class SdpRefused(Exception):
    """Why a description was refused, as a short code the page turns into words."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def checked(data: Any) -> str:
    """The `sdp` of an event's payload, if it passes every check."""
    sdp = data.get("sdp") if isinstance(data, dict) else None
    if not isinstance(sdp, str):
        raise SdpRefused("bad-sdp")
    if len(sdp) > MAX_BYTES:
        raise SdpRefused("sdp-too-large")
    if not sdp.startswith("v=0"):
        raise SdpRefused("bad-sdp")
    lines = sdp.replace("\r\n", "\n").split("\n")
    sessions, sections = _split(lines)
    if not sections:
        raise SdpRefused("bad-sdp")
    if len(sections) > MAX_SECTIONS:
        raise SdpRefused("sdp-too-many-sections")
    session_fingerprint = any(line.startswith("a=fingerprint:") for line in sessions)
    for section in sections:
        kind = section[0][2:].split(" ", 1)[0]
        if kind not in CODECS:
            raise SdpRefused("sdp-bad-media")
        if not session_fingerprint and not any(s.startswith("a=fingerprint:") for s in section):
            raise SdpRefused("sdp-no-fingerprint")
        rejected = section[0].split(" ")[1:2] == ["0"]
        if not rejected and not _has_codec(section, CODECS[kind]):
            raise SdpRefused("sdp-bad-codec")
    return _without_mdns(sdp)


def _without_mdns(sdp: str) -> str:
    """Browsers hide their addresses behind `.local` names; resolving them would send multicast
    queries from the engine. Leave those candidates out: the browser still reaches the engine's
    own candidates, and the engine learns its address from that."""
    lines = sdp.split("\r\n") if "\r\n" in sdp else sdp.split("\n")
    kept = [line for line in lines if not _is_mdns_candidate(line)]
    return ("\r\n" if "\r\n" in sdp else "\n").join(kept)


def _is_mdns_candidate(line: str) -> bool:
    fields = line.split(" ")
    return line.startswith("a=candidate:") and len(fields) > 4 and fields[4].endswith(".local")


def _split(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    session: list[str] = []
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            session.append(line)
    return session, sections


def _has_codec(section: list[str], codec: str) -> bool:
    wanted = codec.lower() + "/"
    return any(
        line.startswith("a=rtpmap:") and line.split(" ", 1)[-1].lower().startswith(wanted)
        for line in section
    )
