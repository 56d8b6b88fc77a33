"""A shared school computer: after a pupil signs out, the back button shows nothing of theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

PUPIL_NAME = "Сәрсенбаев"  # in the header of every page of theirs


@pytest.fixture
def everyday_browser(playwright_driver: Any) -> Iterator[Any]:
    """Chromium as a school computer runs it: Playwright turns the back-forward cache off by
    default, and that cache is the first place a previous pupil's page would come back from."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield browser
    browser.close()


def test_back_after_sign_out_shows_nothing_of_the_pupil(
    live_server: str, everyday_browser: Any, request: pytest.FixtureRequest
) -> None:
    context = everyday_browser.new_context(locale="en-US", bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, "pup")
        page.goto(f"{live_server}/work")
        assert PUPIL_NAME in page.inner_text("body")
        page.click(f"summary:has-text('{PUPIL_NAME}')")  # the account menu
        page.click("#sign-out")
        page.wait_for_url(f"{live_server}/login")
        for _step in range(2):  # back to the work list, then back to the home page
            # Not "load": a page restored from the back-forward cache fires no load event.
            page.go_back(wait_until="commit")
            page.wait_for_function("document.readyState === 'complete'")
            assert PUPIL_NAME not in page.content(), page.url
            assert page.url.startswith(f"{live_server}/login"), page.url
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failed.png"), full_page=True)
        raise
    finally:
        context.close()
