"""Input formats. Built-in readers register through the same ``register_reader`` users get.

A reader takes the input's name and its decoded text and yields ``RawDocument``s. For
input it cannot use at all it raises an ``InputError``; for one bad record among good
ones (a JSONL line) it yields the ``InputError`` instead, so the rest is still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import BadRecord, EmptyInput, InputError
from ..model import RawDocument

ReaderFn = Callable[[str, str], Iterator[RawDocument | InputError]]


@dataclass(frozen=True)
class Reader:
    name: str
    extensions: tuple[str, ...]
    read: ReaderFn


READERS: dict[str, Reader] = {}

#: JSONL fields copied into the document's hints (the cleaner will not override them).
JSONL_HINT_FIELDS = ("id", "url", "outlet", "title", "published", "language", "byline", "credits")


def register_reader(name: str, extensions: tuple[str, ...], read: ReaderFn) -> None:
    """Add (or replace) an input format. ``extensions`` are lower-case, with the dot."""
    READERS[name] = Reader(name, extensions, read)


def reader_for_extension(ext: str) -> Reader | None:
    for reader in READERS.values():
        if ext.lower() in reader.extensions:
            return reader
    return None


def sniff(text: str) -> Reader:
    """Guess the format of extension-less input (stdin): JSONL, HTML or plain text."""
    head = text.lstrip()[:2000].lower()
    if head.startswith("{"):
        return READERS["jsonl"]
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head):
        return READERS["html"]
    return READERS["text"]


def read_text(source: str, text: str) -> Iterator[RawDocument | InputError]:
    if not text.strip():
        raise EmptyInput(source, "the file is empty; remove it or give it article text")
    yield RawDocument(source=source, content=text, format="text")


def read_html(source: str, text: str) -> Iterator[RawDocument | InputError]:
    if not text.strip():
        raise EmptyInput(source, "the HTML file is empty; remove it or save the page again")
    yield RawDocument(source=source, content=text, format="html")


def _jsonl_document(source: str, line_no: int, line: str) -> RawDocument:
    where = f"{source}#L{line_no}"
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadRecord(where, f"line is not valid JSON ({exc.msg}); each line must be one JSON object") from None
    if not isinstance(obj, dict):
        raise BadRecord(
            where, f'expected a JSON object per line, found {type(obj).__name__}; wrap it as {{"text": ...}}'
        )
    body_html, body_text = obj.get("html"), obj.get("text")
    if not isinstance(body_text, str) and not isinstance(body_html, str):
        raise BadRecord(where, 'the object has neither "text" nor "html" (a string); add one of them')
    hints = {k: obj[k] for k in JSONL_HINT_FIELDS if obj.get(k) not in (None, "")}
    if isinstance(body_text, str) and body_text.strip():
        return RawDocument(source=where, content=body_text, format="text", hints=hints)
    if isinstance(body_html, str) and body_html.strip():
        return RawDocument(source=where, content=body_html, format="html", hints=hints)
    raise BadRecord(where, 'the article\'s "text"/"html" is empty; drop the line or fill it')


def read_jsonl(source: str, text: str) -> Iterator[RawDocument | InputError]:
    """One article per line. A bad line is yielded as ``BadRecord``; the rest is still read."""
    seen_any = False
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        seen_any = True
        try:
            yield _jsonl_document(source, line_no, line)
        except BadRecord as exc:
            yield exc
    if not seen_any:
        raise EmptyInput(source, "the JSON Lines file has no records; one JSON object per line is expected")


register_reader("text", (".txt", ".text"), read_text)
register_reader("html", (".html", ".htm", ".xhtml"), read_html)
register_reader("jsonl", (".jsonl", ".ndjson"), read_jsonl)
