"""The coordinator signs in, switches to Kazakh, adds a magnet school and a pupil, signs out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, choose_language
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_coordinator_sets_up_in_kazakh(live_server: str, new_page: Any) -> None:
    page = new_page(locale="ru-RU")
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "ru"
    shot(page, "01-login-ru")
    page.fill("#login", "coord")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Войти')")
    page.wait_for_url(f"{live_server}/")
    assert "Здравствуйте" in page.inner_text("h1")
    shot(page, "02-home-ru")

    choose_language(page, "kk")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "kk"
    assert "Сәлеметсіз бе" in page.inner_text("h1")
    shot(page, "03-home-kk")

    page.click("#nav-hub summary")  # the hub's set-up links sit in one menu
    page.click("nav a:has-text('Мектептер')")
    page.click("a:has-text('Шағын жинақты мектеп қосу')")
    page.fill("#name", "Қарабұлақ шағын жинақты мектебі")
    page.fill("#district", "D")
    page.select_option("#timezone", "Asia/Qostanay")
    shot(page, "04-school-form-kk")
    page.click("button[type=submit]:has-text('Сақтау')")
    page.wait_for_selector("text=Мектеп сақталды.")
    assert page.locator("td:has-text('Қарабұлақ шағын жинақты мектебі')").count() == 1
    shot(page, "05-schools-kk")

    page.click("#nav-hub summary")
    page.click("nav a:has-text('Адамдар')")
    page.click("a:has-text('Адам қосу')")
    page.fill("#full_name", "Сәрсенова Әйгерім Ұланқызы")
    page.fill("#login", "aigerim.s")
    page.select_option("#role", "pupil")
    page.select_option("#school", label="Қарабұлақ шағын жинақты мектебі")
    page.select_option("#grade", "9")
    # First a mistake: the login is taken; the form says so and keeps what was typed.
    page.fill("#login", "pup")
    page.click("button[type=submit]:has-text('Сақтау')")
    assert page.locator(".field-error").inner_text() == "Бұл логин бос емес."
    assert page.input_value("#full_name") == "Сәрсенова Әйгерім Ұланқызы"
    shot(page, "06-person-form-error-kk")
    page.fill("#login", "aigerim.s")
    page.click("button[type=submit]:has-text('Сақтау')")
    page.wait_for_selector("text=Деректер сақталды.")
    assert page.inner_text("h1") == "Сәрсенова Әйгерім Ұланқызы"
    assert re.search(r"Оқушы\s*·\s*Қарабұлақ", page.inner_text("hgroup p"))
    shot(page, "07-person-kk")

    page.click("summary:has-text('Coord')")
    page.click("#sign-out")
    page.wait_for_url(re.compile(r".*/login$"))
    assert page.locator("html").get_attribute("lang") == "kk"
    assert "Сіз жүйеден шықтыңыз." in page.inner_text("main")
    shot(page, "08-signed-out-kk")
    page.goto(f"{live_server}/schools")
    assert page.url.startswith(f"{live_server}/login")
    assert Path(ARTIFACTS / "07-person-kk.png").exists()


def test_pages_fit_a_phone(live_server: str, new_page: Any) -> None:
    page = new_page(locale="en-US", viewport={"width": 375, "height": 740})
    page.goto(f"{live_server}/login")
    page.fill("#login", "tut")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the home page scrolls sideways on a phone ({width}px)"
    shot(page, "09-home-phone-en")
