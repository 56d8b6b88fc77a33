"""What the engine asks of a publisher's Opus encoder, in the answer to its offer."""

from __future__ import annotations

OPUS_RESILIENCE = {"useinbandfec": "1", "usedtx": "1"}


def with_resilient_opus(answer_sdp: str) -> str:
    """The answer to a publisher asks its Opus encoder for in-band forward error correction (a
    lost packet's sound is rebuilt from the next one's) and for sending next to nothing in
    silence. aiortc does not decode Opus here and keeps no such parameters, so they are written
    into the answer's text, which only the browser reads."""
    newline = "\r\n" if "\r\n" in answer_sdp else "\n"
    out: list[str] = []
    section: list[str] = []
    for line in [*answer_sdp.split(newline), None]:
        if line is None or line.startswith("m="):
            out.extend(
                _opus_section(section)
                if section[:1] and section[0].startswith("m=audio")
                else section
            )
            section = []
        if line is not None:
            section.append(line)
    return newline.join(out)


def _opus_section(lines: list[str]) -> list[str]:
    def number(line: str, prefix: str) -> str:
        return line[len(prefix) :].split(" ", 1)[0]

    opus = [
        number(line, "a=rtpmap:")
        for line in lines
        if line.startswith("a=rtpmap:") and line.lower().split(" ", 1)[-1].startswith("opus/")
    ]
    given = {number(line, "a=fmtp:"): line for line in lines if line.startswith("a=fmtp:")}
    out = []
    for line in lines:
        if line.startswith("a=fmtp:") and number(line, "a=fmtp:") in opus:
            continue  # written again below, with the resilience parameters
        out.append(line)
        if line.startswith("a=rtpmap:") and (payload := number(line, "a=rtpmap:")) in opus:
            before = given.get(payload, "").partition(" ")[2]
            parameters = dict(p.split("=", 1) for p in before.split(";") if "=" in p)
            parameters.update(OPUS_RESILIENCE)
            out.append(f"a=fmtp:{payload} " + ";".join(f"{k}={v}" for k, v in parameters.items()))
    return out
