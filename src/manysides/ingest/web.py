"""Feeds (RSS, Atom) and web archives (WARC, as in CC-NEWS): inputs that hold many articles."""

from __future__ import annotations

import io
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import EmptyInput, InputError, UnknownFormat, UnreadableInput
from ..model import RawDocument

#: WARC responses with these content types are articles; the rest (images, CSS) is skipped.
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class PageLink:
    """A URL to fetch, with what the listing said about it (a feed item's title and date)."""

    url: str
    hints: dict[str, Any] = field(default_factory=dict)


def looks_like_feed(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return (head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)) or head.startswith(
        (b"<rss", b"<feed")
    )


def read_feed(source: str, data: bytes) -> Iterator[PageLink | InputError]:
    """Each item's link, to be fetched, with the item's title and date as hints."""
    import feedparser

    feed = feedparser.parse(data)
    if feed.bozo and not feed.entries:
        raise UnknownFormat(source, "not a readable RSS or Atom feed; check the URL or file")
    if not feed.entries:
        raise EmptyInput(source, "the feed has no items")
    for n, entry in enumerate(feed.entries, start=1):
        link = entry.get("link")
        if not link:
            yield InputError(f"{source}#item{n}", "the feed item has no link; nothing to fetch")
            continue
        hints: dict[str, Any] = {"url": link}
        if entry.get("title"):
            hints["title"] = entry["title"]
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed:
            hints["published"] = time.strftime("%Y-%m-%d", parsed)
        yield PageLink(link, hints)


def read_warc(source: str, data: bytes) -> Iterator[RawDocument | InputError]:
    """HTML responses of a WARC file (plain or gzipped, as CC-NEWS ships them)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    found = False
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            if not content_type.startswith(HTML_TYPES):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            crawled = (record.rec_headers.get_header("WARC-Date") or "")[:10] or None
            body = record.content_stream().read()
            found = True
            hints = {"url": url, **({"retrieved": crawled} if crawled else {})}
            html = body.decode("utf-8", errors="replace")
            yield RawDocument(source=f"{source}#{url}", content=html, format="html", hints=hints)
    except ArchiveLoadFailed as exc:
        raise UnknownFormat(source, f"not a valid WARC file ({exc}); check the file") from None
    except (AttributeError, ValueError, EOFError, OSError, zlib.error) as exc:
        # warcio on a record that claims more bytes than the file holds, or a broken gzip member
        if not found:
            raise UnreadableInput(source, f"the WARC file is cut short or broken ({type(exc).__name__})") from None
        yield UnreadableInput(f"{source}#end", "the WARC file is cut short after the records read; download it again")
        return
    if not found:
        raise EmptyInput(source, "the WARC file holds no HTML responses")
