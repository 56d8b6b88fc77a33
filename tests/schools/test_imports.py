"""CSV import: every bad row reported before anything is written, then all rows or none."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.core.errors import DomainError
from intersession.schools import imports
from intersession.schools.models import ImportJob, ImportKind, ImportState, PlanTopic
from tests.conftest import AuthActions
from tests.factories import HubPeople

HEADER = "full_name,login,role,school,grade,email,cohort\n"


@pytest.fixture(autouse=True)
def _english(app: Flask) -> Iterator[None]:
    """Services outside a request speak the default language (Russian); these tests read English."""
    with force_locale("en"):
        yield


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def start(
    hub: HubPeople, text: str, kind: ImportKind = ImportKind.PEOPLE, encoding: str = "utf-8"
) -> ImportJob:
    return imports.start_import(hub.coordinator, kind, hub.year, "list.csv", text.encode(encoding))


def run(job: ImportJob, hub: HubPeople) -> ImportJob:
    assert imports.queue_import(hub.coordinator, job)
    imports.run_import(job.id)
    db.session.expire_all()
    refreshed = db.session.get(ImportJob, job.id)
    assert refreshed is not None
    return refreshed


def test_kazakh_and_russian_names_import(hub: HubPeople) -> None:
    before = people_count()
    text = HEADER + (
        "Әбдіқадыров Ұлан Үмбетұлы,ulan,pupil,Magnet,9,,9 класс\n"
        "Қайратқызы Ғалия Һ. Іңкәрқызы,galiya,оқушы,Far,9,galiya@example.kz,\n"
        "Иванова Мария Петровна,mivanova,тьютор,Magnet,,,\n"
    )
    job = run(start(hub, text), hub)
    assert job.state is ImportState.DONE and job.done_rows == 3
    assert people_count() == before + 3
    ulan = db.session.scalar(select(User).where(User.login == "ulan"))
    assert (
        ulan is not None
        and ulan.full_name == "Әбдіқадыров Ұлан Үмбетұлы"
        and ulan.password_hash is None
    )
    assert ulan in hub.cohort.pupils
    galiya = db.session.scalar(select(User).where(User.login == "galiya"))
    assert galiya is not None and galiya.full_name == "Қайратқызы Ғалия Һ. Іңкәрқызы"
    tutor = db.session.scalar(select(User).where(User.login == "mivanova"))
    assert tutor is not None and tutor.role is Role.TUTOR


def test_semicolons_and_byte_order_mark_and_russian_headers(hub: HubPeople) -> None:
    text = "\ufeffФИО;Логин;Роль;Школа;Класс\nОмаров Дамир;domarov;ученик;Magnet;10\n"
    job = run(start(hub, text), hub)
    assert job.state is ImportState.DONE
    assert db.session.scalar(select(User.grade).where(User.login == "domarov")) == 10


def test_wrong_encoding_is_refused_with_advice(hub: HubPeople) -> None:
    with pytest.raises(DomainError, match="UTF-8"):
        start(hub, HEADER + "Иванов Иван,ivanov,pupil,Magnet,9,,\n", encoding="cp1251")
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_missing_columns_are_named(hub: HubPeople) -> None:
    with pytest.raises(DomainError, match="login, role"):
        start(hub, "full_name,school\nA,Magnet\n")


def test_every_bad_row_is_listed_and_nothing_written(hub: HubPeople) -> None:
    before = people_count()
    text = HEADER + (
        "Good Pupil,good1,pupil,Magnet,9,,\n"
        "Dup In Db,pup,pupil,Magnet,9,,\n"
        "Dup In File,good1,pupil,Magnet,9,,\n"
        ",nameless,pupil,Magnet,9,,\n"
        "Bad Grade,bg,pupil,Magnet,7,,\n"
        "No School,ns,pupil,Atlantis,9,,\n"
        "Bad Role,br,janitor,Magnet,,,\n"
        "Bad Mail,bm,pupil,Magnet,9,not-an-address,\n"
        "Tutor At Hub,th,tutor,Hub,,,\n"
        "Wrong Cohort,wc,pupil,Magnet,10,,9 класс\n"
        "Bad Login,Ива нов,pupil,Magnet,9,,\n"
    )
    job = start(hub, text)
    errors = {e.line: e.message for e in imports.job_errors(job)}
    assert sorted(errors) == list(range(3, 13))
    assert "taken already" in errors[3] and "repeats line 2" in errors[4]
    assert "full name" in errors[5] and "8 to 11" in errors[6] and "Atlantis" in errors[7]
    assert "pupil, tutor or advisor" in errors[8] and "e-mail" in errors[9]
    assert "magnet school" in errors[10] and "cohort" in errors[11] and "Latin" in errors[12]
    with pytest.raises(DomainError):
        imports.queue_import(hub.coordinator, job)
    assert people_count() == before


def test_rows_made_bad_after_the_preview_fail_the_whole_import(hub: HubPeople) -> None:
    before = people_count()
    job = start(hub, HEADER + "A B,late1,pupil,Magnet,9,,\nC D,late2,pupil,Magnet,9,,\n")
    db.session.add(
        User(login="late2", full_name="Taken meanwhile", role=Role.TUTOR, school=hub.magnet)
    )
    db.session.commit()
    job = run(job, hub)
    assert job.state is ImportState.FAILED
    assert "late2" in imports.job_errors(job)[0].message
    assert people_count() == before + 1  # only the one added by hand


def test_running_twice_imports_once(hub: HubPeople) -> None:
    before = people_count()
    job = run(start(hub, HEADER + "A B,once1,pupil,Magnet,9,,\n"), hub)
    imports.run_import(job.id)
    assert people_count() == before + 1
    assert not imports.queue_import(hub.coordinator, job)  # a double click queues nothing more


def test_plan_topics_import_in_file_order(hub: HubPeople) -> None:
    text = 'subject,grade,week,hours,title\nМатематика,9,3,2,Квадрат теңдеулер\nматематика,9,5,"1,5",Неравенства\n'
    job = run(start(hub, text, ImportKind.TOPICS), hub)
    assert job.state is ImportState.DONE
    titles = db.session.scalars(select(PlanTopic.title).order_by(PlanTopic.position)).all()
    assert titles == ["Квадрат теңдеулер", "Неравенства"]
    bad = start(hub, "subject,grade,week,hours,title\nХимия,12,60,0,\n", ImportKind.TOPICS)
    message = imports.job_errors(bad)[0].message
    for part in ("Химия", "8 to 11", "1 to 53", "more than 0", "1 to 300"):
        assert part in message


def test_ten_thousand_rows(hub: HubPeople) -> None:
    before = people_count()
    rows = "".join(
        f"Пупил Нөмір{i},bulk{i},pupil,{'Magnet' if i % 2 else 'Far'},{8 + i % 4},,\n"
        for i in range(10_000)
    )
    started = time.perf_counter()
    job = start(hub, HEADER + rows)
    assert job.total_rows == 10_000 and not imports.job_errors(job)
    job = run(job, hub)
    elapsed = time.perf_counter() - started
    assert job.state is ImportState.DONE and job.done_rows == 10_000
    assert people_count() == before + 10_000
    print(f"10,000 rows checked and imported in {elapsed:.1f} s")


def test_preview_page_lists_bad_rows_and_upload_limits(
    app: Flask, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("coord")
    bad = HEADER + "A,pup,pupil,Magnet,9,,\n"
    page = auth.post(
        "/imports/people",
        {"file": (io.BytesIO(bad.encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 302
    preview = auth.client.get(page.location).get_data(as_text=True)
    assert "taken already" in preview and "confirm-import" not in preview
    good = HEADER + "Новый Ученик,novyi,pupil,Magnet,9,,\n"
    page = auth.post(
        "/imports/people",
        {"file": (io.BytesIO(good.encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    preview = auth.client.get(page.location).get_data(as_text=True)
    assert "Новый Ученик" in preview and "confirm-import" in preview
    garbled = auth.post(
        "/imports/people",
        {"file": (io.BytesIO("Иван".encode("cp1251")), "x.csv")},
        content_type="multipart/form-data",
    )
    assert garbled.status_code == 400 and "UTF-8" in garbled.get_data(as_text=True)
    missing = auth.post("/imports/people", {}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a file." in missing.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    huge = auth.post(
        "/imports/people",
        {"file": (io.BytesIO(b"x" * 4096), "big.csv")},
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413 and re.search(r"larger than \d+ MB", huge.get_data(as_text=True))


def test_sample_file_imports_as_it_is(app: Flask, auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    for kind, model_count in (("people", people_count), ("topics", None)):
        sample = auth.client.get(f"/imports/{kind}/sample.csv")
        assert sample.status_code == 200 and sample.mimetype == "text/csv"
        assert sample.data.startswith("\ufeff".encode())
        job = imports.start_import(
            hub.coordinator, ImportKind(kind), hub.year, "sample.csv", sample.data
        )
        assert imports.job_errors(job) == [], imports.job_errors(job)
        assert model_count is None or job.total_rows == 2


def test_unconfirmed_import_files_are_removed_after_a_day(app: Flask, hub: HubPeople) -> None:
    from datetime import timedelta
    from pathlib import Path

    from intersession.schools.tasks import purge_import_files

    waiting = start(hub, HEADER + "A B,late1,pupil,Magnet,9,,\n")
    fresh = start(hub, HEADER + "C D,late2,pupil,Magnet,9,,\n")
    folder = Path(app.config["MEDIA_ROOT"]) / imports.AREA
    assert len(list(folder.iterdir())) == 2
    waiting.created_at -= timedelta(days=2)
    db.session.commit()
    assert purge_import_files.run() == 1
    db.session.expire_all()
    assert [p.name for p in folder.iterdir()] == [fresh.stored_name]
    assert (
        waiting.state is ImportState.FAILED
        and "not confirmed within a day" in imports.job_errors(waiting)[0].message
    )
    assert fresh.state is ImportState.CHECKED


@pytest.mark.parametrize("kind", [ImportKind.PEOPLE, ImportKind.TOPICS])
def test_an_oversized_field_names_its_line_and_keeps_nothing(
    hub: HubPeople, kind: ImportKind
) -> None:
    """An unclosed quotation mark swallows the rest of a file into one field; the csv module
    raises past 131,072 characters. The line is named, and no job or file is kept."""
    header = HEADER if kind is ImportKind.PEOPLE else "subject,grade,week,hours,title\n"
    good = "A B,ab1,pupil,Magnet,9,,\n" if kind is ImportKind.PEOPLE else "Математика,9,1,2,Тема\n"
    text = header + good + 'C D,"cd1' + "x" * 140_000 + "\n" + good
    with pytest.raises(DomainError, match="Line 3") as raised:
        start(hub, text, kind)
    assert "quotation mark" in raised.value.message
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def workbook() -> bytes:
    """The start of an Excel workbook, as a coordinator may send one instead of its CSV."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (HEADER.encode() + b"A B,ab1,pupil,Magnet,9,,\nC\x00D,cd1,pupil,Magnet,9,,\n", "Line 3"),
        (HEADER.encode() + b"A B,ab1,pupil,Magnet,9,,\n\xff\xfe,cd1,pupil,Magnet,9,,\n", "Line 3"),
        (workbook(), "XLSX"),
        (b"%PDF-1.7\n" + b"\x00" * 100, "PDF"),
    ],
    ids=["nul byte", "undecodable", "a workbook", "a pdf"],
)
def test_files_that_are_not_csv_text_are_refused_by_line(
    hub: HubPeople, data: bytes, expected: str
) -> None:
    with pytest.raises(DomainError, match=expected):
        imports.start_import(hub.coordinator, ImportKind.PEOPLE, hub.year, "list.csv", data)
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_an_oversized_field_is_a_400_on_the_page(
    app: Flask, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("coord")
    before = people_count()
    text = HEADER + "A B,ab1,pupil,Magnet,9,,\n" + "x" * 200_000 + ",cd1,pupil,Magnet,9,,\n"
    page = auth.post(
        "/imports/people",
        {"file": (io.BytesIO(text.encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    body = page.get_data(as_text=True)  # type: ignore[attr-defined]
    assert page.status_code == 400 and "Line 3" in body  # type: ignore[attr-defined]
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert people_count() == before
    russian = auth.post(
        "/imports/people",
        {"file": (io.BytesIO(text.encode()), "list.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "ru"},
    )
    assert russian.status_code == 400  # type: ignore[attr-defined]
    assert "В строке 3" in russian.get_data(as_text=True)  # type: ignore[attr-defined]


def test_the_check_page_reads_as_a_table_and_the_result_lists_the_people(
    auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("coord")
    text = HEADER + (
        f"Әбдіқадыров Ұлан,ulan,pupil,Magnet,9,,{hub.cohort.name}\nИванова Мария,mivanova,tutor,Far,,,\n"
    )
    sent = auth.post(
        "/imports/people",
        {"file": (io.BytesIO(text.encode()), "list.csv"), "year": str(hub.year.id)},
        content_type="multipart/form-data",
    )
    job_page = sent.location  # type: ignore[attr-defined]
    page = auth.client.get(job_page, headers={"Accept-Language": "kk"}).get_data(as_text=True)
    table = page[
        page.index('id="import-preview"') : page.index(
            "</table>", page.index('id="import-preview"')
        )
    ]
    head = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert head[:4] == ["Аты-жөні", "Логин", "Рөлі", "Мектеп"] and len(head) == 7
    rows = [re.findall(r"<td>([^<]*)</td>", r) for r in table.split("<tr>")[2:]]
    assert rows[0] == ["Әбдіқадыров Ұлан", "ulan", "Оқушы", "Magnet", "9", "", hub.cohort.name]
    assert rows[1][2:4] == [
        "Педагог-тьютор",
        "Far",
    ]  # the role in the page's language, the school by name
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    assert job is not None
    run(job, hub)
    done = auth.client.get(job_page, headers={"Accept-Language": "en"}).get_data(as_text=True)
    result = done[done.index('id="import-result"') :]
    assert (
        "2 people imported" in result and "Әбдіқадыров Ұлан" in result and "Иванова Мария" in result
    )
    assert "Login slips: Magnet" in result and "Login slips: Far" in result


def test_the_role_as_the_pages_name_it_imports(hub: HubPeople) -> None:
    """The pages call the advisor "учитель" / "мұғалім": a file that says so is understood."""
    text = (
        HEADER
        + "Ахметова Гүлнар,g.akhmetova,мұғалім,Hub,,,\nПетров Сергей,s.petrov,Учитель,Hub,,,\n"
    )
    job = run(start(hub, text), hub)
    assert job.state is ImportState.DONE, imports.job_errors(job)
    roles = set(
        db.session.scalars(select(User.role).where(User.login.in_(["g.akhmetova", "s.petrov"])))
    )
    assert roles == {Role.ADVISOR}
