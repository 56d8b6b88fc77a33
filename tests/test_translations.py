"""Every user-facing string is translated into Russian, Kazakh and English, and stays so."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "intersession" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue_problems(template: Catalog, catalogue: Catalog) -> list[str]:
    """What is wrong with a catalogue against the template: missing, empty, fuzzy, or with
    placeholders that differ from the English text."""
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if found is None:
            problems.append(f"missing: {key!r}")
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        if not all(strings):
            problems.append(f"untranslated: {key!r}")
        if found.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        wanted = set(PLACEHOLDER.findall(key))
        for text in strings:
            got = set(PLACEHOLDER.findall(text or ""))
            if text and got != wanted and not (isinstance(message.id, tuple) and got <= wanted):
                problems.append(
                    f"placeholders differ in {key!r}: {sorted(got)} != {sorted(wanted)}"
                )
    return problems


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_catalogue_is_complete(language: str) -> None:
    template = load(TRANSLATIONS / "messages.pot")
    catalogue = load(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
    assert catalogue_problems(template, catalogue) == []
    assert len(list(template)) > 100


def test_a_missing_translation_is_detected() -> None:
    template = Catalog()
    template.add("Sign in")
    template.add("Hello, %(name)s")
    catalogue = Catalog(locale="kk")
    catalogue.add("Hello, %(name)s", "Сәлем, %(nme)s")
    problems = catalogue_problems(template, catalogue)
    assert "missing: 'Sign in'" in problems
    assert any("placeholders differ" in p for p in problems)


def test_template_holds_every_string_of_the_code(tmp_path: Path) -> None:
    """A string added to the code but not extracted (and so not translated) fails here."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(fresh),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in load(fresh) if m.id}
    committed = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in load(TRANSLATIONS / "messages.pot")
        if m.id
    }
    assert extracted - committed == set(), "run `make messages` and translate the new strings"


def test_kazakh_page_and_locale_formats(client, hub) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import AuthActions

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
    AuthActions(client).login("tut")
    page = client.get("/years").get_data(as_text=True)
    assert "Оқу жылдары" in page and "Бағдарлау сессиясы" in page
    assert re.search(r"2026\s*ж\.", page)  # a Kazakh date format
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    page = client.get("/years").get_data(as_text=True)
    assert "Установочная сессия" in page and re.search(r"сент\.\s*2026\s*г\.", page)
