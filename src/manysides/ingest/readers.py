"""Input formats. Built-in readers register through the same ``register_reader`` users get.

A reader takes the input's name and its decoded text and yields ``RawDocument``s. For
input it cannot use at all it raises an ``InputError``; for one bad record among good
ones (a JSONL line) it yields the ``InputError`` instead, so the rest is still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import BadRecord, EmptyInput, InputError
from ..model import RawDocument

ReaderFn = Callable[[str, str], Iterator[RawDocument | InputError]]


@dataclass(frozen=True)
class Reader:
    name: str
    extensions: tuple[str, ...]
    read: ReaderFn


READERS: dict[str, Reader] = {}

#: Longest id and URL a record may give (a longer one is a mistake, not a name).
MAX_ID_CHARS = 512
MAX_URL_CHARS = 8192
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


class JsonlRecord(BaseModel):
    """One JSON Lines article, validated: numbers where text is expected become text, a
    single string where a list is expected becomes a list; anything else is refused with
    the field's name. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    text: str | None = None
    html: str | None = None
    id: str | None = Field(None, max_length=MAX_ID_CHARS)
    url: str | None = Field(None, max_length=MAX_URL_CHARS)
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    language: str | None = None
    byline: tuple[str, ...] | None = None
    credits: tuple[str, ...] | None = None

    @field_validator("text", "html", "id", "url", "outlet", "title", "published", "language", mode="before")
    @classmethod
    def _scalar_as_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value  # true/false is not a name or a date: refused by the type check
        return str(value) if isinstance(value, int | float) else value

    @field_validator("byline", "credits", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        return value


def jsonl_document(source: str, line_no: int, line: str) -> RawDocument:
    where = f"{source}#L{line_no}"
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadRecord(where, f"line is not valid JSON ({exc.msg}); each line must be one JSON object") from None
    except RecursionError:
        raise BadRecord(where, "the object is nested too deeply to be an article; flatten it") from None
    except ValueError as exc:  # an integer with more digits than Python converts
        raise BadRecord(where, f"a number in the line is too long ({exc}); write it as a string") from None
    if not isinstance(obj, dict):
        raise BadRecord(
            where, f'expected a JSON object per line, found {type(obj).__name__}; wrap it as {{"text": ...}}'
        )
    try:
        record = JsonlRecord.model_validate(obj)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"][:1])
        raise BadRecord(where, f"field {field!r}: {error['msg'].lower()}; fix or drop the field") from None
    except RecursionError:
        raise BadRecord(where, "the object is nested too deeply to be an article; flatten it") from None
    body_text, body_html = _clean_text(record.text), _clean_text(record.html)
    if body_text is None and body_html is None:
        raise BadRecord(where, 'the object has neither "text" nor "html" (a string); add one of them')
    values = record.model_dump(include=set(JSONL_HINT_FIELDS))
    hints = {k: _clean_value(v) for k, v in values.items() if v not in (None, "", ())}
    if body_text is not None and body_text.strip():
        return RawDocument(source=where, content=body_text, format="text", hints=hints)
    if body_html is not None and body_html.strip():
        return RawDocument(source=where, content=body_html, format="html", hints=hints)
    raise BadRecord(where, 'the article\'s "text"/"html" is empty; drop the line or fill it')


#: A lone surrogate (half of a UTF-16 pair) cannot be written as UTF-8: replaced by U+FFFD.
SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_text(value: str | None) -> str | None:
    return SURROGATE.sub("\ufffd", value) if value is not None else None


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, tuple):
        return tuple(_clean_text(v) for v in value)
    return value


def read_jsonl(source: str, text: str) -> Iterator[RawDocument | InputError]:
    """One article per line, lines ended by "\\n" alone (U+2028 and other Unicode line
    breaks may sit inside a record's strings). A bad line is yielded as ``BadRecord``; the
    rest is still read."""
    seen_any = False
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        seen_any = True
        try:
            yield jsonl_document(source, line_no, line.rstrip("\r"))
        except BadRecord as exc:
            yield exc
    if not seen_any:
        raise EmptyInput(source, "the JSON Lines file has no records; one JSON object per line is expected")


register_reader("text", (".txt", ".text"), read_text)
register_reader("html", (".html", ".htm", ".xhtml"), read_html)
register_reader("jsonl", (".jsonl", ".ndjson"), read_jsonl)
