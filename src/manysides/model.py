"""The records that flow between stages: frozen dataclasses with ``as_dict``/``from_dict``.

Stages never mutate a record; they return a new one (``dataclasses.replace``).
The field names of ``Article``, ``Story`` and ``Reuse`` are the public JSON report
contract (``data/report.schema.json``): rename nothing, add freely.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from .errors import RecordError

SCHEMA_ID = "manysides/report/1"

ReuseKind = Literal["verbatim", "near-verbatim", "paraphrase", "translation", "attributed"]
REUSE_KINDS: tuple[ReuseKind, ...] = (
    "verbatim",
    "near-verbatim",
    "paraphrase",
    "translation",
    "attributed",
)

Relation = Literal["derived", "common-source"]
#: Whose words a term is in: the outlet's own, reported speech, or a direct quote.
VoiceKind = Literal["own", "attributed", "quoted"]
FactStatus = Literal["stated", "paraphrased", "absent", "contradicted"]

T = TypeVar("T", bound="Record")


class Record:
    """Mixin: plain-dict round trip for frozen dataclasses.

    ``from_dict`` is strict: an unknown field or a missing required one is a
    ``RecordError`` naming the record and the field, never silently dropped; nested records
    and tuples are rebuilt from the field types, so ``X.from_dict(json.loads(x.to_json()))``
    equals ``x``.
    """

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]

    @classmethod
    def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
        name = cls.__name__
        if not isinstance(data, Mapping):
            raise RecordError(f"{name}: expected a JSON object, found {type(data).__name__}")
        spec = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - set(spec))
        if unknown:
            raise RecordError(
                f"{name}: unknown field(s) {', '.join(unknown)}; known: {', '.join(spec)} "
                "(a report from a newer manysides? upgrade this one)"
            )
        missing = [
            n for n, f in spec.items() if n not in data and f.default is MISSING and f.default_factory is MISSING
        ]
        if missing:
            raise RecordError(f"{name}: missing field(s) {', '.join(missing)}; the input is not a complete {name}")
        hints = _hints(cls)
        return cls(**{k: _convert(hints[k], v, f"{name}.{k}") for k, v in data.items()})


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _convert(hint: Any, value: Any, where: str) -> Any:
    """A JSON value as the field type wants it: records rebuilt, lists as tuples."""
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict(value)
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType):
        if value is None:
            return None
        return _convert(next(a for a in args if a is not type(None)), value, where)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise RecordError(f"{where}: expected a list, found {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, where) for v in value)
        return tuple(value)
    return value


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
class WordUse(Record):
    """A word an article uses in its own voice (``Article.loaded``, ``Article.hedges``)."""

    word: str
    sentence: int


@dataclass(frozen=True)
class Voice(Record):
    """Who gets to speak in an article: quotes per speaker (``Article.voices``)."""

    speaker: str
    quotes: int
    share: float


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
    #: Share of sentences credited to no earlier article (None before the compare stage).
    originality: float | None = None
    #: Facts (ids) most other outlets of the story carry and this article leaves out.
    omissions: tuple[str, ...] = ()
    #: Facts (ids) only this article carries.
    unique: tuple[str, ...] = ()
    #: Loaded or emotive words and hedges in the article's own voice.
    loaded: tuple[WordUse, ...] = ()
    hedges: tuple[WordUse, ...] = ()
    #: Who gets to speak: quotes per speaker.
    voices: tuple[Voice, ...] = ()

    @property
    def label(self) -> str:
        """How reports name the article: its outlet, else its id."""
        return self.outlet or self.id

    def in_other_language(self, other: Article) -> bool:
        """Whether the two articles are in different languages (both known)."""
        return bool(self.language and other.language and self.language != other.language)

    @classmethod
    def from_sentences(cls, id: str, sentences: Sequence[str], *, separator: str = "\n", **fields: Any) -> Article:
        """An article from text already split into sentences (evaluation sets, tests, API
        users with their own segmentation): offsets computed, the rest from ``fields``
        (``source`` defaults to the id, ``language`` to "en", other metadata to empty)."""
        spans, pos = [], 0
        for i, text in enumerate(sentences):
            spans.append(Sentence(i=i, text=text, start=pos, end=pos + len(text)))
            pos += len(text) + len(separator)
        defaults: dict[str, Any] = {
            "source": id,
            "outlet": None,
            "url": None,
            "title": None,
            "published": None,
            "language": "en",
            "byline": (),
            "credits": (),
        }
        return cls(id=id, text=separator.join(sentences), sentences=tuple(spans), **{**defaults, **fields})


@dataclass(frozen=True)
class StoryWhy(Record):
    """Why an article is in its story: its nearest fellow member, the pair model's
    probability, the word and name cosines, and the estimated share of wording they share
    (Jaccard of word 5-shingles)."""

    article_id: str
    nearest: str
    similarity: float
    words: float
    names: float
    shared_text: float | None = None


@dataclass(frozen=True)
class Citation(Record):
    """A sentence of an article (``Sentence.i``)."""

    article_id: str
    sentence: int


@dataclass(frozen=True)
class DigestSentence(Record):
    """One sentence of a story's digest: its text, the sentences that state it, the share
    of the checked sources that support it, and the fact it tells."""

    text: str
    citations: tuple[Citation, ...]
    support: float
    fact_id: str


@dataclass(frozen=True)
class Story(Record):
    """Articles that tell the same story. ``why`` records each member's nearest neighbour;
    ``origins`` are the independent reports: the members no ``derived`` reuse record
    takes from another member (copies collapsed; a common source is not copying)."""

    id: str
    title: str | None
    article_ids: tuple[str, ...]
    first_published: str | None = None
    last_published: str | None = None
    why: tuple[StoryWhy, ...] = ()
    origins: tuple[str, ...] = ()
    #: The checked neutral digest.
    digest: tuple[DigestSentence, ...] = ()


@dataclass(frozen=True)
class SentenceLink(Record):
    """Two sentences of a story that say the same thing: what the alignment (stage 7) hands
    to the fact matrix and word choice. ``a < b`` are positions of the articles in the
    story's ``article_ids``; ``i``, ``j`` their sentences; ``score`` the edit similarity of
    their match keys, ``semantic`` their cosine, ``probability`` the pair decision's."""

    a: int
    i: int
    b: int
    j: int
    kind: ReuseKind
    score: float
    semantic: float | None = None
    probability: float | None = None
    #: One half of a sentence rewritten as two.
    joined: bool = False
    #: The near-verbatim similarity the link was scored with (``align.near_verbatim``, which
    #: the aligner sets): a rewrite never outranks a copy.
    cap: float = 0.9
    #: The two sentences share a claim (a clause each, ``reuse.claims``), not their whole
    #: content, or both belong to one embedded post two outlets show (``reuse.align``): a
    #: link for the fact matrix, not evidence of copying.
    claim: bool = False
    #: The two sentences speak of one happening (a clause each, close in meaning, sharing a
    #: name or figure and what happened: ``reuse.claims``) but need not state the same
    #: thing: the fact matrix lists them as related (``Fact.related``), never as one fact.
    event: bool = False

    @property
    def strength(self) -> float:
        """Orders links of one sentence: copies first, then by the pair decision, then
        shared claims (by their cosine, after every sentence link)."""
        if self.claim:
            return (self.semantic or 0.0) - 1.0
        return self.score if self.probability is None else min(self.score, self.cap) * self.probability

    def flipped(self) -> SentenceLink:
        return replace(self, a=self.b, i=self.j, b=self.a, j=self.i)


@dataclass(frozen=True)
class ReusePair(Record):
    """One sentence of the derived article and the source sentence it was taken from.

    ``sentence`` and ``source_sentence`` are sentence indices (``Sentence.i``) in the
    derived and the source article; the texts ride along for readers of the JSON.
    ``score`` is the lexical similarity (edit similarity of match keys, 0..1);
    ``semantic`` the cosine of the two sentences' embeddings (None for verbatim pairs);
    ``probability`` the pair decision's probability that they say the same thing (for
    pairs below near-verbatim: paraphrase, translation).
    """

    sentence: int
    source_sentence: int
    kind: ReuseKind
    score: float
    semantic: float | None = None
    text: str = ""
    source_text: str = ""
    probability: float | None = None


@dataclass(frozen=True)
class Reuse(Record):
    """Sentences of ``article_id`` found in ``source_id``.

    ``relation`` "derived": ``article_id`` took them from ``source_id`` (the direction and
    its evidence in ``direction_evidence``). "common-source": both say the same things in
    their own words (the same briefing, another translation): not copying; the later
    article is ``article_id``.
    """

    article_id: str
    source_id: str
    story_id: str
    kind: ReuseKind
    share: float
    pairs: tuple[ReusePair, ...]
    direction_evidence: tuple[str, ...] = ()
    relation: Relation = "derived"


@dataclass(frozen=True)
class Evidence(Record):
    """A sentence that carries a fact, and how (``Fact.evidence``)."""

    article_id: str
    sentence: int
    text: str
    status: FactStatus


@dataclass(frozen=True)
class Contradiction(Record):
    """Why an article's sentence contradicts a fact (``Fact.contradictions``)."""

    article_id: str
    sentence: int
    reason: str


@dataclass(frozen=True)
class Related(Record):
    """A sentence about the same happening as a fact, in an article that does not carry it
    (``Fact.related``)."""

    article_id: str
    sentence: int
    text: str


@dataclass(frozen=True)
class Fact(Record):
    """One thing the story's articles say, and how each article covers it.

    ``coverage`` maps every article of the story to stated / paraphrased / absent /
    contradicted; ``evidence`` lists the sentences that carry it ({article_id, sentence,
    text, status}); ``contradictions`` why a status is "contradicted".
    """

    id: str
    story_id: str
    text: str
    coverage: dict[str, FactStatus]
    evidence: tuple[Evidence, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    #: Sentences of articles that do not carry the fact but speak of the same happening
    #: (``SentenceLink.event``): what those outlets say about it instead.
    related: tuple[Related, ...] = ()


@dataclass(frozen=True)
class Entity(Record):
    """A person, organisation, place or group, linked across articles: ``variants`` are
    the surface forms seen (spellings, transliterations, surname only)."""

    id: str
    name: str
    type: str
    variants: tuple[str, ...]
    article_ids: tuple[str, ...]


QuoteKind = Literal["direct", "partial", "block", "indirect"]


@dataclass(frozen=True)
class QuoteFind(Record):
    """A quote as found in one article's text, before its speaker is linked to an entity:
    character offsets into the article's clean text (what ``features`` stores per article)."""

    start: int
    end: int
    sentence: int
    kind: QuoteKind
    cue: str | None
    #: Character offsets of the words that name the speaker.
    speaker: tuple[int, int] | None
    inherited: bool = False


Verdict = Literal[
    "exact",
    "trimmed",
    "extended",
    "reworded",
    "paraphrased",
    "misattributed",
    "translated",
    "translated+trimmed",
    "translated+reworded",
]


@dataclass(frozen=True)
class Quote(Record):
    """Words an article attributes to someone. ``text`` is ``article.text[start:end]``
    (quote marks excluded); ``sentence`` the sentence it starts in; ``speaker`` the
    entity's name when the speaker was linked, else the words that name the speaker;
    ``speaker_mention`` those words as written ("he", "Kremlin spokesman Dmitry Peskov");
    ``cue`` the reporting words ("told reporters", "according to")."""

    id: str
    article_id: str
    sentence: int
    text: str
    kind: QuoteKind
    speaker: str | None
    speaker_mention: str | None
    entity_id: str | None
    cue: str | None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class DiffRun(Record):
    """A run of words of two renderings: equal, delete, insert or replace."""

    op: Literal["equal", "delete", "insert", "replace"]
    canonical: str
    variant: str


@dataclass(frozen=True)
class FigureChange(Record):
    """A number that a new version of an article changed: ``old`` became ``new`` in ``sentence``
    (the new version's sentence)."""

    old: str
    new: str
    sentence: str


@dataclass(frozen=True)
class VersionDiff(Record):
    """What changed between two versions of one article (the same URL fetched again):
    sentences added and removed, figures changed, and whether the new text says it corrects
    an earlier one."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    figures: tuple[FigureChange, ...] = ()
    correction: str | None = None
    #: The new version's number (the first text is 1); given when the collection keeps it.
    number: int = 0


@dataclass(frozen=True)
class QuoteVariant(Record):
    """One rendering of an utterance against the group's canonical one."""

    quote_id: str
    verdict: Verdict
    diff: tuple[DiffRun, ...]


@dataclass(frozen=True)
class QuoteGroup(Record):
    """Renderings of one utterance across articles: ``canonical`` is the reference quote
    id (earliest, then most complete); ``variants`` every other rendering with a verdict
    and a word-level diff against the canonical ({op, canonical, variant})."""

    id: str
    speaker: str | None
    quote_ids: tuple[str, ...]
    canonical: str
    variants: tuple[QuoteVariant, ...]


@dataclass(frozen=True)
class TermUse(Record):
    """One term for a concept, in one voice, and the sentences that use it."""

    term: str
    voice: VoiceKind
    article_ids: tuple[str, ...]
    evidence: tuple[Citation, ...]
    #: The words as written ("Kiew", "Киев" for the term "Kiev"), and the languages of the
    #: articles that use them: a lexicon concept carries its terms in several languages.
    forms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framing(Record):
    """One referent named differently across a story's articles. ``origin`` is "lexicon"
    (a known contested label, ``source`` says where it is documented, ``neutral`` the
    neutral term) or "alignment" (two renderings of one fact chose other words).
    ``variants``: {term, voice (own / attributed / quoted), article_ids, evidence}."""

    story_id: str
    concept: str
    origin: str
    source: str
    neutral: str
    variants: tuple[TermUse, ...]


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
    facts: tuple[Fact, ...] = ()
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    quote_groups: tuple[QuoteGroup, ...] = ()
    framing: tuple[Framing, ...] = ()
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
