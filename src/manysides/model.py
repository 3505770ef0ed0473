"""The records that flow between stages: frozen dataclasses with ``as_dict``/``from_dict``.

Stages never mutate a record; they return a new one (``dataclasses.replace``).
The field names of ``Article``, ``Story`` and ``Reuse`` are the public JSON report
contract (``data/report.schema.json``): rename nothing, add freely.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, TypeVar

SCHEMA_ID = "manysides/report/1"

ReuseKind = Literal["verbatim", "near-verbatim", "paraphrase", "translation", "attributed"]
REUSE_KINDS: tuple[ReuseKind, ...] = (
    "verbatim",
    "near-verbatim",
    "paraphrase",
    "translation",
    "attributed",
)

T = TypeVar("T", bound="Record")


class Record:
    """Mixin: plain-dict round trip for frozen dataclasses (tuples become lists)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class RawDocument(Record):
    """One input as read, before cleaning: plain text or HTML plus what the input said about it.

    ``hints`` come from the manifest, a JSONL record or HTML metadata; they win over
    anything the cleaner infers from the text.
    """

    source: str
    content: str
    format: Literal["text", "html"]
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Removed(Record):
    """A piece of input that cleaning dropped, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Sentence(Record):
    """A sentence of an article's clean ``text``: ``text == article.text[start:end]``."""

    i: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention(Record):
    """A named-entity mention: character offsets into the article's clean text."""

    text: str
    label: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True)
class Article(Record):
    id: str
    source: str
    outlet: str | None
    url: str | None
    title: str | None
    published: str | None
    language: str | None
    byline: tuple[str, ...]
    credits: tuple[str, ...]
    text: str
    sentences: tuple[Sentence, ...] = ()
    removed: tuple[Removed, ...] = ()
    mentions: tuple[Mention, ...] = ()
    outlet_evidence: str | None = None
    dateline: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        nested = {
            "byline": tuple(data.get("byline", ())),
            "credits": tuple(data.get("credits", ())),
            "sentences": tuple(Sentence.from_dict(s) for s in data.get("sentences", ())),
            "removed": tuple(Removed.from_dict(r) for r in data.get("removed", ())),
            "mentions": tuple(Mention.from_dict(m) for m in data.get("mentions", ())),
        }
        return super().from_dict({**data, **nested})


@dataclass(frozen=True)
class Story(Record):
    """Articles that tell the same story. ``why`` records each member's nearest neighbour;
    ``origins`` are the members that take no text from another member (first version:
    verbatim and near-verbatim reuse; issue "Who copied whom" adds paraphrase and translation)."""

    id: str
    title: str | None
    article_ids: tuple[str, ...]
    first_published: str | None = None
    last_published: str | None = None
    why: tuple[dict[str, Any], ...] = ()
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReusePair(Record):
    """One sentence of the derived article and the source sentence it was taken from.

    ``sentence`` and ``source_sentence`` are sentence indices (``Sentence.i``) in the
    derived and the source article; the texts ride along for readers of the JSON.
    ``score`` is the lexical similarity that decided the kind; ``semantic`` the cosine
    of the two sentences' embeddings, for near-verbatim pairs (None for verbatim ones).
    """

    sentence: int
    source_sentence: int
    kind: ReuseKind
    score: float
    semantic: float | None = None
    text: str = ""
    source_text: str = ""


@dataclass(frozen=True)
class Reuse(Record):
    """Text that ``article_id`` (the later, derived article) took from ``source_id``."""

    article_id: str
    source_id: str
    story_id: str
    kind: ReuseKind
    share: float
    pairs: tuple[ReusePair, ...]
    direction_evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped(Record):
    """An input that could not be analysed, with a one-line reason that says how to fix it."""

    source: str
    reason: str


@dataclass(frozen=True)
class Report(Record):
    """The whole result of a run: what ``manysides compare`` writes as JSON."""

    articles: tuple[Article, ...]
    stories: tuple[Story, ...]
    reuse: tuple[Reuse, ...]
    skipped: tuple[Skipped, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    schema: str = SCHEMA_ID

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # Put the schema marker first so a reader sees what it is looking at.
        return {"schema": data.pop("schema"), **data}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=indent) + "\n"

    def article(self, article_id: str) -> Article:
        for a in self.articles:
            if a.id == article_id:
                return a
        raise KeyError(article_id)

    def story_of(self, article_id: str) -> Story | None:
        for s in self.stories:
            if article_id in s.article_ids:
                return s
        return None
