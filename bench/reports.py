"""The reports on the one-hub data set: the readiness report's build time, a pupil's progress page
under 50 clients beside the framework's floor, and memory while a large workbook is written.

The data set is bench/http_load.py's (600 pupils, 60 teachers, 200 pieces of work, 20,000
submissions) with this year's sessions (the final one a week ahead) and a year of lessons:
every cohort four lessons a week from the orientation session to yesterday, the final session a
week ahead, each with its register
(one pupil in eight absent, some with a reason, some caught up on the recording).

    .venv/bin/python bench/reports.py [--seconds 10] [--clients 50] [--builds 3]
        [--rows 20000,100000,300000]

JSON lines: the data set; each readiness build (seconds, pupils, topics); the progress page and the
floor under load (p50, p95, their ratio); peak memory writing workbooks of growing size (each in a
fresh process, so the peaks do not mix); then a summary.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_load  # noqa: E402  (bench/http_load.py: the data set, the server and the clients)

ZONE = ZoneInfo("Asia/Almaty")


def add_year(database: str, media: str) -> dict[str, Any]:
    """Sessions around today, a plan of topics, and a year of lessons with their registers."""
    from sqlalchemy import insert, select

    from intersession import create_app
    from intersession.config import TestConfig
    from intersession.core.db import db
    from intersession.lessons.models import AttendanceRow, Lesson
    from intersession.schools.models import (
        AcademicYear,
        PlanTopic,
        SessionKind,
        TeachingAssignment,
        YearSession,
        cohort_pupil,
    )

    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media))
    today = datetime.now(UTC).astimezone(ZONE).date()
    with app.app_context():
        year = db.session.scalars(select(AcademicYear)).one()
        # A year almost over: the orientation and intermediate sessions behind, the final one a
        # week ahead, so its report covers a long between-session period.
        year.starts_on, year.ends_on = today - timedelta(days=230), today + timedelta(days=40)
        year.sessions = [
            YearSession(kind=SessionKind.ORIENTATION, starts_on=year.starts_on,
                        ends_on=year.starts_on + timedelta(days=9)),
            YearSession(kind=SessionKind.INTERMEDIATE, starts_on=today - timedelta(days=110),
                        ends_on=today - timedelta(days=101)),
            YearSession(kind=SessionKind.FINAL, starts_on=today + timedelta(days=7),
                        ends_on=today + timedelta(days=16)),
        ]  # fmt: skip
        db.session.flush()
        teachings = db.session.execute(
            select(TeachingAssignment.advisor_id, TeachingAssignment.cohort_id,
                   TeachingAssignment.subject_id)
        ).all()  # fmt: skip
        subjects = sorted({t.subject_id for t in teachings})
        db.session.execute(insert(PlanTopic), [
            {"year_id": year.id, "subject_id": s, "grade": 9, "position": w, "title": f"Тақырып {w}",
             "week": w, "hours": 2} for s in subjects for w in range(1, 45)
        ])  # fmt: skip
        topics = {(t.subject_id, t.week): t.id for t in db.session.scalars(select(PlanTopic))}
        pupils: dict[int, list[int]] = {}
        for cohort_id, pupil_id in db.session.execute(select(cohort_pupil)):
            pupils.setdefault(cohort_id, []).append(pupil_id)
        first_monday = year.starts_on - timedelta(days=year.starts_on.weekday())
        lessons = []
        day = year.starts_on + timedelta(days=10)  # after the orientation session
        in_session = (today - timedelta(days=110), today - timedelta(days=101))
        while day < today:
            if (
                day.weekday() < 4 and not in_session[0] <= day <= in_session[1]
            ):  # four lessons a week per cohort, by its teachers in turn
                for cohort_id in {t.cohort_id for t in teachings}:
                    own = [t for t in teachings if t.cohort_id == cohort_id]
                    teaching = own[(day.toordinal() // 7 + day.weekday()) % len(own)]
                    week = (day - first_monday).days // 7 + 1
                    starts = datetime.combine(day, clock(10 + day.weekday())).replace(tzinfo=ZONE)
                    lessons.append({
                        "kind": "lesson", "state": "scheduled", "advisor_id": teaching.advisor_id,
                        "cohort_id": cohort_id, "subject_id": teaching.subject_id,
                        "topic_id": topics.get((teaching.subject_id, week)), "title": f"Тақырып {week}",
                        "description": "", "starts_at": starts.astimezone(UTC), "duration_minutes": 45,
                        "room_locked": False, "camera_kbps": 500, "record": True,
                        "created_at": datetime.now(UTC),
                    })  # fmt: skip
            day += timedelta(days=1)
        for start in range(0, len(lessons), 2000):
            db.session.execute(insert(Lesson), lessons[start : start + 2000])
        rows = []
        for n, lesson in enumerate(db.session.execute(select(Lesson.id, Lesson.cohort_id))):
            for index, pupil_id in enumerate(pupils.get(lesson.cohort_id, [])):
                # One pupil in eight away one lesson in eight; every seventh pupil one in three.
                absent = (n + index) % (3 if index % 7 == 0 else 8) == 0
                rows.append({
                    "lesson_id": lesson.id, "pupil_id": pupil_id,
                    "status": "absent" if absent else "present", "minutes": 0 if absent else 45,
                    "source": "advisor",
                    "reason": ("illness" if (n + index) % 24 == 0 else None) if absent else None,
                    "caught_up_at": datetime.now(UTC) if absent and (n + index) % 16 == 0 else None,
                })  # fmt: skip
        for start in range(0, len(rows), 10000):
            db.session.execute(insert(AttendanceRow), rows[start : start + 10000])
        db.session.commit()
        session_id = next(s.id for s in year.sessions if s.kind is SessionKind.FINAL)
        db.session.remove()
    return {"lessons": len(lessons), "register_rows": len(rows), "session_id": session_id}


def build_reports(database: str, media: str, session_id: int, builds: int) -> list[float]:
    from intersession import create_app
    from intersession.config import TestConfig
    from intersession.core.db import db
    from intersession.reports import readiness
    from intersession.schools.models import YearSession

    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media))
    times = []
    with app.app_context(), app.test_request_context():
        for _n in range(builds):
            db.session.expire_all()
            session = db.session.get_one(YearSession, session_id)
            started = time.perf_counter()
            report = readiness.build_report(session, None)
            elapsed = time.perf_counter() - started
            content = json.loads(report.content)
            times.append(elapsed)
            print(json.dumps({"readiness_build_s": round(elapsed, 2), "pupils": len(content["pupils"]),
                              "topics": len(content["topics"]),
                              "not_ready": sum(1 for p in content["pupils"] if not p["ready"]),
                              "content_kb": round(len(report.content.encode()) / 1024, 1)}), flush=True)  # fmt: skip
        db.session.remove()
    return times


class ResidentMemory:
    """This process's resident memory (VmRSS), sampled on a thread while work runs: the growth
    is the highest sample less the one before (ru_maxrss would keep the import's peak)."""

    def __init__(self) -> None:
        self.before = self.now()
        self.highest = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def now() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.highest = max(self.highest, self.now())

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self.highest = max(self.highest, self.now())
        return {"rss_before_mb": round(self.before, 1), "rss_highest_mb": round(self.highest, 1),
                "rss_growth_mb": round(self.highest - self.before, 1)}  # fmt: skip


def write_workbook(rows: int, path: str) -> None:
    """In a fresh process: a workbook of `rows` report lines written to a file; prints peak RSS."""
    from intersession.core.spreadsheets import Sheet, workbook_file

    memory = ResidentMemory()
    header = [
        "Оқушы",
        "Мектеп",
        "Топ",
        "Дайындық",
        "Қатысу, %",
        "Сабақ",
        "Жұмыс",
        "Баға",
        "Себептері",
    ]
    lines = ([f"Оқушы {n} Әлихан", f"Мектеп {n % 10}", "9-1", "дайын", 87.5, 40, 30, 4.2,
              "қатысу 65%, 70% шегінен төмен"] for n in range(rows))  # fmt: skip
    started = time.perf_counter()
    workbook_file([Sheet("Оқушылар", _chain(header, lines))], path)
    print(json.dumps({"xlsx_rows": rows, "seconds": round(time.perf_counter() - started, 1),
                      "file_mb": round(os.path.getsize(path) / 2**20, 1)} | memory.stop()), flush=True)  # fmt: skip


def hub_export(database: str, media: str) -> None:
    """In a fresh process: the coordinator's workbook of every pupil's year, made as the task makes
    it; prints its time, size and the process's peak memory before and after."""
    from sqlalchemy import select

    from intersession import create_app
    from intersession.auth.models import Role, User
    from intersession.config import TestConfig
    from intersession.core.db import db
    from intersession.reports import bulk
    from intersession.reports.models import ProgressExport
    from intersession.reports.progress import Span

    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media))
    with app.app_context():
        coordinator = User(full_name="Үйлестіруші Бенч", login="bench-coord", role=Role.COORDINATOR,
                           school_id=db.session.scalars(select(User.school_id).where(User.login == "advisor0")).one())  # fmt: skip
        db.session.add(coordinator)
        db.session.commit()
        export_id = bulk.request_progress_export(coordinator, Span.YEAR, "ru").id
        memory = ResidentMemory()
        started = time.perf_counter()
        bulk.run_progress_export(export_id)
        elapsed = time.perf_counter() - started
        used = memory.stop()
        found = db.session.get_one(ProgressExport, export_id)
        print(json.dumps({"hub_export_s": round(elapsed, 1), "pupils": found.total,
                          "file_mb": round(found.size / 2**20, 1), "state": found.state.value} | used), flush=True)  # fmt: skip
        db.session.remove()


def _chain(header: list[object], lines: Any) -> Any:
    yield header
    yield from lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--rows", default="20000,100000,300000")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["INTERSESSION_INSTANCE"] = folder
        database, media = f"sqlite:///{folder}/bench.sqlite", f"{folder}/media"
        started = time.perf_counter()
        data = http_load.build(database, media)
        year = add_year(database, media)
        print(json.dumps({"dataset": data["counts"] | {k: year[k] for k in ("lessons", "register_rows")},
                          "built_s": round(time.perf_counter() - started, 1)}), flush=True)  # fmt: skip
        builds = build_reports(database, media, year["session_id"], options.builds)

        results = {}
        for fragments_mb, suffix in (("64", ""), ("0", "_nothing_kept")):
            results |= serve_and_load(database, media, folder, fragments_mb, suffix, options)
        # Each page beside the floor of its own server (run just before it).
        ratios = {
            k: round(v["p95_ms"] / results["floor" + ("_nothing_kept" if k.endswith("_nothing_kept") else "")]["p95_ms"], 2)
            for k, v in results.items()
            if not k.startswith("floor")
        }  # fmt: skip

        done = subprocess.run([sys.executable, __file__, "--export", database, media],
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            sys.exit(done.stderr[-3000:])
        out = done.stdout.strip().splitlines()[-1]
        print(out, flush=True)
        exported = json.loads(out)
        peaks = {}
        for rows in (int(r) for r in options.rows.split(",")):
            out = subprocess.run([sys.executable, __file__, "--workbook", str(rows), f"{folder}/big.xlsx"],
                                 capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]  # fmt: skip
            print(out, flush=True)
            peaks[rows] = json.loads(out)["rss_growth_mb"]
        print(json.dumps({"summary": True, "readiness_build_s_max": round(max(builds), 2),
                          "progress_p95_vs_floor": ratios, "xlsx_rss_growth_mb_by_rows": peaks,
                          "hub_export_s": exported["hub_export_s"],
                          "hub_export_rss_growth_mb": exported["rss_growth_mb"],
                          "load_average": os.getloadavg()[0]}), flush=True)  # fmt: skip


def serve_and_load(database: str, media: str, folder: str, fragments_mb: str, suffix: str,
                   options: argparse.Namespace) -> dict[str, dict[str, Any]]:  # fmt: skip
    """The floor and the progress pages under load, from one server (gunicorn, `make run`'s
    settings) keeping `fragments_mb` of rendered fragments."""
    port = 5900 + (os.getpid() + int(fragments_mb)) % 300
    log = f"{folder}/access{suffix}.log"
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "http_load.py"), "--serve",
                               database, media, str(port), fragments_mb, log])  # fmt: skip
    results = {}
    try:
        for _ in range(150):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                    "GET", "/bench/floor"
                )
                break
            except OSError:
                time.sleep(0.2)
        tutors = [http_load.Client(port, "tutor0") for _ in range(options.clients)]
        pupil = first_pupil_of_school0(database, media)
        for name, path in (("floor", "/bench/floor"), ("pupil_progress", f"/reports/progress/{pupil}"),
                           ("pupil_progress_year", f"/reports/progress/{pupil}?span=year")):  # fmt: skip
            http_load.load(tutors[:5], path, 1.0)
            result = http_load.load(tutors, path, options.seconds)
            results[name + suffix] = result
            print(json.dumps({"page": name + suffix, "clients": len(tutors),
                              "fragments_mb": int(fragments_mb)} | result), flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def first_pupil_of_school0(database: str, media: str) -> int:
    from sqlalchemy import select

    from intersession import create_app
    from intersession.auth.models import User
    from intersession.config import TestConfig
    from intersession.core.db import db

    app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI=database, MEDIA_ROOT=media))
    with app.app_context():
        pupil_id = db.session.scalars(select(User.id).where(User.login == "pupil0")).one()
        db.session.remove()
    return int(pupil_id)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workbook"]:
        write_workbook(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1:2] == ["--export"]:
        hub_export(sys.argv[2], sys.argv[3])
    else:
        main()
