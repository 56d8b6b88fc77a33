"""Names in the reader's alphabet, and search that ignores case in every alphabet the hub writes.

ICU decides both, the same way on both databases. Each language has a collation of the same name
on SQLite and PostgreSQL: on SQLite it is ICU (PyICU) registered on every connection; on
PostgreSQL it is an ICU collation of the server (migration 0016, and create_all in tests). Search
compares text lower-cased by the Unicode rules: on SQLite by a function registered beside the
collations (SQLite's own lower() knows ASCII only), on PostgreSQL by lower() under an ICU
collation (lower() under the database's default follows its ctype, which may be "C": ASCII only).

Lists use `by_name()` in SQL and `sorted_by_name()` / `name_key()` in Python; searches use
`matches_search()`. Orders fixed in the models, which cannot know the reader, use the neutral
`ROOT` order, and pages that show them sort again for the reader.
"""

from __future__ import annotations

import operator
import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import icu
from flask_babel import get_locale
from sqlalchemy import String, collate, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANGUAGE = "ru"
ROOT = "und"  # ICU's order for no language in particular (Cyrillic letters near their base letter)
LOWER_FUNCTION = "intersession_lower"

T = TypeVar("T")


def collation_name(language: str) -> str:
    return f"intersession_{language}"


def create_collations_sql() -> list[str]:
    """PostgreSQL statements that make the collations (migration 0016 holds a frozen copy)."""
    return [
        f"CREATE COLLATION IF NOT EXISTS {collation_name(lang)} (provider = icu, locale = '{lang}')"
        for lang in (*LANGUAGES, ROOT)
    ]


def reader_language(language: str | None = None) -> str:
    """The language whose alphabet orders the lists: the one given, else the page's."""
    if language is None:
        locale = get_locale()  # None outside an app context (a bare script)
        language = locale.language if locale is not None else DEFAULT_LANGUAGE
    return language if language in (*LANGUAGES, ROOT) else ROOT


# --- SQL ---------------------------------------------------------------------------------------


def by_name(column: Any, language: str | None = None) -> ColumnElement[Any]:
    """`column` to order by in the reader's alphabet (or `language`'s): `order_by(by_name(...))`."""
    return collate(column, collation_name(reader_language(language)))


class folded(FunctionElement[str]):
    """The text as search compares it: lower-cased by Unicode's rules, ё read as е."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{LOWER_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    normalized = f"normalize(({text}), NFC)"
    return f"translate(lower({normalized} COLLATE {collation_name(ROOT)}), 'ё', 'е')"


def fold(text: str) -> str:
    """Python's side of `folded`: the same lower-casing (both are Unicode's default mapping)."""
    return unicodedata.normalize("NFC", text).lower().replace("ё", "е")


MAX_SEARCH = 500


def matches_search(q: str, *columns: Any) -> ColumnElement[bool]:
    """Any of the columns holds `q`, case aside; `%` and `_` in `q` are plain characters."""
    term = fold(q)
    if len(term) > MAX_SEARCH:  # longer than any name: it matches nothing, and SQLite's LIKE
        return false()  # refuses a pattern of a megabyte outright
    return or_(*(folded(column).contains(term, autoescape=True) for column in columns))


def register_sqlite(dbapi_connection: Any) -> None:
    """The collations and the search's lower-casing on one new SQLite connection."""
    for language in (*LANGUAGES, ROOT):
        # A collator for each connection: a connection serves one thread at a time, so no two
        # threads ever share one (ICU collators are not meant to be used by two at once).
        collator = _new_collator(language)
        dbapi_connection.create_collation(collation_name(language), collator.compare)
    dbapi_connection.create_function(LOWER_FUNCTION, 1, _sqlite_fold, deterministic=True)


def _sqlite_fold(value: object) -> object:
    return fold(value) if isinstance(value, str) else value


# --- Python ------------------------------------------------------------------------------------

_local = threading.local()


def _new_collator(language: str) -> Any:
    return icu.Collator.createInstance(icu.Locale(language))


def _collator(language: str) -> Any:
    collators: dict[str, Any] = _local.__dict__.setdefault("collators", {})
    if language not in collators:
        collators[language] = _new_collator(language)
    return collators[language]


def name_key(text: str | None, language: str | None = None) -> bytes:
    """A key that sorts `text` in the reader's alphabet (as `by_name` does in the database)."""
    return bytes(_collator(reader_language(language)).getSortKey(text or ""))


def sorted_by_name(
    items: Iterable[T], *names: Callable[[T], str | None], language: str | None = None
) -> list[T]:
    """`items` sorted by the names `names` give (first, then the next…) in the reader's alphabet."""
    collator = _collator(reader_language(language))

    def key(item: T) -> tuple[bytes, ...]:
        return tuple(bytes(collator.getSortKey(name(item) or "")) for name in names)

    return sorted(items, key=key)


def by_name_filter(items: Iterable[Any], *attributes: str) -> list[Any]:
    """Templates' `|by_name("full_name")`, `|by_name("school.name", "full_name")`."""
    return sorted_by_name(items, *(operator.attrgetter(a) for a in attributes))
