"""A region on one machine: two web instances behind nginx, Redis, two media nodes; K lessons at once.

Each lesson is an advisor publishing a 640x360 VP8 camera with its capture time painted into each
frame (and Opus), and ten pupils listening, every one signed in and joined through nginx as the
room page does; one listener per lesson decodes and reads the painted time (capture-to-decode
latency). Beside them 50 HTTP clients, each signed in, load pages through nginx with a think time
between requests. Each lesson runs in a process of its own, and the HTTP clients in another, so the
load generator's interpreters do not slow each other down (they share the machine's cores with
the servers all the same: the figures to read are the ratios).

    .venv/bin/python bench/region_load.py                  # K = 1, 2, 4
    .venv/bin/python bench/region_load.py --k 2 4 --runs 3

One JSON line per run of K: the pages' p50/p95 (ms, as the clients saw them), and per media node its
rooms, listeners, CPU (core-seconds per second of the node's processes only, its workers included)
and CPU per listener; the spread (busiest node / least busy, in listeners and in CPU, for K >= 2);
fps_min over every listener and the latency p50 over the lessons' probes. The last line is a
summary: per K the median of the runs, and each node's CPU per listener against the one-node figure
(K = 1, one lesson on one node).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.room_load import Listener as RoomLoadListener  # noqa: E402

WARMUP, MEASURE = 5.0, 12.0
PUPIL_PAGES = ["/", "/lessons", "/work", "/portfolio"]
ADVISOR_PAGES = ["/", "/lessons", "/grading", "/consultations"]


# -- a lesson: the advisor's camera and ten listeners, in a process of its own -------------------


def lesson_process(
    url: str, lesson_id: int, advisor: str, pupils: list[str], pipe: Connection
) -> None:
    """Join, publish, listen; say "ready"; on ("measure", begin, end) hand back what arrived."""
    from intersession.rooms.media import passthrough

    passthrough.install()  # listeners keep packets; the probe decodes them itself
    passthrough.gather_only(["127.0.0.1"])
    try:
        asyncio.run(run_lesson(url, lesson_id, advisor, pupils, pipe))
    except Exception as error:  # handed back to the bench, which stops
        pipe.send({"error": repr(error)})


async def run_lesson(
    url: str, lesson_id: int, advisor: str, pupils: list[str], pipe: Connection
) -> None:
    from aiortc import AudioStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    from bench.room_load import ClockCamera
    from tests.servers import Visitor

    loop = asyncio.get_running_loop()
    blocking = lambda call: loop.run_in_executor(None, call)  # noqa: E731

    def joined(login: str) -> tuple[Visitor, Any, dict[str, Any]]:
        person = Visitor(url)
        assert person.login(login).status_code == 302, f"{login} could not sign in"
        client = person.room_socket(f"{url}?lesson={lesson_id}")
        reply = client.call("join", {"lesson": lesson_id}, namespace="/room", timeout=20)
        assert "error" not in reply, reply
        return person, client, reply

    async def ask(client: Any, event: str, data: dict[str, Any]) -> Any:
        return await blocking(lambda: client.call(event, data, namespace="/room", timeout=30))

    teacher, teacher_socket, me = await blocking(lambda: joined(advisor))
    camera = ClockCamera()
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    publisher.addTrack(camera)
    publisher.addTrack(AudioStreamTrack())
    await publisher.setLocalDescription(await publisher.createOffer())
    reply = await ask(
        teacher_socket, "publish", {"source": "camera", "sdp": publisher.localDescription.sdp}
    )
    assert "sdp" in reply, reply
    await publisher.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))

    people = []
    listeners = []
    for index, login in enumerate(pupils):
        person, client, _ = await blocking(lambda login=login: joined(login))
        people.append(person)
        listener = Listener(camera.started, probe=index == 0)
        deadline = time.monotonic() + 30
        while (offer := await ask(client, "subscribe", {"source": me["me"]})).get("error"):
            assert offer["error"] == "no-source" and time.monotonic() < deadline, offer
            await asyncio.sleep(0.2)
        await listener.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await listener.pc.setLocalDescription(await listener.pc.createAnswer())
        answer = {"source": me["me"], "sdp": listener.pc.localDescription.sdp}
        assert await ask(client, "answer", answer) == {"ok": True}
        listeners.append(listener)
    pipe.send("ready")

    _, begin, end = await blocking(pipe.recv)
    fps = [listener.fps(begin, end) for listener in listeners]
    probe = listeners[0]
    latencies = [
        ms for when, ms in zip(probe.read_at, probe.latencies, strict=True) if begin <= when <= end
    ]
    teacher_socket.emit("end", {}, namespace="/room")  # the room closes, its seats are free
    await asyncio.sleep(1)
    for listener in listeners:
        await listener.close()
    await publisher.close()
    for person in [teacher, *people]:
        await blocking(person.close)
    pipe.send({"fps": fps, "latencies": latencies})


class Listener(RoomLoadListener):
    """A pupil's connection (bench/room_load.py's): when each video frame arrived; the probe also
    decodes it and reads the painted capture time."""

    def fps(self, begin: float, end: float) -> float:
        return sum(begin <= t <= end for t in self.frames) / (end - begin)


# -- the pages: 50 signed-in people, each loading a page, thinking, loading the next -------------


def pages_process(
    url: str, people: list[tuple[str, list[str]]], think: float, pipe: Connection
) -> None:
    """Sign everyone in; say "ready"; load pages until ("measure", begin, end); hand back timings."""
    import requests

    from tests.servers import Visitor

    stop = threading.Event()
    timings: list[tuple[float, float]] = []  # (when it ended, ms)
    failures: list[str] = []

    def person(login: str, paths: list[str]) -> None:
        visitor = Visitor(url)
        try:
            try:
                signed_in = visitor.login(login).status_code == 302
            except requests.RequestException as error:
                signed_in = False
                failures.append(f"{login}: {error}")
            if not signed_in:
                failures.append(f"{login} could not sign in")
                return
            chooser = random.Random(login)
            time.sleep(chooser.uniform(0, think))  # not all at once
            while not stop.is_set():
                path = chooser.choice(paths)
                began = time.monotonic()
                try:
                    status = visitor.http.get(url + path, timeout=30).status_code
                except requests.RequestException as error:
                    failures.append(f"{path}: {error}")
                    continue
                ended = time.monotonic()
                if status != 200:
                    failures.append(f"{path}: {status}")
                timings.append((ended, (ended - began) * 1000))
                stop.wait(chooser.uniform(0.5, 1.5) * think)
        finally:
            visitor.close()

    threads = [threading.Thread(target=person, args=one, daemon=True) for one in people]
    for thread in threads:
        thread.start()
    pipe.send("ready")
    _, begin, end = pipe.recv()
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    pipe.send(
        {"ms": [ms for when, ms in timings if begin <= when <= end], "failures": failures[:5]}
    )


# -- the region ----------------------------------------------------------------------------------


def cpu_seconds(pids: set[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def percentile(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1) if ordered else None


class Bench:
    def __init__(self, folder: Path, database: str, listeners: int) -> None:
        from tests.scaled.conftest import NODE_KEY, Nginx, Region, lesson_for, region_database
        from tests.servers import RedisServer

        database_url, first_lesson = region_database(folder, database or None)
        self.redis = RedisServer(folder / "redis")
        self.region = Region(folder, database_url, self.redis, first_lesson,
                             env={"MEDIA_NODE_KEY": NODE_KEY, "WEB_THREADS": "120"})  # fmt: skip
        self.lesson_for = lambda tag: lesson_for(listeners, tag, self.region)
        self.runs = 0
        self.extra_pupils = lesson_for(25, "pages", self.region)  # people who only load pages
        for name in ("node-1", "node-2"):
            self.region.start_node(name)
        a = self.region.start_instance("web-a")
        b = self.region.start_instance("web-b")
        self.nginx = Nginx(folder / "nginx", [a.url[7:], b.url[7:]])
        self.listeners = listeners

    def stop(self) -> None:
        self.nginx.stop()
        for served in self.region.instances.values():
            served.stop()
        for node in self.region.nodes.values():
            node.stop()
        self.redis.stop()

    def one_run(self, k: int, clients: int, think: float) -> dict[str, Any]:
        from tests.servers import process_tree

        load_at_start = round(os.getloadavg()[0], 2)
        context = multiprocessing.get_context("spawn")
        url = self.nginx.url
        runs = []
        self.runs += 1
        for index in range(k):  # lessons of their own: an ended lesson's room stays closed
            tag = f"r{self.runs}k{index}p"
            lesson_id = self.lesson_for(tag)
            pupils = [f"{tag}{i}" for i in range(self.listeners)]
            ours, theirs = context.Pipe()
            process = context.Process(
                target=lesson_process, args=(url, lesson_id, "adv", pupils, theirs), daemon=True
            )
            process.start()
            runs.append((process, ours))
        page_people = [(f"pages{i}", PUPIL_PAGES) for i in range(25)]
        page_people += [("adv", ADVISOR_PAGES)] * (clients - len(page_people))
        ours, theirs = context.Pipe()
        pages = context.Process(
            target=pages_process, args=(url, page_people[:clients], think, theirs), daemon=True
        )
        pages.start()
        for _, pipe in [*runs, (pages, ours)]:
            said = pipe.recv()
            if said != "ready":
                raise SystemExit(f"a lesson did not start: {said}")
        time.sleep(WARMUP)
        nodes = self.region.nodes
        trees = {name: process_tree(node.process.pid) for name, node in nodes.items()}
        webs = {name: served.processes() for name, served in self.region.instances.items()}
        cpu_before = {name: cpu_seconds(pids) for name, pids in (trees | webs).items()}
        begin = time.monotonic()
        time.sleep(MEASURE)
        end = time.monotonic()
        cpu = {
            name: (cpu_seconds(pids) - cpu_before[name]) / (end - begin)
            for name, pids in (trees | webs).items()
        }
        beats = {name: node.heartbeat() or {} for name, node in nodes.items()}
        for _, pipe in [*runs, (pages, ours)]:
            pipe.send(("measure", begin, end))
        lesson_results = [pipe.recv() for _, pipe in runs]
        page_results = ours.recv()
        for process, _ in [*runs, (pages, ours)]:
            process.join(timeout=30)
        for result in lesson_results:
            if "error" in result:
                raise SystemExit(f"a lesson failed: {result['error']}")
        time.sleep(3)  # the ended rooms leave their nodes (a beat) before the next run
        return summarise(k, cpu, beats, lesson_results, page_results, clients, think) | {
            "load_at_start": load_at_start
        }


def summarise(
    k: int,
    cpu: dict[str, float],
    beats: dict[str, dict[str, Any]],
    lessons: list[dict[str, Any]],
    pages: dict[str, Any],
    clients: int,
    think: float,
) -> dict[str, Any]:
    nodes = {}
    for name, beat in beats.items():
        listeners = int(beat.get("listeners", 0))
        nodes[name] = {
            "rooms": beat.get("rooms", 0),
            "listeners": listeners,
            "cpu": round(cpu[name], 3),
            "cpu_per_listener": round(cpu[name] / listeners, 4) if listeners else None,
        }
    loaded = [node for node in nodes.values() if node["listeners"]]
    spread: dict[str, float | None] = {"listeners": None, "cpu": None}
    if k >= 2 and len(loaded) == len(nodes):
        spread = {
            "listeners": round(max(n["listeners"] for n in loaded) / min(n["listeners"] for n in loaded), 2),
            "cpu": round(max(n["cpu"] for n in loaded) / min(n["cpu"] for n in loaded), 2),
        }  # fmt: skip
    elif k >= 2:
        spread = {"listeners": float("inf"), "cpu": float("inf")}
    fps = [one for lesson in lessons for one in lesson["fps"]]
    latencies = [ms for lesson in lessons for ms in lesson["latencies"]]
    return {
        "k": k,
        "clients": clients,
        "think_s": think,
        "pages_requests": len(pages["ms"]),
        "pages_p50_ms": percentile(pages["ms"], 0.5),
        "pages_p95_ms": percentile(pages["ms"], 0.95),
        "pages_failures": pages["failures"],
        "nodes": nodes,
        "web_cpu": {name: round(value, 3) for name, value in cpu.items() if name.startswith("web")},
        "spread": spread,
        "fps_min": round(min(fps), 1),
        "latency_p50_ms": percentile(latencies, 0.5),
    }


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per K, the median of the runs; each node's CPU per listener against K = 1's."""
    by_k: dict[int, list[dict[str, Any]]] = {}
    for result in results:
        by_k.setdefault(result["k"], []).append(result)
    per_listener = {
        k: statistics.median(
            n["cpu_per_listener"]
            for r in runs
            for n in r["nodes"].values()
            if n["cpu_per_listener"]
        )
        for k, runs in by_k.items()
    }
    one_node = per_listener.get(1)
    return {
        "summary": True,
        "per_k": {
            k: {
                "pages_p95_ms": statistics.median(r["pages_p95_ms"] or 0 for r in runs),
                "fps_min": min(r["fps_min"] for r in runs),
                "latency_p50_ms": statistics.median(r["latency_p50_ms"] or 0 for r in runs),
                "spread_listeners_max": max((r["spread"]["listeners"] or 1) for r in runs),
                "spread_cpu_max": max((r["spread"]["cpu"] or 1) for r in runs),
                "cpu_per_listener": round(per_listener[k], 4),
                "vs_one_node": round(per_listener[k] / one_node, 3) if one_node else None,
            }
            for k, runs in sorted(by_k.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--listeners", type=int, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a client's pages")
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: a SQLite file)")
    options = parser.parse_args()
    from tests.servers import require

    for command in ("redis-server", "nginx"):
        require(command)
    with tempfile.TemporaryDirectory(prefix="region-load-") as folder:
        bench = Bench(Path(folder), options.database, options.listeners)
        results = []
        try:
            for k in options.k:
                for _ in range(options.runs):
                    result = bench.one_run(k, options.clients, options.think)
                    print(json.dumps(result), flush=True)
                    results.append(result)
        finally:
            bench.stop()
        print(json.dumps(summary(results)), flush=True)


if __name__ == "__main__":
    main()
