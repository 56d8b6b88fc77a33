"""Rendered pieces of pages, kept while the data they show has not changed.

A gradebook of fifty pupils costs a dozen milliseconds of Python to read and render; it is looked
at far more often than it changes. A fragment is kept with the counters of the tables it read
(`core.generations`) and is served again, without a query of its own, for as long as none of them
has moved. Nothing is ever shown from before a committed write: the counters move in the write's
own transaction, whichever process made it.

The key holds whatever else the fragment depends on (who asks, the filters, the language and the
time zone); the caller checks access before asking. A fragment that depends on the clock says
until when it holds (`expires_at`). The store is this process's memory, bounded by size, the least
recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, cast

from flask import current_app
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from intersession.core import generations
from intersession.core.db import db, utcnow

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Kept:
    value: object
    size: int
    reads: tuple[tuple[str, int], ...]
    expires_at: datetime | None


class FragmentStore:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[Hashable, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Kept | None:
        with self._lock:
            kept = self._items.get(key)
            if kept is not None:
                self._items.move_to_end(key)
            return kept

    def put(self, key: Hashable, kept: Kept) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= old.size
            self._items[key] = kept
            self.size += kept.size
            while self.size > self.max_bytes and self._items:
                _key, dropped = self._items.popitem(last=False)
                self.size -= dropped.size

    def __len__(self) -> int:
        return len(self._items)


def fragment_store() -> FragmentStore | None:
    """This app's store; None when fragments are not kept (FRAGMENT_CACHE_MB = 0)."""
    extensions = current_app.extensions
    if "fragments" not in extensions:
        megabytes = current_app.config.get("FRAGMENT_CACHE_MB", 0)
        extensions["fragments"] = FragmentStore(megabytes * 1024 * 1024) if megabytes else None
    store: FragmentStore | None = extensions["fragments"]
    return store


def _fresh(kept: Kept, counters: dict[str, int]) -> bool:
    if kept.expires_at is not None and utcnow() >= kept.expires_at:
        return False
    return all(counters.get(table, 0) == value for table, value in kept.reads)


def render_partial(template: str, **context: object) -> Markup:
    """A fragment's template with only what it is given and the environment's globals: the page's
    context processors (the header's unread count among them) are the page's business."""
    return Markup(current_app.jinja_env.get_template(template).render(context))


def remembered(
    key: tuple[Hashable, ...],
    compute: Callable[[], tuple[T, datetime | None]],
    *,
    own_reads: bool = False,
) -> T:
    """The value kept under this key if the data under it is unchanged, else `compute()`'s (the
    value and until when it holds, None: until the data changes). Values are plain data or
    HTML, never ORM objects (they belong to one request's session).

    `own_reads`: compute reads everything it uses by its own queries (nothing from objects the
    request has loaded already), so the session need not be emptied first."""
    store = fragment_store()
    if store is None:
        return compute()[0]
    counters = generations.current()
    kept = store.get(key)
    if kept is not None and _fresh(kept, counters):
        return cast(T, kept.value)
    if not own_reads:
        # Everything must come from the database so that its tables are noted: nothing loaded
        # earlier in the request is taken from the session's memory.
        db.session.expire_all()
    with generations.reading() as tables:
        value, expires_at = compute()
    # Not kept if something could not be seen into, or if this request has written without
    # committing yet (what it read may never be committed).
    if "*" not in tables and not generations.uncommitted_writes():
        reads = tuple(sorted((table, counters.get(table, 0)) for table in tables))
        size = len(value) if isinstance(value, str) else len(repr(value))  # near enough
        store.put(key, Kept(value, size, reads, expires_at))
    return value


def fragment(
    key: tuple[Hashable, ...],
    render: Callable[[], tuple[Markup, datetime | None]],
) -> Markup:
    """A rendered piece of page kept by `remembered`, per language and time zone besides."""
    return remembered((*key, str(get_locale()), str(get_timezone())), render)
