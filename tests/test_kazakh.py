"""Kazakh case endings on values put into sentences: chosen by the last sound as read aloud."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale

from intersession.core.kazakh import ABLATIVE, DATIVE, kazakh_case, with_case
from tests.assignments.test_pages import published_work, signed_in
from tests.factories import HubPeople


@pytest.mark.parametrize(
    ("text", "ablative", "dative"),
    [
        ("18:00", "18:00-ден", "18:00-ге"),  # "...нөл"
        ("18:30", "18:30-дан", "18:30-ға"),  # "...отыз"
        ("10:15", "10:15-тен", "10:15-ке"),  # "...бес"
        ("12:10", "12:10-нан", "12:10-ға"),  # "...он"
        ("20:40", "20:40-тан", "20:40-қа"),  # "...қырық"
        ("9 желтоқсан, 23:59", "9 желтоқсан, 23:59-дан", "9 желтоқсан, 23:59-ға"),  # "...тоғыз"
        ("2026 ж. 5 желтоқсан", "2026 ж. 5 желтоқсаннан", "2026 ж. 5 желтоқсанға"),
        ("мектеп", "мектептен", "мектепке"),
        ("үй", "үйден", "үйге"),
        ("Алматы", "Алматыдан", "Алматыға"),
        ("1000", "1000-нан", "1000-ға"),  # "мың"
        ("100", "100-ден", "100-ге"),  # "жүз"
        ("Magnet", "Magnet", "Magnet"),  # Latin letters: left as written
    ],
)
def test_endings(text: str, ablative: str, dative: str) -> None:
    assert kazakh_case(text, ABLATIVE) == ablative
    assert kazakh_case(text, DATIVE) == dative


def test_only_kazakh_gets_an_ending(app: Flask) -> None:
    with app.test_request_context():
        for language, expected in (("kk", "18:00-ден"), ("ru", "18:00"), ("en", "18:00")):
            with force_locale(language):
                assert with_case("18:00", ABLATIVE) == expected


def test_the_work_page_puts_the_ending_on_the_cut_off(app: Flask, hub: HubPeople) -> None:
    zone = ZoneInfo("Asia/Almaty")
    day = datetime.now(zone).date() + timedelta(days=4)
    work = published_work(hub, due_at=datetime.combine(day, time(12, 0), zone),
                          cutoff_at=datetime.combine(day, time(18, 0), zone))  # fmt: skip
    pupil = signed_in(app, "pup")
    kazakh = pupil.client.get(f"/work/{work.id}", headers={"Accept-Language": "kk"}).get_data(
        as_text=True
    )
    assert "18:00-ден кейін жұмыс қабылданбайды" in kazakh
    russian = pupil.client.get(f"/work/{work.id}", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    assert "18:00-ден" not in russian and "18:00" in russian


@pytest.mark.parametrize(("text", "locative"), [("2026 ж. 5 желтоқсан", "2026 ж. 5 желтоқсанда"),
                                                ("2027 ж. 31 мамыр", "2027 ж. 31 мамырда"),
                                                ("мектеп", "мектепте"), ("3", "3-те")])  # fmt: skip
def test_locative(text: str, locative: str) -> None:
    from intersession.core.kazakh import LOCATIVE

    assert kazakh_case(text, LOCATIVE) == locative


def test_a_grade_out_of_range_says_the_range_with_its_endings(app: Flask, hub: HubPeople) -> None:
    from intersession.assignments import grading
    from intersession.core.errors import DomainError

    work = published_work(hub)
    with app.test_request_context(), force_locale("kk"), pytest.raises(DomainError) as refused:
        grading._grade_from(work, "7", {})
    assert "1-ден 5-ке дейін" in refused.value.message
