"""Page speed under load, beside the framework's floor, and memory during a 200 MB upload.

Builds a one-hub data set (600 pupils, 60 teachers, 200 pieces of work, 20,000 submissions) in a
fresh SQLite file, serves the app in a process of its own (gunicorn with `make run`'s settings, or
`--shape nginx`: two instances behind nginx), signs in, and has 50 concurrent clients load each page for a while. One JSON line per page:
p50 and p95 in ms as the clients saw them and as the server's access log has them (the time inside
the server), requests per second, and the ratio of p95 to the floor's p95. The floor is a
trivial endpoint added to the same app, served the same way. Then one 200 MB upload is streamed and
the server's peak resident memory before and after is printed.

    .venv/bin/python bench/http_load.py [--seconds 10] [--clients 50] [--pages gradebook,...]
        [--no-fragments] [--writes-per-second N] [--database postgresql+psycopg://…]

The pages keep their rendered fragments while the data under them is unchanged
(core/fragments.py); `--no-fragments` serves them with nothing kept (every request reads and
renders), and `--writes-per-second` grades a piece of work in the measured cohort that often while
the clients load, so the kept fragments keep going stale (a busy evening of grading).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-1"
PDF_HEAD = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def build(database: str, media: str) -> dict[str, Any]:
    """The data set, written with bulk inserts; returns what the clients need."""
    from sqlalchemy import insert

    from intersession import create_app
    from intersession.assignments.models import Assignment, Submission
    from intersession.auth.models import Role, User
    from intersession.auth.passwords import hash_password
    from intersession.config import TestConfig
    from intersession.core.db import db
    from intersession.schools.models import (
        AcademicYear,
        Cohort,
        School,
        SchoolKind,
        Subject,
        TeachingAssignment,
        cohort_pupil,
    )

    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media))
    now = datetime.now(UTC)
    with app.app_context():
        db.drop_all()  # a server database may hold an earlier run's tables
        db.create_all()
        hub = School(
            name="Опорная школа", kind=SchoolKind.HUB, district="Д", timezone="Asia/Almaty"
        )
        db.session.add(hub)
        db.session.flush()
        magnets = [School(name=f"Малокомплектная школа {n}", kind=SchoolKind.MAGNET, hub_id=hub.id,
                          district="Д", timezone="Asia/Almaty") for n in range(10)]  # fmt: skip
        db.session.add_all(magnets)
        year = AcademicYear(hub_id=hub.id, name="2026/2027", starts_on=(now - timedelta(days=80)).date(),
                            ends_on=(now + timedelta(days=200)).date())  # fmt: skip
        subjects = [Subject(hub_id=hub.id, name=f"Пән {n}") for n in range(10)]
        db.session.add_all([year, *subjects])
        db.session.flush()
        secret = hash_password(PASSWORD)
        people: list[dict[str, Any]] = []
        for n in range(600):
            people.append({"full_name": f"Оқушы {n:03d} Әлихан", "login": f"pupil{n}", "role": Role.PUPIL,
                           "school_id": magnets[n % 10].id, "grade": 9, "password_hash": secret,
                           "active": True, "created_at": now})  # fmt: skip
        for n in range(50):
            people.append({"full_name": f"Эдвайзер {n}", "login": f"advisor{n}", "role": Role.ADVISOR,
                           "school_id": hub.id, "password_hash": secret, "active": True, "created_at": now})  # fmt: skip
        for n in range(10):
            people.append({"full_name": f"Тьютор {n}", "login": f"tutor{n}", "role": Role.TUTOR,
                           "school_id": magnets[n].id, "password_hash": secret, "active": True, "created_at": now})  # fmt: skip
        db.session.execute(insert(User), people)
        ids = {u.login: u.id for u in db.session.query(User.login, User.id)}
        cohorts = [Cohort(year_id=year.id, name=f"9-{n}", grade=9) for n in range(12)]
        db.session.add_all(cohorts)
        db.session.flush()
        db.session.execute(insert(cohort_pupil), [
            {"cohort_id": cohorts[n % 12].id, "pupil_id": ids[f"pupil{n}"]} for n in range(600)
        ])  # fmt: skip
        teachings = []
        for n in range(50):  # each advisor one subject in one cohort (advisor0 teaches cohort 0)
            teachings.append({"advisor_id": ids[f"advisor{n}"], "cohort_id": cohorts[n % 12].id,
                              "subject_id": subjects[n % 10].id})  # fmt: skip
        db.session.execute(insert(TeachingAssignment), teachings)
        work_rows = []
        for n in range(200):
            teaching = teachings[n % 50]
            due = now + timedelta(days=(n % 30) - 15)
            work_rows.append({"advisor_id": teaching["advisor_id"], "cohort_id": teaching["cohort_id"],
                              "subject_id": teaching["subject_id"], "title": f"Жұмыс {n}",
                              "instructions": "Шешіңіз **бес** есепті.", "state": "published",
                              "opens_at": due - timedelta(days=10), "due_at": due, "cutoff_at": None,
                              "accepts_files": True, "accepts_text": True, "file_kinds": "pdf,image,office,text",
                              "max_file_mb": 200, "max_files": 5, "attempts": 2, "scale": "five",
                              "release_at_once": True, "created_at": now, "published_at": now})  # fmt: skip
        db.session.execute(insert(Assignment), work_rows)
        pupils_of = {
            c.id: [ids[f"pupil{n}"] for n in range(600) if n % 12 == i]
            for i, c in enumerate(cohorts)
        }
        submissions = []
        for work in db.session.query(Assignment.id, Assignment.cohort_id, Assignment.due_at):
            for index, pupil_id in enumerate(pupils_of[work.cohort_id]):
                for attempt in (1, 2):
                    last = attempt == 2
                    pending = last and (work.id + index) % 10 == 0
                    submissions.append({
                        "assignment_id": work.id, "pupil_id": pupil_id, "attempt": attempt,
                        "state": ("submitted" if pending else "graded") if last else "returned",
                        "text": "Жауап", "submitted_at": work.due_at - timedelta(days=1),
                        "grade": None if pending or not last else 3 + (index % 3),
                        "feedback": "Жақсы", "released_at": None if pending else now,
                        "graded_at": None if pending else now, "updated_at": now, "version": 1,
                    })  # fmt: skip
        for start in range(0, len(submissions), 5000):
            db.session.execute(insert(Submission), submissions[start : start + 5000])
        db.session.commit()
        counts = {
            "pupils": 600,
            "teachers": 60,
            "work": len(work_rows),
            "submissions": len(submissions),
        }
        gradebook = f"/gradebook?cohort={cohorts[0].id}&subject={subjects[0].id}"
        # One more piece of work, with nothing sent yet, for the upload (not in the counts above).
        upload_work = Assignment(
            **(work_rows[0] | {"title": "Upload", "due_at": now + timedelta(days=5)})
        )
        db.session.add(upload_work)
        db.session.commit()
        upload_id = upload_work.id
        db.session.remove()
    return {"counts": counts, "gradebook": gradebook, "upload_work": upload_id}


def serve(database: str, media: str, port: int, fragments_mb: int, log: str) -> None:
    """One server instance: the app under gunicorn with `make run`'s settings (server.py), plus a
    trivial floor endpoint; each request's time in the server goes to `log` (microseconds)."""
    from intersession.server import WebServer, settings

    class BenchServer(WebServer):
        def load(self) -> Any:
            from intersession import create_app
            from intersession.config import TestConfig

            app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media,
                                        FRAGMENT_CACHE_MB=fragments_mb, MEDIA_WORKERS=0))  # fmt: skip
            app.add_url_rule("/bench/floor", "bench_floor", lambda: "ok")
            return app

    options = settings({"BIND": f"127.0.0.1:{port}", "WEB_ACCESS_LOG": log})
    # No media processes for pages: the engine is not started with the worker here.
    options |= {"access_log_format": "%(U)s %(D)s", "post_worker_init": None}
    BenchServer(options).run()


def nginx_in_front(folder: str, port: int, instances: list[int]) -> subprocess.Popen[bytes]:
    """nginx on `port` with deploy/nginx/locations.conf over the instances, as a hub runs it."""
    servers = "".join(f"server 127.0.0.1:{p};\n" for p in instances)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"{k}_temp_path {folder}/{k};\n"
        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = Path(folder) / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log;\n"
        f"events {{ worker_connections 4096; }}\nhttp {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp}"
        f"upstream intersession_pages {{ least_conn;\n{servers}keepalive 64; }}\n"
        f"upstream intersession_sockets {{ hash $arg_lesson consistent;\n{servers}}}\n"
        f"server {{ listen 127.0.0.1:{port}; set $intersession_root {ROOT};\n"
        f"include {ROOT}/deploy/nginx/locations.conf; }}\n}}\n"
    )  # fmt: skip
    return subprocess.Popen(
        ["nginx", "-c", str(config), "-p", folder, "-e", f"{folder}/nginx-error.log"]
    )


def server_times(log: str, path: str, since: int) -> tuple[list[float], int]:
    """The server's own times (ms) for `path` in the access log after byte `since`."""
    with open(log, "rb") as file:
        file.seek(since)
        lines = file.read().decode(errors="replace").splitlines()
        end = file.tell()
    times = [int(t) / 1000 for line in lines if (parts := line.split()) and parts[0] == path.split("?")[0]
             for t in parts[1:2]]  # fmt: skip
    return times, end


class Client:
    """One signed-in browser: a cookie jar of one session."""

    def __init__(self, port: int, login: str) -> None:
        self.port, self.cookies = port, ""
        page = self.request("GET", "/login")[1].decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        body = urllib.parse.urlencode(
            {"login": login, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        status, _ = self.request(
            "POST", "/login", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, f"sign-in of {login} failed ({status})"

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Cookie": self.cookies, "Accept-Language": "ru"} | (headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                self.cookies = value.split(";", 1)[0]
        connection.close()
        return response.status, data


def load(clients: list[Client], path: str, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def run(client: Client) -> None:
        nonlocal errors
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += status != 200

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "rps": round(len(latencies) / seconds, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95)], 1)}  # fmt: skip


def tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's arbiter and its worker)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    found = [pid]
    for child, parent in parents.items():
        if parent in found and child not in found:
            found.append(child)
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the server processes have used so far."""
    total = 0.0
    for pid in pids:
        for one in tree(pid):
            try:
                fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def peak_rss_mb(pids: list[int]) -> float:
    """The largest peak resident memory among the server processes (the worker's)."""
    peak = 0.0
    for pid in pids:
        for one in tree(pid):
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def upload(client: Client, work_id: int, megabytes: int) -> int:
    """Stream a file of this size as a pupil's draft, never holding it whole here either."""
    page = client.request("GET", f"/work/{work_id}")[1].decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    head = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token.group(1)}\r\n'
            f'--b\r\nContent-Disposition: form-data; name="save"\r\n\r\n1\r\n'
            f'--b\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode() + PDF_HEAD  # fmt: skip
    tail = b"\r\n--b--\r\n"
    size = megabytes * 1024 * 1024
    chunk = b"0" * (1024 * 1024)
    connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=600)
    connection.putrequest("POST", f"/work/{work_id}/draft")
    for name, value in (("Cookie", client.cookies), ("Content-Type", "multipart/form-data; boundary=b"),
                        ("Content-Length", str(len(head) + size + len(tail)))):  # fmt: skip
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(head)
    for _ in range(megabytes):
        connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    status, body = response.status, response.read().decode(errors="replace")
    connection.close()
    if status >= 400:
        alert = re.search(r'role="alert">([^<]+)<', body)
        print(json.dumps({"upload_refused": alert.group(1) if alert else body[:200]}), flush=True)
    return status


class Grader:
    """Changes a grade in cohort 0 (the measured pages' cohort) `per_second` times a second, through
    the application's own session, as an advisor grading would."""

    def __init__(self, database: str, media: str, per_second: float) -> None:
        self.per_second, self.writes = per_second, 0
        self.running, self.stopped = threading.Event(), threading.Event()
        if per_second > 0:
            self.thread = threading.Thread(target=self.run, args=(database, media), daemon=True)
            self.thread.start()

    def run(self, database: str, media: str) -> None:
        from sqlalchemy import select

        from intersession import create_app
        from intersession.assignments.models import Assignment, Submission
        from intersession.config import TestConfig
        from intersession.core.db import db

        app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media))
        with app.app_context():
            first = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
            assert first is not None
            graded = list(db.session.scalars(select(Submission).where(
                Submission.assignment_id == first.id, Submission.grade.is_not(None))))  # fmt: skip
            while not self.stopped.is_set():
                if not self.running.wait(0.2):
                    continue
                sent = graded[self.writes % len(graded)]
                sent.grade = 3 + (sent.grade or 0) % 3
                db.session.commit()
                self.writes += 1
                time.sleep(1 / self.per_second)

    def start(self) -> None:
        self.running.set()

    def pause(self) -> None:
        self.running.clear()

    def stop(self) -> None:
        self.stopped.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--database",
        help="a database URL to build the data set in (its tables are replaced); "
        "default: a fresh SQLite file",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--upload-mb", type=int, default=199)  # the work takes files up to 200 MB
    parser.add_argument("--pages", default="pupil_work_list,grading_queue,gradebook")
    parser.add_argument("--no-fragments", action="store_true")
    parser.add_argument(
        "--shape", choices=("one", "nginx"), default="one",
        help="one gunicorn instance, or two behind nginx (deploy/nginx/locations.conf)",
    )  # fmt: skip
    parser.add_argument("--writes-per-second", type=float, default=0.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["INTERSESSION_INSTANCE"] = folder
        database = options.database or f"sqlite:///{folder}/bench.sqlite"
        media = f"{folder}/media"
        started = time.perf_counter()
        data = build(database, media)
        print(
            json.dumps(
                {"dataset": data["counts"], "built_s": round(time.perf_counter() - started, 1)}
            ),
            flush=True,
        )
        base = 5600 + os.getpid() % 300
        fragments_mb = "0" if options.no_fragments else "64"
        count = 2 if options.shape == "nginx" else 1
        logs = [f"{folder}/access-{n}.log" for n in range(count)]
        servers = [
            subprocess.Popen([sys.executable, __file__, "--serve", database, media,
                              str(base + 1 + n), fragments_mb, logs[n]])
            for n in range(count)
        ]  # fmt: skip
        proxy = (
            nginx_in_front(folder, base, [base + 1 + n for n in range(count)])
            if count > 1
            else None
        )
        port = base if proxy else base + 1
        pids = [server.pid for server in servers]
        try:
            for _ in range(150):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                        "GET", "/bench/floor"
                    )
                    break
                except OSError:
                    time.sleep(0.2)
            pupils = [Client(port, f"pupil{n * 12}") for n in range(options.clients)]  # cohort 0
            advisors = [Client(port, "advisor0") for _ in range(options.clients)]
            pages = [("floor", pupils, "/bench/floor"), ("pupil_work_list", pupils, "/work"),
                     ("grading_queue", advisors, "/grading"), ("gradebook", advisors, data["gradebook"])]  # fmt: skip
            wanted = {"floor", *options.pages.split(",")}
            writer = Grader(database, media, options.writes_per_second)
            floor_p95 = None
            ratios: dict[str, float] = {}
            for name, clients, path in [page for page in pages if page[0] in wanted]:
                load(clients[:5], path, 1.0)  # warm up
                cpu_before = cpu_seconds(pids)
                marks = [Path(log).stat().st_size if Path(log).exists() else 0 for log in logs]
                writes_before = writer.writes
                if name != "floor":
                    writer.start()
                result = load(clients, path, options.seconds)
                writer.pause()
                used = cpu_seconds(pids) - cpu_before
                inside = sorted(t for log, mark in zip(logs, marks, strict=True)
                                for t in server_times(log, path, mark)[0])  # fmt: skip
                if inside:  # the time the requests spent in the server, from its access log
                    result["server_p50_ms"] = round(statistics.median(inside), 1)
                    result["server_p95_ms"] = round(inside[int(len(inside) * 0.95)], 1)
                result["server_cpu_ms_per_request"] = round(
                    used * 1000 / max(result["requests"], 1), 2
                )
                result["server_cores_busy"] = round(used / options.seconds, 2)
                result["fragments_kept"] = not options.no_fragments
                result["writes_during"] = writer.writes - writes_before
                floor_p95 = floor_p95 or result["p95_ms"]
                result = {"page": name, "shape": options.shape, "clients": len(clients)} | result
                result["p95_vs_floor"] = round(result["p95_ms"] / floor_p95, 2)
                print(json.dumps(result), flush=True)
                ratios[name] = result["p95_vs_floor"]
            before = peak_rss_mb(pids)
            status = upload(pupils[0], data["upload_work"], options.upload_mb)
            print(json.dumps({"upload_mb": options.upload_mb, "status": status,
                              "server_peak_rss_mb_before": round(before, 1),
                              "server_peak_rss_mb_after": round(peak_rss_mb(pids), 1)}), flush=True)  # fmt: skip
            pages_only = {k: v for k, v in ratios.items() if k != "floor"}
            worst = max(pages_only, key=lambda k: pages_only[k]) if pages_only else None
            print(json.dumps({"summary": True, "shape": options.shape, "p95_vs_floor": pages_only,
                              "worst_page": worst, "worst_ratio": pages_only.get(worst or ""),
                              "upload_status": status, "load_average": os.getloadavg()[0]}), flush=True)  # fmt: skip
        finally:
            writer.stop()
            for process in [*servers, *([proxy] if proxy else [])]:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        main()
