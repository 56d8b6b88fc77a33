"""The app's own url_map, walked: every rule's arguments filled with real ids and hostile ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter, PathConverter

import intersession
from tests.fuzz.catalogue import HOSTILE_IDS, Hostile
from tests.fuzz.world import quote

# A request line past this never reaches the app behind a real server (nginx: 8 KB by default);
# a 1 MB path only measures Werkzeug's routing regexes.
PATH_VALUE_MAX = 64 * 1024
PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?(\w+)>")
# The value a string argument takes when it is not the one being fuzzed.
PLAIN_STRINGS = {"kind": "audio", "token": "fuzz-token"}
# Query arguments every page is sent, beside those found in the code (request.args.get("...")).
GENERIC_ARGS = ("page", "school", "cohort", "subject", "advisor", "year", "from", "to", "q",
                "role", "by", "format", "pair", "next", "t", "kind", "level", "result", "grade",
                "week", "day", "status", "view", "all", "download", "listen", "sort")  # fmt: skip


def query_args() -> tuple[str, ...]:
    """Every argument a view reads by name, found in the package's source, and the generic ones."""
    root = Path(intersession.__file__).parent
    found = set(GENERIC_ARGS)
    for source in root.rglob("*.py"):
        found.update(re.findall(r"request\.args\.get(?:list)?\(\s*\"(\w+)\"", source.read_text()))
    return tuple(sorted(found))


def rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, r.endpoint),
    )


def methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m in {"GET", "POST", "PUT", "PATCH", "DELETE"})


def int_args(rule: Rule) -> list[str]:
    return [a for a in PLACEHOLDER.findall(rule.rule) if isinstance(rule._converters[a], IntegerConverter)]  # fmt: skip


def string_args(rule: Rule) -> list[str]:
    return [
        a
        for a in PLACEHOLDER.findall(rule.rule)
        if not isinstance(rule._converters[a], IntegerConverter | AnyConverter | PathConverter)
    ]


def real_id(ids: dict[str, int], rule: Rule, arg: str) -> int | None:
    """A real id for the argument; a file's id is the file of the object named before it; an
    endpoint that needs its object in another state names it as `arg@endpoint`."""
    if arg == "file_id":
        before = [a for a in int_args(rule) if a != "file_id"]
        return ids.get(f"file_id:{before[-1]}") if before else None
    return ids.get(f"{arg}@{rule.endpoint}", ids.get(arg))


@dataclass(frozen=True)
class Target:
    path: str
    arg: str  # the argument given a hostile value, "" when all are real
    value: str  # its label


def fill(rule: Rule, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], rule.rule)


def real_values(ids: dict[str, int], rule: Rule) -> list[dict[str, str]]:
    """The rule's arguments with real values: one set per value of each any() converter."""
    base: dict[str, str] = {}
    for arg in PLACEHOLDER.findall(rule.rule):
        converter = rule._converters[arg]
        if isinstance(converter, IntegerConverter):
            found = real_id(ids, rule, arg)
            base[arg] = str(found) if found is not None else "1"
        elif not isinstance(converter, AnyConverter):
            base[arg] = PLAIN_STRINGS.get(arg, "x")
    sets = [base]
    for arg in PLACEHOLDER.findall(rule.rule):
        converter = rule._converters[arg]
        if isinstance(converter, AnyConverter):
            sets = [s | {arg: item} for s in sets for item in sorted(converter.items)]
    return sets


def targets(ids: dict[str, int], rule: Rule, cls: str, hostile: tuple[Hostile, ...]) -> Iterator[Target]:  # fmt: skip
    """The paths to send for a class: for ids, every int argument given each hostile id (the
    others real), and the all-real paths; for text classes, each string argument given each
    value."""
    for values in real_values(ids, rule):
        if cls == "ids":
            yield Target(fill(rule, values), "", "real ids")
            for arg in int_args(rule):
                for bad in HOSTILE_IDS:
                    yield Target(fill(rule, values | {arg: str(bad)}), arg, str(bad))
        elif not isinstance(hostile[0].form, tuple):
            for arg in string_args(rule):
                for h in hostile:
                    text = h.form[:PATH_VALUE_MAX] if isinstance(h.form, str) else h.form
                    value = quote(text) if isinstance(text, str | bytes) else "x"
                    yield Target(fill(rule, values | {arg: value}), arg, h.label)
