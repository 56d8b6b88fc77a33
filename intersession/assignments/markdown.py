"""Instructions written in Markdown, shown as sanitised HTML (no raw HTML, no scripts)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Bare addresses ("see https://bilimland.kz/...") become links too: teachers paste them so.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(["table", "linkify"])
TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
        "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"}  # fmt: skip


def render(text: str) -> Markup:
    """Markdown to HTML that keeps only harmless tags; links open without giving the page away."""
    html = _parser.render(text or "")
    clean = nh3.clean(html, tags=TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer nofollow",
                      url_schemes={"http", "https", "mailto"})  # fmt: skip
    return Markup(clean)
