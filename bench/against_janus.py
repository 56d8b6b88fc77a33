"""Our engine and Janus (Debian's package, its VideoRoom plugin) side by side: the same publisher,
listeners and probe as bench/room_load.py, through each server in turn, in one run.

Both servers work in a network namespace of their own ("isbench", 10.231.0.2; Janus does not
gather on loopback); the publisher and the listeners are in this process, on the host's end of a
veth pair (10.231.0.1). The publisher's VP8 is held at 500 kbit/s whatever either server's
bandwidth estimates say, so both forward the same bytes. Needs root and `apt-get install janus`.

    sudo .venv/bin/python bench/against_janus.py                      # N = 1, 10, 20, 40, 3 runs
    sudo .venv/bin/python bench/against_janus.py --n 1 20 --runs 1

One JSON line per run (server, n, server_cpu in cores, fps_min, latency and sound p50/p95 as in
room_load.py); the last line is the summary: `cpu_per_listener_ratio` and `fixed_cpu_ratio` (ours
over Janus's, from least-squares lines of CPU against N), `latency_p50_delta_ms` and
`sound_p50_delta_ms` (ours minus Janus's, medians at N = 20 or the largest N below it), and
`collapses` (runs of either server with a listener under 28 fps).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs.vpx import Vp8Encoder

from bench.room_load import WARMUP, ClockCamera, Engine, Listener, StampedSound, serve_room
from intersession.rooms.media import passthrough

NAMESPACE, HOST, INSIDE = "isbench", "10.231.0.1", "10.231.0.2"
JANUS_PORT = 8088
PUBLISHER_BPS = 500_000
MEASURE = 10.0


# -- the namespace -----------------------------------------------------------------------------


def sh(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def make_namespace() -> None:
    remove_namespace()
    sh("ip", "netns", "add", NAMESPACE)
    sh("ip", "link", "add", "isb0", "type", "veth", "peer", "name", "isb1")
    sh("ip", "link", "set", "isb1", "netns", NAMESPACE)
    sh("ip", "addr", "add", f"{HOST}/24", "dev", "isb0")
    sh("ip", "link", "set", "isb0", "up")
    inside = ("ip", "netns", "exec", NAMESPACE)
    sh(*inside, "ip", "addr", "add", f"{INSIDE}/24", "dev", "isb1")
    sh(*inside, "ip", "link", "set", "isb1", "up")
    sh(*inside, "ip", "link", "set", "lo", "up")


def remove_namespace() -> None:
    subprocess.run(["ip", "link", "del", "isb0"], capture_output=True)
    subprocess.run(["ip", "netns", "del", NAMESPACE], capture_output=True)


def enter_namespace() -> None:
    """Move this process (its main thread, before it opens any socket) into the namespace."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    with open(f"/var/run/netns/{NAMESPACE}") as handle:
        if libc.setns(handle.fileno(), 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns")


def engine_in_namespace(pipe: Any, arm: str) -> None:
    enter_namespace()
    serve_room(pipe, arm, [INSIDE])


# -- the two servers behind the same calls -------------------------------------------------------


class Ours:
    name = "ours"

    def __init__(self) -> None:
        self.engine = Engine(target=engine_in_namespace)

    async def publish(self, offer: str) -> str:
        answer: str = await self.engine.call("publish", offer)
        await self.engine.call("wait_for_tracks", "main", 2)
        return answer

    async def subscribe(self, listener: str) -> str:
        offer: str = await self.engine.call("subscribe", listener)
        return offer

    async def accept(self, listener: str, answer: str) -> None:
        await self.engine.call("accept_answer", listener, answer)

    def cpu_seconds(self) -> float:
        return self.engine.cpu_seconds()

    async def stop(self) -> None:
        await self.engine.call("stop")
        self.engine.process.join(timeout=10)


class Janus:
    """Janus in the namespace, driven over its HTTP API: a room, one publisher, N subscribers."""

    name = "janus"

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="janus-bench-"))
        write_janus_config(self.folder)
        self.log = open(self.folder / "janus.log", "w")  # noqa: SIM115 (kept while it runs)
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", NAMESPACE, "janus", "-F", str(self.folder), "-o"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.base = f"http://{INSIDE}:{JANUS_PORT}/janus"
        self.http = requests.Session()
        for _ in range(100):
            try:
                self.http.get(f"{self.base}/info", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"Janus did not start: see {self.folder / 'janus.log'}")
        self.session = self._post("", {"janus": "create"})["data"]["id"]
        self.room = 4242
        admin = self._attach()
        self._message(admin, {"request": "create", "room": self.room, "publishers": 1,
                              "bitrate": 0, "videocodec": "vp8", "audiocodec": "opus"})  # fmt: skip
        self.handles: dict[str, int] = {}
        self.feed = 0

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        body = body | {"transaction": uuid.uuid4().hex}
        reply: dict[str, Any] = self.http.post(self.base + path, json=body, timeout=10).json()
        if reply["janus"] == "error":
            raise RuntimeError(reply["error"])
        return reply

    def _attach(self) -> int:
        reply = self._post(
            f"/{self.session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"}
        )
        return int(reply["data"]["id"])

    def _message(self, handle: int, body: dict[str, Any], sdp: str | None = None,
                 kind: str = "") -> dict[str, Any]:  # fmt: skip
        """The plugin's answer to a request: at once, or as an event on the session's long poll."""
        request: dict[str, Any] = {"janus": "message", "body": body}
        if sdp is not None:
            request["jsep"] = {"type": kind, "sdp": sdp}
        reply = self._post(f"/{self.session}/{handle}", request)
        if reply["janus"] == "success":
            return reply
        transaction = reply["transaction"]
        for _ in range(30):
            event = self.http.get(f"{self.base}/{self.session}?maxev=1", timeout=40).json()
            if event.get("transaction") == transaction:
                data = event.get("plugindata", {}).get("data", {})
                if "error" in data:
                    raise RuntimeError(data["error"])
                return dict(event)
        raise RuntimeError("no answer from Janus")

    async def publish(self, offer: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, self._publish, offer)

    def _publish(self, offer: str) -> str:
        handle = self._attach()
        joined = self._message(handle, {"request": "join", "ptype": "publisher", "room": self.room})
        self.feed = joined["plugindata"]["data"]["id"]
        reply = self._message(handle, {"request": "publish", "audio": True, "video": True},
                              offer, "offer")  # fmt: skip
        return str(reply["jsep"]["sdp"])

    async def subscribe(self, listener: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, self._subscribe, listener)

    def _subscribe(self, listener: str) -> str:
        handle = self.handles[listener] = self._attach()
        join = {"request": "join", "ptype": "subscriber", "room": self.room,
                "streams": [{"feed": self.feed}]}  # fmt: skip
        for _ in range(100):  # the feed is there once the publisher's connection is up
            try:
                return str(self._message(handle, join)["jsep"]["sdp"])
            except RuntimeError as error:
                if "No such feed" not in str(error):
                    raise
                time.sleep(0.1)
        raise RuntimeError("the publisher's feed never came up in Janus")

    async def accept(self, listener: str, answer: str) -> None:
        handle = self.handles[listener]
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: self._message(handle, {"request": "start"}, answer, "answer")
        )

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def write_janus_config(folder: Path) -> None:
    system = Path("/usr/lib/x86_64-linux-gnu/janus")
    plugins = [p.name for p in (system / "plugins").glob("*.so") if "videoroom" not in p.name]
    transports = [p.name for p in (system / "transports").glob("*.so") if "http" not in p.name]
    (folder / "janus.jcfg").write_text(f"""general: {{
  configs_folder = "{folder}"
  plugins_folder = "{system / "plugins"}"
  transports_folder = "{system / "transports"}"
  events_folder = "{system / "events"}"
  loggers_folder = "{system / "loggers"}"
  debug_level = 2
  session_timeout = 0
}}
media: {{ }}
nat: {{ ice_ignore_list = "vmnet" }}
plugins: {{ disable = "{",".join(plugins)}" }}
transports: {{ disable = "{",".join(transports)}" }}
events: {{ broadcast = false }}
loggers: {{ disable = "libjanus_jsonlog.so" }}
""")
    (folder / "janus.transport.http.jcfg").write_text(
        f'general: {{ json = "plain"\n base_path = "/janus"\n http = true\n port = {JANUS_PORT} }}\n'
        "admin: { admin_http = false }\n"
    )
    (folder / "janus.plugin.videoroom.jcfg").write_text("general: { }\n")


# -- one run -----------------------------------------------------------------------------------


class SteadyVp8Encoder(Vp8Encoder):
    """VP8 at PUBLISHER_BPS whatever the server's estimates: both servers forward the same load."""

    def __init__(self) -> None:
        super().__init__()
        self._Vp8Encoder__target_bitrate = PUBLISHER_BPS

    @property
    def target_bitrate(self) -> int:
        return PUBLISHER_BPS

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        pass


async def one_run(server_name: str, n: int) -> dict[str, Any]:
    server: Any = Ours() if server_name == "ours" else Janus()
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    camera = ClockCamera()
    publisher.addTrack(StampedSound())
    sender = publisher.addTrack(camera)
    sender._RTCRtpSender__encoder = SteadyVp8Encoder()  # type: ignore[attr-defined]
    await publisher.setLocalDescription(await publisher.createOffer())
    answer = await server.publish(publisher.localDescription.sdp)
    await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    listeners = [Listener(camera.started, probe=index == 0) for index in range(n)]
    for index, listener in enumerate(listeners):
        offer = await server.subscribe(f"listener-{index}")
        await listener.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await listener.pc.setLocalDescription(await listener.pc.createAnswer())
        await server.accept(f"listener-{index}", listener.pc.localDescription.sdp)
    await asyncio.sleep(WARMUP)
    for listener in listeners:
        listener.latencies.clear()
        listener.sound_latencies.clear()
    cpu_before, begin = server.cpu_seconds(), time.monotonic()
    await asyncio.sleep(MEASURE)
    end = time.monotonic()
    cpu = (server.cpu_seconds() - cpu_before) / (end - begin)
    fps = [
        sum(begin <= t <= end for t in listener.frames) / (end - begin) for listener in listeners
    ]
    video, sound = sorted(listeners[0].latencies), sorted(listeners[0].sound_latencies)
    for listener in listeners:
        await listener.close()
    await publisher.close()
    await server.stop()
    return {
        "server": server_name, "n": n, "server_cpu": round(cpu, 3),
        "fps_min": round(min(fps), 1), "fps_mean": round(statistics.fmean(fps), 1),
        "latency_p50_ms": percentile(video, 0.5), "latency_p95_ms": percentile(video, 0.95),
        "sound_p50_ms": percentile(sound, 0.5), "sound_p95_ms": percentile(sound, 0.95),
        "load_average": round(os.getloadavg()[0], 2),
    }  # fmt: skip


def percentile(values: list[float], share: float) -> float | None:
    return round(values[int(len(values) * share)], 1) if values else None


def line(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares: (slope, intercept)."""
    xs, ys = [float(x) for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return slope, mean_y - slope * mean_x


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    fits = {
        name: line([(r["n"], r["server_cpu"]) for r in results if r["server"] == name])
        for name in ("ours", "janus")
    }
    points = sorted({r["n"] for r in results})
    at = max([n for n in points if n <= 20] or points)

    def median(name: str, figure: str) -> float | None:
        values = [r[figure] for r in results if r["server"] == name and r["n"] == at]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def delta(figure: str) -> float | None:
        ours, janus = median("ours", figure), median("janus", figure)
        return None if ours is None or janus is None else round(ours - janus, 1)

    def ratio(ours: float, janus: float) -> float | None:
        return round(ours / janus, 2) if janus > 0 else None

    return {
        "summary": True,
        "cpu_per_listener": {name: round(fit[0], 4) for name, fit in fits.items()},
        "fixed_cpu": {name: round(fit[1], 4) for name, fit in fits.items()},
        "cpu_per_listener_ratio": ratio(fits["ours"][0], fits["janus"][0]),
        "fixed_cpu_ratio": ratio(fits["ours"][1], fits["janus"][1]),
        "delta_at_n": at,
        "latency_p50_delta_ms": delta("latency_p50_ms"),
        "sound_p50_delta_ms": delta("sound_p50_ms"),
        "collapses": sum(r["fps_min"] < 28 for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="*", default=[1, 10, 20, 40])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if shutil.which("janus") is None or os.geteuid() != 0:
        sys.exit("needs root and Janus: apt-get install janus")
    passthrough.install()  # listeners keep packets; the probe decodes them itself
    passthrough.gather_only([HOST])
    make_namespace()
    results = []
    try:
        for _ in range(options.runs):
            for n in options.n:
                for server in ("ours", "janus"):  # interleaved: the machine's noise falls on both
                    result = asyncio.run(one_run(server, n))
                    results.append(result)
                    print(json.dumps(result), flush=True)
    finally:
        remove_namespace()
    print(json.dumps(summary(results)), flush=True)


if __name__ == "__main__":
    main()
