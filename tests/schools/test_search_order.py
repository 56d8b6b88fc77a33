"""Search and order of names in Russian and Kazakh, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.collation import by_name, name_key, sorted_by_name
from intersession.core.db import db
from tests.conftest import AuthActions
from tests.factories import HubPeople, build_hub, make_user

NAME_LINK = re.compile(r'<a href="/people/\d+">([^<]+)</a>')


def add_pupils(hub: HubPeople, *names: str) -> None:
    for number, name in enumerate(names):
        make_user(f"p{number}", Role.PUPIL, hub.magnet, grade=9, name=name)
    db.session.commit()


def names_on(auth: AuthActions, query: str, language: str = "en") -> list[str]:
    response = auth.client.get(f"/people?{query}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return NAME_LINK.findall(response.get_data(as_text=True))  # type: ignore[attr-defined]


def test_people_search_ignores_case_of_cyrillic_and_kazakh_letters(
    auth: AuthActions, hub: HubPeople
) -> None:
    add_pupils(hub, "Иван Петров", "Пётр Сидоров", "Әлия Серікова", "Қайрат Нұров")
    auth.login("coord")
    for q in ("иван", "ИВАН", "Иван", "иВаН", "ван пет"):
        assert names_on(auth, f"q={q}") == ["Иван Петров"], q
    for q in ("әлия", "ӘЛИЯ", "Әлия", "серік", "СЕРІК"):
        assert names_on(auth, f"q={q}") == ["Әлия Серікова"], q
    for q in ("қ", "Қ", "нұр", "НҰР"):
        assert names_on(auth, f"q={q}") == ["Қайрат Нұров"], q
    for q in ("пётр с", "ПЁТР С", "петр с"):  # ё and е alike, as Russian readers type them
        assert names_on(auth, f"q={q}") == ["Пётр Сидоров"], q
    assert names_on(auth, "q=пётр") == ["Иван Петров", "Пётр Сидоров"]
    assert names_on(auth, "q=PUP2") == ["Pup2"]  # logins and Latin names as before


def test_search_wildcards_are_plain_characters(auth: AuthActions, hub: HubPeople) -> None:
    add_pupils(hub, "Иван Петров")
    auth.login("coord")
    assert names_on(auth, "q=%25") == []
    assert names_on(auth, "q=_") == []


KAZAKH_NAMES = [
    "Яна",
    "Әлия",
    "Бақыт",
    "Алия",
    "Ілияс",
    "Ыбырай",
    "Эльмира",
    "Иван",
    "Үміт",
    "Ұлан",
]


def test_kazakh_view_lists_names_in_the_kazakh_alphabet(auth: AuthActions, hub: HubPeople) -> None:
    add_pupils(hub, *KAZAKH_NAMES)
    auth.login("coord")
    shown = [n for n in names_on(auth, "role=pupil", "kk") if n in KAZAKH_NAMES]
    assert shown == [
        "Алия",
        "Әлия",
        "Бақыт",
        "Иван",
        "Ұлан",
        "Үміт",
        "Ыбырай",
        "Ілияс",
        "Эльмира",
        "Яна",
    ]


RUSSIAN_NAMES = ["Яковлев", "Ёлкин", "Елисеев", "Жуков", "Ерёмин", "Абрамов", "Иванов", "Ілияс"]


def test_russian_view_lists_names_in_the_russian_alphabet(
    auth: AuthActions, hub: HubPeople
) -> None:
    add_pupils(hub, *RUSSIAN_NAMES)
    auth.login("coord")
    shown = [n for n in names_on(auth, "role=pupil", "ru") if n in RUSSIAN_NAMES]
    # Ё is sorted with Е, not before А (its code point); І, foreign to Russian, beside И.
    assert shown == ["Абрамов", "Елисеев", "Ёлкин", "Ерёмин", "Жуков", "Иванов", "Ілияс", "Яковлев"]


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_database_and_python_agree_on_the_order(app: Flask, language: str) -> None:
    """Lists sorted by the database and lists sorted in Python come out the same."""
    hub = build_hub()
    add_pupils(hub, *KAZAKH_NAMES, *RUSSIAN_NAMES, "Zhanna", "adam", "Adam", "Ömer", "Ётов", "ёлка")
    in_database = db.session.scalars(
        select(User.full_name)
        .where(User.school_id == hub.magnet.id, User.role == Role.PUPIL)
        .order_by(by_name(User.full_name, language), User.id)
    ).all()
    pupils = db.session.scalars(
        select(User)
        .where(User.school_id == hub.magnet.id, User.role == Role.PUPIL)
        .order_by(User.id)
    ).all()
    in_python = [
        p.full_name for p in sorted_by_name(pupils, lambda p: p.full_name, language=language)
    ]
    assert list(in_database) == in_python
    assert in_python == sorted(in_python, key=lambda n: name_key(n, language))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", ["Алия", "Әлия", "Ыбырай", "Ілияс", "Яна"]),
        ("ru", ["Алия", "Әлия", "Ілияс", "Ыбырай", "Яна"]),
    ],
)
def test_cohort_page_and_gradebook_export_follow_the_reader(
    auth: AuthActions, hub: HubPeople, language: str, expected: list[str]
) -> None:
    """Lists read through the models' relationships are sorted again for the reader."""
    names = ["Яна", "Ілияс", "Әлия", "Ыбырай", "Алия"]
    add_pupils(hub, *names)
    pupils = db.session.scalars(select(User).where(User.full_name.in_(names))).all()
    hub.cohort.pupils = [*hub.cohort.pupils, *pupils]
    db.session.commit()
    auth.login("adv")  # the cohort's advisor: its page lists the pupils
    headers = {"Accept-Language": language}
    page = auth.client.get(f"/cohorts/{hub.cohort.id}", headers=headers).get_data(as_text=True)
    listed = re.findall(r"<li>([^<—]+) — ", page)
    assert [n.strip() for n in listed if n.strip() in names] == expected
    query = f"cohort={hub.cohort.id}&subject={hub.subject.id}"
    csv = auth.client.get(f"/gradebook.csv?{query}", headers=headers).get_data(as_text=True)
    rows = [line.split(";")[0] for line in csv.splitlines()[1:]]
    assert [n for n in rows if n in names] == expected
