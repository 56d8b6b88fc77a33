"""Background work of the board: a deck's pages rendered to pictures."""

from __future__ import annotations

from celery import shared_task

from intersession.board import slides
from intersession.rooms import notices


# A 200-page deck at two sizes takes a minute or so; more means a PDF built to be slow.
@shared_task(name="board.render-deck", time_limit=600, soft_time_limit=540)
def render_deck(deck_id: int) -> str | None:
    state = slides.render(deck_id)
    deck = slides.db.session.get(slides.SlideDeck, deck_id)
    if state is not None and deck is not None:  # the advisor's room offers it (or says why not)
        notices.tell(deck.lesson_id, "decks-changed", {})
    return str(state) if state else None
