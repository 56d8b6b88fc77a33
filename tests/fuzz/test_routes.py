"""Every rule of the url_map, for every method and role: hostile ids and strings in the path,
hostile values in the query string. No 5xx, no traceback, nothing left behind by a refusal."""

from __future__ import annotations

import pytest

from tests.fuzz.catalogue import CATALOGUE, CLASSES, Hostile
from tests.fuzz.conftest import check
from tests.fuzz.routes import (
    PATH_VALUE_MAX,
    fill,
    int_args,
    methods,
    query_args,
    real_id,
    real_values,
    rules,
    targets,
)
from tests.fuzz.world import ROLES, World, quote, urlencoded


def test_every_int_argument_has_a_real_id(world: World) -> None:
    """A new route naming a new kind of object needs one in tests/fuzz/data.py."""
    missing = sorted(
        f"{rule.rule} {arg}"
        for rule in rules(world.app)
        for arg in int_args(rule)
        if real_id(world.made.ids, rule, arg) is None
    )
    assert not missing, f"no real id for: {missing}"


def _body(world: World, role: str, method: str) -> tuple[bytes | None, str | None]:
    if method == "GET":
        return None, None
    return urlencoded([("csrf_token", world.csrf[role])]), "application/x-www-form-urlencoded"


@pytest.mark.parametrize("cls", [c for c in CLASSES if c != "lists"])
def test_path(world: World, cls: str) -> None:
    first = len(world.failures)
    for rule in rules(world.app):
        for target in targets(world.made.ids, rule, cls, CATALOGUE[cls]):
            for method in methods(rule):
                for role in ROLES:
                    body, content_type = _body(world, role, method)
                    world.send(cls, role, method, target.path, f"<{target.arg}>" if target.arg else "",
                               target.value, body=body, content_type=content_type, where=rule.rule)  # fmt: skip
    check(world, first, f"path arguments, {cls}")


def _query(names: tuple[str, ...], hostile: Hostile, share: int) -> str:
    pairs = []
    for name in names:
        values = hostile.form if isinstance(hostile.form, tuple) else (hostile.form,)
        for value in values:
            if share and isinstance(value, str) and len(value) > share:
                value = value[:share]
            pairs.append(f"{quote(name)}={quote(value)}")
    return "&".join(pairs)


@pytest.mark.parametrize("cls", CLASSES)
def test_query(world: World, cls: str) -> None:
    """Every query argument at once with each value, on every page a role may see (a redirect to
    sign in, 403 or 404 for the plain page: skipped for that role). A page that fails is asked
    again with one argument at a time, once per page and value, so the report names the
    argument; other roles then send those arguments alone. Huge values: 64 KB shared among the
    arguments (a longer request line never passes a real server; Werkzeug alone spends ~1 s
    parsing a 6 MB query string), as the first role that sees the page; the GET forms (search,
    filters) send 64 KB to each of their own fields, the POST forms 1 MB."""
    names = query_args()
    first = len(world.failures)
    for rule in rules(world.app):
        if "GET" not in methods(rule):
            continue
        for values in real_values(world.made.ids, rule):
            path = fill(rule, values)
            seen = False
            for role in ROLES:
                if world.plain_status(role, path) in (302, 403, 404) or (cls == "huge" and seen):
                    continue
                seen = True
                for hostile in CATALOGUE[cls]:
                    share = PATH_VALUE_MAX // len(names) if cls == "huge" else 0
                    mark = len(world.failures)
                    world.send(cls, role, "GET", f"{path}?{_query(names, hostile, share)}",
                               "(all arguments)", hostile.label, where=rule.rule)  # fmt: skip
                    if len(world.failures) == mark:
                        continue
                    del world.failures[mark:]
                    known = culprits.get((rule.rule, hostile.label))
                    for name in known if known is not None else names:
                        world.send(cls, role, "GET", f"{path}?{_query((name,), hostile, share)}",
                                   f"?{name}", hostile.label, where=rule.rule)  # fmt: skip
                    if known is None:
                        culprits[(rule.rule, hostile.label)] = sorted(
                            {f.field[1:] for f in world.failures[mark:]}
                        )
    check(world, first, f"query strings, {cls}")


culprits: dict[tuple[str, str], list[str]] = {}
