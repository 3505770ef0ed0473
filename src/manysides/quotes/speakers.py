"""Who said a quote: the speaker chosen among the noun phrases around it by a fitted model.

The rules of ``extract`` name one speaker from the reporting verb's subject (or "according
to X", or the quote before it). They miss what they were not written for ("the man
shouted", "She declared 'What a Super Tuesday!'", "Murphy ... Tweeted") and take the first
subject where there are two. Here every noun phrase of the quote's sentences, of the
sentence before it (within a paragraph) and of the one after it (same paragraph), and the
previous quote's speaker, is a candidate; each is described by ``FEATURES`` (its role in the
parse, whether the rules chose it, what the named-entity mentions say it is, where it
stands) and by ``LEXICAL`` words around it in the parse (the verb it is the subject of, the
marks between it and the quote: "dh=nsubj|say", "gap=:|b"), and the candidate a conditional
logit scores highest is the speaker. It is fitted on PolNeAR's train split (``python -m
eval.fit_speakers --write`` writes ``data/speakers.toml``); ``make eval`` reports the dev
split.
"""

from __future__ import annotations

import bisect
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from ..model import Article, QuoteFind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

FEATURES = (
    "rule",
    "rule_inherited",
    "previous_quote",
    "subject_of_reporting",
    "subject_of_governor",
    "subject",
    "according_to",
    "object",
    "possessor",
    "pronoun",
    "proper",
    "common",
    "same_sentence_before",
    "same_sentence_after",
    "sentence_before",
    "sentence_after",
    "colon",
    "distance",
    "inside_other_quote",
    "person",
    "organisation",
    "other_entity",
    "role",
    "weak_pronoun",
    "nearest",
    "nearest_subject",
    "subject_of_reporting_governor",
    "subject_of_outermost_governor",
    "continues_previous",
    "beside_not_subject",
    "subject_of_innermost_governor",
    "subject_within_reported",
)
CONTINUES = FEATURES.index("continues_previous")
#: The lexical features of a candidate inside the sentences read, each "template=value": ``dh``
#: its dependency and its head's lemma ("nsubj|say", "pobj|to"); ``dhs`` the same and the side
#: of the quote it stands on (b before, a after); ``hh`` its head's dependency and that head's
#: own head ("prep|accord"); ``dr`` its dependency, "say" for a head that is a verb of saying
#: (``extract.REPORTING_VERBS``) or else the head's part of speech, and side; ``gap`` the
#: characters between it and the quote when four or fewer, else "long" ("gap=:|b" for 'Carl
#: Bialik: “...”'); ``prev`` the two characters before it ('- Philip Bump'); ``w`` the lemma of
#: a pronoun or of a common noun written in lower case ("statement", "sign", "he"). Names are
#: never words of a feature (a head that is a name is "PROPN"): their weights would learn the
#: training years' news. Only those seen with ``MIN_COUNT`` or more candidates of PolNeAR train
#: get a weight (``eval.fit_speakers``). On train, 5-fold CV by article x 3 (2026-12-04): 0.887
#: without them; paired on the same folds (vocabulary counted on all of train, names not yet
#: masked, no ``dr``) 0.8867 -> 0.8945, better in 14 of 15 folds, worse in none; with each
#: fold's own vocabulary 0.893, names masked 0.893, with ``dr`` (its dependency and whether its
#: head is a verb of saying, else the head's part of speech) 0.895 (+-0.009).
LEXICAL = ("dh", "dhs", "hh", "dr", "gap", "prev", "w")
PRONOUNS = frozenset({"he", "she", "they", "i", "we", "you", "it"})
PERSONAL = frozenset({"he", "she", "they", "i", "we"})
ORGANISATIONS = frozenset({"ORG", "NORP", "GPE"})
NOUN_DEPS = frozenset(
    {"nsubj", "nsubjpass", "pobj", "dobj", "poss", "appos", "conj", "ROOT", "attr", "npadvmod", "dative", "agent"}
)


@dataclass(frozen=True)
class SpeakerModel:
    """``data/speakers.toml``: a linear score over ``FEATURES`` (a conditional logit: the
    candidates of one quote compete, the highest scoring is its speaker)."""

    coefficients: tuple[float, ...]
    provenance: str
    lexical: Mapping[str, float] = field(default_factory=dict)

    def scores(self, options: Sequence[Candidate]) -> np.ndarray:
        rows = np.array([c.features for c in options], dtype=np.float64).reshape(-1, len(FEATURES))
        lexical = [sum(self.lexical.get(f, 0.0) for f in c.lexical) for c in options]
        return np.asarray(rows @ np.array(self.coefficients) + np.array(lexical, dtype=np.float64))


@lru_cache(maxsize=1)
def speaker_model() -> SpeakerModel:
    raw = tomllib.loads((resources.files("manysides") / "data" / "speakers.toml").read_text(encoding="utf-8"))
    coef = raw["coefficients"]
    lexical = {str(k): float(v) for k, v in raw.get("lexical", {}).items()}
    return SpeakerModel(tuple(float(coef[k]) for k in FEATURES), str(raw["provenance"]), lexical)


@dataclass(frozen=True)
class MentionLabels:
    """An article's named-entity mentions sorted by start, to ask which labels overlap a
    span: built once per article, read for every candidate of every quote."""

    mentions: tuple[tuple[int, int, str], ...]
    starts: tuple[int, ...]
    longest: int

    @classmethod
    def of(cls, article: Article) -> MentionLabels:
        mentions = tuple(sorted((m.start, m.end, m.label) for m in article.mentions))
        return cls(mentions, tuple(m[0] for m in mentions), max((b - a for a, b, _ in mentions), default=0))

    def __call__(self, s: int, e: int) -> set[str]:
        """Labels of the mentions that overlap s..e (those starting within ``longest`` before it)."""
        lo, hi = bisect.bisect_left(self.starts, s - self.longest), bisect.bisect_left(self.starts, e)
        return {label for a, b, label in self.mentions[lo:hi] if min(b, e) > max(a, s)}


@dataclass(frozen=True)
class Candidate:
    span: tuple[int, int]
    features: tuple[float, ...]
    lexical: tuple[str, ...] = ()
    #: The name a role stands in apposition to ("Dana Cole, its director"): the speaker's
    #: words when the role is chosen.
    named: tuple[int, int] | None = None


def candidates(
    article: Article,
    docs: dict[int, Doc],
    quote: QuoteFind,
    previous: QuoteFind | None,
    quotes: Sequence[tuple[int, int]],
    labels: MentionLabels | None = None,
) -> list[Candidate]:
    """The noun phrases that may have said ``quote``, with their ``FEATURES``; ``previous``
    is the quote before it (its speaker is a candidate within a paragraph), ``quotes`` every
    quoted span of the article (a name inside another quote is rarely its speaker),
    ``labels`` its mentions (``MentionLabels.of(article)``, built here when not given)."""
    from ..index.text import ROLE_NOUNS
    from .extract import REPORTING_VERBS, _name_span, _owner, _paragraph, _sentence_at, _subject

    text, sentences = article.text, article.sentences
    _labels = labels or MentionLabels.of(article)
    starts = [s.start for s in sentences]
    first, last = quote.sentence, _sentence_at(starts, max(quote.start, quote.end - 1))
    para = _paragraph(text, quote.start)
    where: dict[int, str] = {k: "same" for k in range(first, last + 1)}
    if first > 0 and para - _paragraph(text, sentences[first - 1].start) <= 1:
        where[first - 1] = "before"
    if last + 1 < len(sentences) and _paragraph(text, sentences[last + 1].start) == para:
        where[last + 1] = "after"
    found: dict[tuple[int, int], list[float]] = {}
    lexical: dict[tuple[int, int], tuple[str, ...]] = {}
    named: dict[tuple[int, int], tuple[int, int]] = {}
    for k, position in where.items():
        doc = docs.get(k)
        if doc is None:
            continue
        offset = sentences[k].start

        def outside(tok: Token, _offset: int = offset) -> bool:
            return not quote.start <= _offset + tok.idx < quote.end

        # Tokens by index: spaCy makes a new Token object at each access.
        reporting = {
            subj.i
            for v in doc
            if v.pos_ in ("VERB", "AUX") and v.lemma_.lower() in REPORTING_VERBS and outside(v)
            for subj in [_subject(v)]
            if subj is not None
        }
        inner = next((t for t in doc if not outside(t) and not t.is_punct), None)
        # The verbs above the quote in the parse, innermost first, and their subjects.
        governors: set[int] = set()
        reporting_governors: set[int] = set()
        outermost = -1
        innermost = -1
        node = inner
        while node is not None and node.head.i != node.i:
            node = node.head
            if outside(node):
                subj = _subject(node)
                if subj is not None:
                    governors.add(subj.i)
                    outermost = subj.i
                    innermost = subj.i if innermost < 0 else innermost
                    if node.lemma_.lower() in REPORTING_VERBS:
                        reporting_governors.add(subj.i)
        colon = sentences[k].text.rstrip().endswith(":")
        for tok in doc:
            if not outside(tok) or tok.dep_ not in NOUN_DEPS:
                continue
            pron = tok.pos_ == "PRON" and tok.lower_ in PRONOUNS
            if not (pron or tok.pos_ in ("PROPN", "NOUN")):
                continue
            words = _name_span(_owner(tok))  # a statement speaks for whoever made it
            s, e = offset + words.start_char, offset + words.end_char
            if quote.start <= s < quote.end:
                continue
            before = e <= quote.start
            distance = quote.start - e if before else max(0, s - quote.end)
            according = tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according"
            row = [
                0.0,
                0.0,
                0.0,
                float(tok.i in reporting),
                float(tok.i in governors),
                float(tok.dep_ in ("nsubj", "nsubjpass")),
                float(according),
                float(tok.dep_ in ("dobj", "pobj", "dative") and not according),
                float(tok.dep_ == "poss"),
                float(pron),
                float(tok.pos_ == "PROPN"),
                float(tok.pos_ == "NOUN"),
                float(position == "same" and before),
                float(position == "same" and not before),
                float(position == "before"),
                float(position == "after"),
                float(colon and position == "before"),
                math.log1p(distance) / 5.0,
                float(any(a <= s < b for a, b in quotes if (a, b) != (quote.start, quote.end))),
                float((pron and tok.lower_ in PERSONAL) or "PERSON" in _labels(s, e)),
                float(bool(ORGANISATIONS & _labels(s, e))),
                float(bool(_labels(s, e) - ORGANISATIONS - {"PERSON"})),
                float(tok.lemma_.lower() in ROLE_NOUNS),
                float(pron and tok.lower_ not in PERSONAL),
                0.0,
                0.0,
                float(tok.i in reporting_governors),
                float(tok.i == outermost),
                0.0,
                float(position != "same" and tok.dep_ not in ("nsubj", "nsubjpass") and not according),
                float(tok.i == innermost),
                float(tok.dep_ in ("nsubj", "nsubjpass") and _reported_by_another(tok, outside)),
            ]
            if (s, e) not in found:
                found[(s, e)] = row
                lexical[(s, e)] = _lexical(tok, text, (s, e), quote)
                if tok.dep_ == "appos" and tok.pos_ != "PROPN" and tok.head.pos_ == "PROPN" and outside(tok.head):
                    name = _name_span(tok.head)
                    named[(s, e)] = (offset + name.start_char, offset + name.end_char)
    rule = quote.speaker
    if previous is not None and previous.speaker is not None:
        gap = para - _paragraph(text, previous.start)
        if 0 <= gap <= 1:
            row = found.setdefault(previous.speaker, _elsewhere(previous.speaker, quote, _labels))
            row[2] = 1.0
    if rule is not None:
        row = found.setdefault(rule, _elsewhere(rule, quote, _labels))
        row[0] = 1.0
        row[1] = float(quote.inherited)
        for span, other in found.items():
            if span != rule and min(span[1], rule[1]) > max(span[0], rule[0]):
                other[0] = 1.0  # the rule's words overlap this phrase
                other[1] = float(quote.inherited)
    _nearest(found, quote)
    # A quote whose own sentences name no one and that no reporting verb after it claims
    # ('"...?" / he asks.'), after a quote by someone: it continues that quote.
    own = [FEATURES.index(k) for k in ("same_sentence_before", "same_sentence_after")]
    after, says = FEATURES.index("sentence_after"), FEATURES.index("subject_of_reporting")
    claimed = any(r[own[0]] or r[own[1]] or (r[after] and r[says]) for r in found.values())
    if previous is not None and previous.speaker in found and not claimed:
        found[previous.speaker][FEATURES.index("continues_previous")] = 1.0
    return [Candidate(span, tuple(row), lexical.get(span, ()), named.get(span)) for span, row in found.items()]


def _lexical(tok: Token, text: str, span: tuple[int, int], quote: QuoteFind) -> tuple[str, ...]:
    """The ``LEXICAL`` features of the candidate headed by ``tok`` at ``span``."""
    from .extract import REPORTING_VERBS

    s, e = span
    before = e <= quote.start
    side = "b" if before else "a"
    gap = text[e : quote.start] if before else text[quote.end : s]
    head, above = _word(tok.head), _word(tok.head.head)
    out = [
        f"dh={tok.dep_}|{head}",
        f"dhs={tok.dep_}|{head}|{side}",
        f"hh={tok.dep_}|{tok.head.dep_}|{above}",
        f"dr={tok.dep_}|{'say' if tok.head.lemma_.lower() in REPORTING_VERBS else tok.head.pos_}|{side}",
        f"gap={gap.strip() if len(gap) <= 4 else 'long'}|{side}",
        f"prev={text[max(0, s - 2) : s].strip()}|{side}",
    ]
    if tok.pos_ == "PRON" or (tok.pos_ == "NOUN" and tok.text.islower()):
        out.append(f"w={tok.lemma_.lower()}")  # never a name, even one the tagger calls a noun
    return tuple(out)


def _word(tok: Token) -> str:
    """A head word as the lexical features name it: its lemma, or PROPN for a name (a weight
    for "Clinton" or "Cruz" would learn the training year's news, not how quotes are told)."""
    return "PROPN" if tok.pos_ == "PROPN" else tok.lemma_.lower()


def _reported_by_another(tok: Token, outside: Callable[[Token], bool]) -> bool:
    """Whether the nearest reporting verb above ``tok`` in the parse (outside the quote) is
    someone else's: ``tok`` is then part of what was said ("He was a “respected manager,”
    Boistard said": "He" is Boistard's words, not the quote's speaker)."""
    from .extract import REPORTING_VERBS, _subject

    node = tok
    while node.head.i != node.i:
        node = node.head
        if node.pos_ in ("VERB", "AUX") and node.lemma_.lower() in REPORTING_VERBS and outside(node):
            subj = _subject(node)
            return subj is None or subj.i != tok.i
    return False


def _nearest(found: dict[tuple[int, int], list[float]], quote: QuoteFind) -> None:
    """Mark the candidate nearest the quote, and the nearest of the subjects."""
    near, subject = FEATURES.index("nearest"), FEATURES.index("nearest_subject")
    distance, is_subject = FEATURES.index("distance"), FEATURES.index("subject")
    if not found:
        return
    order = sorted(found, key=lambda span: (found[span][distance], span))
    found[order[0]][near] = 1.0
    subjects = [span for span in order if found[span][is_subject]]
    if subjects:
        found[subjects[0]][subject] = 1.0


def _elsewhere(span: tuple[int, int], quote: QuoteFind, labels: Callable[[int, int], set[str]]) -> list[float]:
    """Features of a candidate outside the sentences read (an earlier quote's speaker)."""
    row = [0.0] * len(FEATURES)
    distance = quote.start - span[1] if span[1] <= quote.start else span[0] - quote.end
    row[FEATURES.index("distance")] = math.log1p(max(0, distance)) / 5.0
    found = labels(*span)
    row[FEATURES.index("person")] = float("PERSON" in found)
    row[FEATURES.index("organisation")] = float(bool(ORGANISATIONS & found))
    return row


def pick(options: Sequence[Candidate], model: SpeakerModel) -> tuple[int, int] | None:
    """The speaker's words among a quote's ``candidates``: the one the model scores highest
    (the name beside it when it is a role in apposition), or, for a quote that continues
    the one before, that quote's speaker."""
    carried = [c.span for c in options if c.features[CONTINUES]]
    if carried:
        # A quote that continues the one before keeps its speaker. On PolNeAR train the
        # model's pick is right in 18 such quotes and the earlier speaker's words in 12;
        # in 40 more the gold source is another mention (mostly the same person named
        # after the quote's last paragraph) that no candidate reaches. Keeping the
        # speaker: held-out accuracy 0.863 against 0.864 (5-fold CV, 2026-12-01).
        return carried[0]
    if not options:
        return None
    best = options[int(np.argmax(model.scores(options)))]
    return best.named or best.span


def choose(
    article: Article, docs: dict[int, Doc], found: Sequence[QuoteFind], model: SpeakerModel | None = None
) -> list[QuoteFind]:
    """Each quote in quote marks (direct, partial, block) with the speaker the model picks;
    indirect speech keeps the subject of its verb."""
    model = model or speaker_model()
    spans = [(f.start, f.end) for f in found]
    labels = MentionLabels.of(article)
    out: list[QuoteFind] = []
    previous: QuoteFind | None = None
    for f in sorted(found, key=lambda x: (x.start, x.end)):
        if f.kind == "indirect":
            out.append(f)
            continue
        speaker = pick(candidates(article, docs, f, previous, spans, labels), model)
        if speaker != f.speaker:
            f = QuoteFind(f.start, f.end, f.sentence, f.kind, f.cue, speaker)
        out.append(f)
        previous = f
    return out
