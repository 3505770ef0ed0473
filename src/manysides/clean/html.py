"""Main text and metadata of an HTML page, through trafilatura (and its htmldate)."""

from __future__ import annotations

from typing import Any

import trafilatura


def extract_html(html: str) -> tuple[str, dict[str, Any]]:
    """(main text, metadata hints). Text is empty when the page has no article body."""
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
    )
    if not doc:
        return "", {}
    data: dict[str, Any] = doc if isinstance(doc, dict) else doc.as_dict()
    hints = {
        "title": data.get("title"),
        "url": data.get("url"),
        "published": data.get("date"),
        "sitename": data.get("sitename"),
        "language": data.get("language"),
        "byline": _authors(data.get("author")),
    }
    text = data.get("text") or ""
    return text, {k: v for k, v in hints.items() if v}


def _authors(author: Any) -> tuple[str, ...]:
    if not author:
        return ()
    return tuple(a.strip() for a in str(author).replace(" and ", ";").split(";") if a.strip())
