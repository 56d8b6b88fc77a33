"""Every form the pages render, found by reading them as each role: each field sent each hostile
value while the others keep what the page rendered (its CSRF token included, so the request
reaches the view). Every FlaskForm class must be rendered on some page."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.factories import PASSWORD
from tests.fuzz.catalogue import CATALOGUE, CLASSES, Hostile
from tests.fuzz.conftest import check
from tests.fuzz.data import PNG
from tests.fuzz.forms import PageForm, field_names, form_classes, page_forms, renders
from tests.fuzz.routes import PATH_VALUE_MAX, fill, methods, real_values, rules
from tests.fuzz.world import ROLES, World, expand, multipart, urlencoded

# FlaskForm classes no page renders on its own, with the reason.
NOT_RENDERED: dict[str, str] = {}
# Values a page cannot render but a form needs to get past its first check (the sign-in form's
# `next` only matters once the password is right), given where the page left the field empty.
FILLS = {"login": "pup", "password": PASSWORD}
FILE_CLASSES = {"control", "crlf", "utf8", "huge"}  # also given to file names


_found: dict[int, tuple[tuple[str, str, PageForm], ...]] = {}


def _discovered(world: World) -> tuple[tuple[str, str, PageForm], ...]:
    """(role, page, form) for every form on every page each role may see, all of them."""
    if id(world) in _found:
        return _found[id(world)]
    found = []
    for rule in rules(world.app):
        if "GET" not in methods(rule):
            continue
        for values in real_values(world.made.ids, rule):
            path = fill(rule, values)
            for role in ROLES:
                world.plain_status(role, path)
                html = world.pages.get((role, path))
                if html is not None:
                    found.extend((role, path, form) for form in page_forms(path, html))
    _found[id(world)] = tuple(found)
    return _found[id(world)]


def to_fuzz(world: World) -> list[tuple[str, str, PageForm]]:
    """Each distinct form (action, method, fields) once, as the first role that sees it."""
    seen, chosen = set(), []
    for role, page, form in _discovered(world):
        if form.method in ("GET", "POST") and form.key() not in seen:
            seen.add(form.key())
            chosen.append((role, page, form))
    return chosen


def test_every_form_class_is_rendered_somewhere(world: World) -> None:
    forms = [form for _, _, form in _discovered(world)]
    unseen = [
        f"{cls.__module__}.{cls.__qualname__} {sorted(field_names(cls))}"
        for cls in form_classes()
        if f"{cls.__module__}.{cls.__qualname__}" not in NOT_RENDERED
        and not any(renders(cls, form) for form in forms)
    ]
    assert not unseen, "forms no page renders (fuzz them, or list them in NOT_RENDERED):\n" + (
        "\n".join(unseen)
    )


def _filename(hostile: Hostile) -> bytes:
    name = hostile.form if isinstance(hostile.form, str | bytes) else "x"
    raw = urllib.parse.unquote_to_bytes(name) if isinstance(name, bytes) else name.encode()
    return raw.replace(b'"', b"%22") + b".png"


def _send(world: World, cls: str, role: str, form: PageForm, name: str, hostile: Hostile,
          pairs: list[tuple[str, object]]) -> None:  # fmt: skip
    if form.method == "GET":  # a search or a filter: the fields go in the query string
        short = [(k, v[:PATH_VALUE_MAX] if isinstance(v, str) else v) for k, v in pairs]
        query = urlencoded(short).decode()  # type: ignore[arg-type]
        world.send(cls, role, "GET", f"{form.action.split('?')[0]}?{query}", name, hostile.label,
                   where=f"{form.action.split('?')[0]} (GET form)")  # fmt: skip
        return
    if form.multipart:
        body, content_type = multipart(pairs)
    else:
        body, content_type = urlencoded(pairs), "application/x-www-form-urlencoded"  # type: ignore[arg-type]
    world.send(cls, role, "POST", form.action, name, hostile.label, body=body,
               content_type=content_type, where=f"{form.action} (form)")  # fmt: skip


@pytest.mark.parametrize("cls", CLASSES)
def test_forms(world: World, cls: str) -> None:
    first = len(world.failures)
    for role, _page, form in to_fuzz(world):
        buttons = form.buttons() or [None]
        for button in buttons:
            base = [(k, v or FILLS.get(k, "")) for k, v in form.baseline(button)]
            fields = sorted(
                {n for n, _ in base} - {"csrf_token"} - ({button.name} if button else set())
            )
            for name in fields:
                for hostile in CATALOGUE[cls]:
                    pairs: list[tuple[str, object]] = [p for p in base if p[0] != name]
                    pairs += expand(name, hostile)
                    _send(world, cls, role, form, name, hostile, pairs)
            if cls in FILE_CLASSES and button is buttons[0]:
                for control in form.controls:
                    if control.kind == "file":
                        for hostile in CATALOGUE[cls]:
                            pairs = [*base, (control.name, (_filename(hostile), PNG))]
                            _send(
                                world,
                                cls,
                                role,
                                form,
                                f"{control.name} (file name)",
                                hostile,
                                pairs,
                            )
    check(world, first, f"forms, {cls}")


def test_no_page_writes_none_into_an_attribute(world: World) -> None:
    """A template that passes None for an attribute it means to leave out (aria-invalid on a
    valid field) must not print it as "None"."""
    _discovered(world)
    written = sorted(
        f"{role} {path}: …{html[max(0, at - 60) : at + 10]}…"
        for (role, path), html in world.pages.items()
        if html is not None and (at := html.find('="None"')) >= 0
    )
    assert not written, "\n".join(written)


def test_every_page_names_its_icon(world: World) -> None:
    _discovered(world)
    pages = [(key, html) for key, html in world.pages.items() if html and "<html" in html]
    assert pages
    missing = [key for key, html in pages if 'rel="icon"' not in html]
    assert not missing, missing
