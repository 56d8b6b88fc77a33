"""Kept page fragments: served again while their tables are unchanged, never after a committed
write to them (from this process, another process, a bulk statement), nor past the moment they said
they hold until; not kept when they read something whose tables cannot be known."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask
from markupsafe import Markup
from sqlalchemy import select, text, update

from intersession.assignments import grading, submitting
from intersession.auth.models import User
from intersession.core import generations
from intersession.core.db import db
from intersession.core.fragments import FragmentStore, Kept, remembered
from tests.assignments.test_pages import signed_in
from tests.assignments.test_rules import now, published
from tests.assignments.test_tables import counted
from tests.conftest import make_app
from tests.factories import HubPeople


def counters(app: Flask) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(generations.DataGeneration))
        return {row.table_name: row.value for row in rows.scalars()}


def test_a_commit_raises_the_counters_of_the_tables_it_wrote_and_a_rollback_none(
    app: Flask, hub: HubPeople
) -> None:
    before = counters(app)
    hub.pupil.full_name = "Жаңа Есім"
    db.session.commit()
    after = counters(app)
    assert after["user"] == before["user"] + 1
    assert {k: v for k, v in after.items() if k != "user"} == {
        k: v for k, v in before.items() if k != "user"
    }
    db.session.execute(update(User).where(User.id == hub.tutor.id).values(full_name="Басқа"))
    db.session.rollback()
    assert counters(app) == after
    hub.cohort.pupils.remove(hub.pupil)  # an association table, written by the flush
    db.session.commit()
    assert counters(app)["cohort_pupil"] == after["cohort_pupil"] + 1


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


def test_the_gradebook_is_kept_until_a_write_from_anywhere_changes_what_it_shows(
    app: Flask, hub: HubPeople
) -> None:
    work = published(hub)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "жауап", []))
    advisor = signed_in(app, "adv")
    first = advisor.client.get("/gradebook").get_data(as_text=True)
    assert "Сәрсенбаев Әлихан" in first
    with counted(app) as statements:
        again = advisor.client.get("/gradebook").get_data(as_text=True)
    # The CSRF token carries the second it was signed in, so it may differ between the two.
    assert without_tokens(again) == without_tokens(first)
    assert not [s for s in statements if "submission" in s], "the kept table was read again"

    grading.grade(hub.advisor, sent, sent.version, "", grade="4")  # this process, the ORM
    assert "<strong>4</strong>" in advisor.client.get("/gradebook").get_data(as_text=True)

    db.session.execute(update(User).where(User.id == hub.pupil.id).values(full_name="Бірінші Ат"))
    db.session.commit()  # a bulk statement
    assert "Бірінші Ат" in advisor.client.get("/gradebook").get_data(as_text=True)

    # Another process (as the Celery worker's import of people would) renames the pupil.
    rename = (
        "from intersession import create_app\n"
        "from intersession.config import TestConfig\n"
        "from intersession.core.db import db\n"
        "from intersession.auth.models import User\n"
        f"app = create_app(TestConfig(SQLALCHEMY_DATABASE_URI={app.config['SQLALCHEMY_DATABASE_URI']!r}))\n"
        "with app.app_context():\n"
        f"    db.session.get(User, {hub.pupil.id}).full_name = 'Екінші Ат'\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", rename], check=True, timeout=60)
    page = advisor.client.get("/gradebook").get_data(as_text=True)
    assert "Екінші Ат" in page and "Бірінші Ат" not in page

    # Kept per language: the same table in English.
    english = advisor.client.get("/gradebook", headers={"Accept-Language": "en"})
    assert "Pupil" in english.get_data(as_text=True)


def test_the_pupils_list_moves_work_past_its_cut_off_without_any_write(
    app: Flask, hub: HubPeople
) -> None:
    published(hub, title="Тез жабылатын", due_at=now() + timedelta(seconds=1),
              cutoff_at=now() + timedelta(seconds=2))  # fmt: skip
    pupil = signed_in(app, "pup")
    page = pupil.client.get("/work").get_data(as_text=True)
    assert 'class="to-do"' in page
    time.sleep(2.5)
    page = pupil.client.get("/work").get_data(as_text=True)
    assert 'class="to-do"' not in page and 'class="done"' in page


def test_another_advisor_is_refused_a_gradebook_that_is_kept(app: Flask, hub: HubPeople) -> None:
    published(hub)
    path = f"/gradebook?cohort={hub.cohort.id}&subject={hub.subject.id}"
    assert signed_in(app, "adv").client.get(path).status_code == 200
    assert signed_in(app, "adv2").client.get(path).status_code == 404
    assert signed_in(app, "pup").client.get(path).status_code == 404


def test_what_reads_unknown_tables_is_not_kept_and_the_store_is_bounded(app: Flask) -> None:
    with generations.reading() as tables:
        db.session.execute(text("SELECT 1"))
    assert "*" in tables
    with generations.reading() as tables:
        db.session.execute(select(User.id))
    assert tables == {"user"}

    store = FragmentStore(max_bytes=100)
    for n in range(5):
        store.put(n, Kept(Markup("x" * 30), 30, (), None))
    assert len(store) == 3 and store.size == 90 and store.get(0) is None and store.get(4)


def test_no_fragments_are_kept_when_turned_off(tmp_path: Path, hub: HubPeople) -> None:
    published(hub)
    off = make_app(tmp_path, FRAGMENT_CACHE_MB=0)  # the same database as the `app` fixture's
    advisor = signed_in(off, "adv")
    advisor.client.get("/grading")
    with off.app_context(), counted(off) as statements:
        assert advisor.client.get("/grading").status_code == 200
    assert [s for s in statements if "submission" in s]


def test_nothing_is_kept_while_the_request_has_uncommitted_writes(
    app: Flask, hub: HubPeople
) -> None:
    calls: list[int] = []

    def compute() -> tuple[int, None]:
        calls.append(1)
        return len(db.session.scalars(select(User)).all()), None

    with app.test_request_context("/"):
        hub.pupil.full_name = "Сақталмаған"
        db.session.flush()  # written, not committed: what is read now may be rolled back
        remembered(("people",), compute)
        remembered(("people",), compute)
        assert len(calls) == 2
        db.session.rollback()
    with app.test_request_context("/"):
        remembered(("people",), compute)
        remembered(("people",), compute)
        assert len(calls) == 3  # kept once nothing is pending
        hub.tutor.full_name = "Жаңа"
        db.session.commit()  # the request's own commit: its counters are read again
        remembered(("people",), compute)
        assert len(calls) == 4


def test_the_kept_header_takes_each_pages_path_and_its_forms_still_work(
    app: Flask, hub: HubPeople
) -> None:

    tutor = signed_in(app, "tut")
    first = tutor.client.get("/work/school").get_data(as_text=True)
    assert 'name="next" value="/work/school"' in first
    page = tutor.client.get('/portfolio?q="><script>x</script>').get_data(as_text=True)
    assert "<script>x</script>" not in page
    assert 'name="next" value="/portfolio?q=&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in page
    hub.tutor.full_name = "Жаңаев Тьютор"
    db.session.commit()
    assert "Жаңаев Т." in tutor.client.get("/work/school").get_data(as_text=True)
    token = re.search(r'action="/logout">\s*<input name="csrf_token" type="hidden" value="([^"]+)"',
                      tutor.client.get("/work/school").get_data(as_text=True))  # fmt: skip
    assert token is not None
    signed_out = tutor.client.post("/logout", data={"csrf_token": token.group(1)})
    assert signed_out.status_code == 302
    assert tutor.client.get("/work/school").status_code == 302  # to the sign-in page


def test_a_kept_session_ends_at_the_next_request_after_sign_out_or_deactivation(
    app: Flask, hub: HubPeople
) -> None:
    from intersession.auth import services

    pupil = signed_in(app, "pup")
    assert pupil.client.get("/work").status_code == 200
    with counted(app) as statements:
        assert pupil.client.get("/work").status_code == 200
    assert not [s for s in statements if "login_session" in s], "the session was read again"
    services.end_all_sessions(hub.pupil)  # "sign out everywhere", from another browser
    db.session.commit()
    assert pupil.client.get("/work").status_code == 302

    tutor = signed_in(app, "tut")
    assert tutor.client.get("/work/school").status_code == 200
    assert tutor.client.get("/work/school").status_code == 200  # kept
    db.session.execute(update(User).where(User.id == hub.tutor.id).values(active=False))
    db.session.commit()
    assert tutor.client.get("/work/school").status_code == 302
