"""Boilerplate that only a corpus shows: lines that repeat across many documents of one site.

Cross-document repetition is the strongest boilerplate signal in a real feed ("Local News
Matters" under every InDaily story). It must never remove reuse, which is what manysides
measures: a wire sentence repeated by five outlets is news, not boilerplate. So lines
are only counted within one outlet (the manifest's or the feed's outlet, else the URL's
domain); documents of unknown origin are never grouped; and only short lines count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from ..model import RawDocument

#: A line is boilerplate of a site when at least this many of its documents carry it ...
MIN_DOCUMENTS = 4
#: ... and at least this share of them (one story's updates repeat its prose only a few times).
MIN_SHARE = 0.5
#: Boilerplate lines are short; longer lines repeated within a site are a story's updates.
MAX_WORDS = 30


def site_of(doc: RawDocument) -> str | None:
    """The outlet or domain a document belongs to, or None when nothing says."""
    outlet = doc.hints.get("outlet")
    if outlet:
        return f"outlet:{str(outlet).lower()}"
    url = doc.hints.get("url")
    host = urlsplit(str(url)).hostname if url else None
    return f"host:{host.removeprefix('www.')}" if host else None


def repeated_lines(
    docs: Iterable[tuple[RawDocument, list[str]]], key: Callable[[str], str]
) -> dict[str, frozenset[str]]:
    """Per site, the keys of lines that repeat across its documents (see the module doc)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for doc, lines in docs:
        site = site_of(doc)
        if site is None:
            continue
        sizes[site] += 1
        counts[site].update({key(line) for line in lines if len(line.split()) <= MAX_WORDS})
    out = {}
    for site, counter in counts.items():
        need = max(MIN_DOCUMENTS, MIN_SHARE * sizes[site])
        out[site] = frozenset(k for k, n in counter.items() if n >= need and k)
    return out
