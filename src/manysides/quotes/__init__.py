"""Stage 10, quotes: who said what, and how each outlet rendered it.

``extract_quotes``: quotes of every article (``extract.py``), per article (stored with its
features); ``find_quotes``: those quotes with their speaker linked to an
entity: the entity named in the speaker's words, else, for "he", "she", a role ("the
spokesman") or "it"/"the ministry", in this order: a person named right after the cue in
a machine translation's doubled cue ('..." he said. declared Dmitro Kouleba'); the person
who spoke the quote before it, in the same paragraph or the one before ('"...," the
Ukrainian president, Volodymyr Zelenskiy, said.' then '"...," he stressed.'); the last
person (or organisation) named before the quote outside any quote, in the same article.

``group_quotes``: renderings of one utterance across articles. Two quotes are
candidates when they have the same speaker entity (or, for misattribution, the same
words); they join a group when one's words are found in the other's (rapidfuzz partial
ratio of match keys), greedily from the closest pair down, never two quotes of one
article in a group. The canonical rendering is the earliest published direct quote,
then the most complete; every other one gets a verdict and a word diff against it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from ..annotate import processes_for
from ..dates import date_key
from ..entities import fold
from ..index.text import ROLE_NOUNS, match_key
from ..model import Article, DiffRun, Quote, QuoteFind, QuoteGroup, QuoteVariant, Verdict
from ..nlp import Models
from ..settings import QuotesSettings
from ..workers import map_chunks
from .extract import candidate_sentences, extract, extract_marked

if TYPE_CHECKING:
    from spacy.language import Language

#: Thresholds: ``settings.QuotesSettings`` (their calibration notes in data/defaults.toml).
DEFAULTS = QuotesSettings()
#: A partial quote this short is compared through its whole sentence.
SHORT_PARTIAL = 4
ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.|\[\.\.\.\])\s*")
#: Words that end a speaker's head noun phrase ("Secretary of State ...", "Mission to NATO").
SPEAKER_PREPOSITIONS = frozenset({"of", "to", "for", "at", "in", "on", "from", "with"})
ORG_NOUNS = frozenset(
    ["it", "ministry", "government", "kremlin", "office", "agency", "company", "campaign", "department", "mission"]
)


def extract_quotes(articles: Sequence[Article], models: Models) -> dict[str, list[QuoteFind]]:
    """Per article (a ``features`` step): the quotes in its text, the dependency parser run
    only on candidate sentences (a quote mark or a reporting cue), in one batch."""
    wanted = [a for a in articles if a.language in (None, "en")]
    found = map_chunks(_quotes_of, models.parser, wanted, processes_for(models, len(wanted)))
    out = {a.id: quotes for a, quotes in zip(wanted, found, strict=True)}
    # Other languages: the spans in quote marks and the person named around them.
    return out | {a.id: extract_marked(a) for a in articles if a.language not in (None, "en")}


def _quotes_of(parser: Language, articles: Sequence[Article]) -> list[list[QuoteFind]]:
    """Parse the candidate sentences of a chunk of articles and find their quotes (in a
    worker process or the parent)."""
    wanted = [(a, candidate_sentences(a)) for a in articles]
    parsed = iter(parser.pipe((a.sentences[i].text for a, idx in wanted for i in idx), batch_size=64))
    return [extract(article, {i: next(parsed) for i in idx}) for article, idx in wanted]


def find_quotes(
    articles: Sequence[Article],
    finds: Mapping[str, Sequence[QuoteFind]],
    entities: Mapping[tuple[str, int, int], str],
) -> list[Quote]:
    """The quotes of a story's articles with their speakers linked to entities."""
    names = _entity_names(articles, entities)
    # A person's entity: the tagger may call one of its mentions an organisation or a place
    # ("Stoltenberg said"); the entities stage put it with the person all the same.
    people = frozenset(
        eid
        for a in articles
        for m in a.mentions
        if m.label == "PERSON" and (eid := entities.get((a.id, m.start, m.end))) is not None
    )
    out: list[Quote] = []
    for article in articles:
        found_here = list(finds.get(article.id, ()))
        quoted = [(f.start, f.end) for f in found_here]
        previous: tuple[str, int] | None = None  # the last quote's person, and its paragraph
        for n, found in enumerate(found_here, 1):
            q = _quote(article, found, n, entities, names, _Context(quoted, previous, people))
            out.append(q)
            if q.entity_id and _a_person(article, found):
                previous = (q.entity_id, _paragraph(article.text, found.start))
    return out


class _Context:
    """What resolving a pronoun speaker looks at besides the quote: the article's quote
    spans (names inside them are not speakers), the previous quote's person and the
    entities that are people."""

    def __init__(
        self, quoted: Sequence[tuple[int, int]], previous: tuple[str, int] | None, people: frozenset[str] = frozenset()
    ) -> None:
        self.quoted = quoted
        self.previous = previous
        self.people = people

    def inside(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.quoted)


def _paragraph(text: str, pos: int) -> int:
    return text.count("\n\n", 0, pos)


def _a_person(article: Article, found: QuoteFind) -> bool:
    """The quote's speaker words name a person: a PERSON name, a role ("the Ukrainian
    president, Volodymyr Zelenskiy": NER may call the name an ORG) or "he"/"she"."""
    if found.speaker is None:
        return False
    s, e = found.speaker
    if any(m.start < e and s < m.end and m.label == "PERSON" for m in article.mentions):
        return True
    words = {w.lower() for w in re.findall(r"[\w’']+", article.text[s:e])}
    return bool(words & (ROLE_NOUNS | {"he", "she"}))


#: "the company's chief of staff, Ana Ruiz,": a name in apposition after a role (the parse's
#: phrase for the role may stop at "chief"; a prepositional phrase may stand between).
APPOSED = re.compile(r"(?:\s+(?:of|for|at|to)\s+[\w’'-]+(?:\s+[\w’'-]+){0,4}?)?,\s+")
#: Two or more capitalised words: a name, whether or not the tagger saw it.
NAME = re.compile(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")
#: '..." he said. declared Dmitro Kouleba': a machine translation's second cue, naming the speaker.
DOUBLED_CUE = re.compile(
    r"\s*\w+[.,]\s+(?:said|declared|added|stressed|stated|told|explained|insisted|noted|warned|affirmed|asserted"
    r"|indicated|underlined|emphasi[sz]ed|assured|estimated|judged|continued)\s+",
    re.IGNORECASE,
)


def _entity_names(articles: Sequence[Article], entities: Mapping[tuple[str, int, int], str]) -> dict[str, str]:
    seen: dict[str, Counter[str]] = {}
    for a in articles:
        for m in a.mentions:
            eid = entities.get((a.id, m.start, m.end))
            if eid:
                seen.setdefault(eid, Counter())[m.text] += 1
    return {eid: max(c, key=lambda t: (len(t.split()), c[t], t)) for eid, c in seen.items()}


def _quote(
    article: Article,
    found: QuoteFind,
    n: int,
    entities: Mapping[tuple[str, int, int], str],
    names: dict[str, str],
    context: _Context | None = None,
) -> Quote:
    mention = article.text[found.speaker[0] : found.speaker[1]] if found.speaker else None
    entity_id = _resolve(article, found, entities, context or _Context((), None)) if found.speaker else None
    if entity_id is None and mention and not article.mentions:
        entity_id = _by_name(mention, names)  # a language without named entities: the name's spelling
    return Quote(
        id=f"{article.id}-q{n}",
        article_id=article.id,
        sentence=found.sentence,
        text=article.text[found.start : found.end],
        kind=found.kind,
        speaker=names.get(entity_id, mention) if entity_id else mention,
        speaker_mention=mention,
        entity_id=entity_id,
        cue=found.cue,
        start=found.start,
        end=found.end,
    )


def _by_name(mention: str, names: Mapping[str, str]) -> str | None:
    """The one entity whose name is the mention's, transliterated and folded ("Elena Marsh" in
    a Spanish article, "Кулеба" for Kuleba); a surname alone matches one entity's surname."""
    words = fold(mention).split()
    if not words:
        return None
    found = {
        eid
        for eid, name in names.items()
        if (parts := fold(name).split()) and (parts == words or (len(words) == 1 and parts[-1] == words[0]))
    }
    return found.pop() if len(found) == 1 else None


def _resolve(
    article: Article, found: QuoteFind, entities: Mapping[tuple[str, int, int], str], context: _Context
) -> str | None:
    if found.speaker is None:
        return None
    s, e = found.speaker
    named = [m for m in article.mentions if m.start < e and s < m.end and m.label in ("PERSON", "ORG", "GPE", "NORP")]
    words = [(s + w.start(), w.group().lower()) for w in re.finditer(r"[\w’']+", article.text[s:e])]
    # The head word: the last before a preposition ("UKR Mission to NATO": "mission"), else the last.
    at, head = next(
        (words[k - 1] for k in range(1, len(words)) if words[k][1] in SPEAKER_PREPOSITIONS),
        words[-1] if words else (s, ""),
    )
    people = [m for m in named if m.label == "PERSON"]
    covering = [m for m in named if m.start <= at < m.end]
    if people or covering:
        # "Kremlin spokesman Dmitry Peskov": the person, else the name that is the head.
        best = max(people or covering, key=lambda m: m.end)
        return entities.get((article.id, best.start, best.end))
    if named and head not in ROLE_NOUNS:
        # Names that only qualify the head ("UKR Mission to NATO", "the Finnish border
        # authority") are not the speaker: the words stand as written.
        return None
    ending = [m for m in named if m.start <= words[-1][0] < m.end]
    if ending and at != words[-1][0]:
        # "a spokesman for Hamas": the role speaks for the name after it.
        return entities.get((article.id, ending[-1].start, ending[-1].end))
    # "the Ukrainian foreign minister" is a person, not Ukraine: a role whose only names are
    # modifiers is resolved as a role is, below.
    labels: tuple[str, ...] | None = None
    if head in {"he", "she"} or head in ROLE_NOUNS:
        labels = ("PERSON",)
    elif head in ORG_NOUNS or head in {"they", "we"}:
        labels = ("ORG", "GPE", "NORP")
    if labels is None:
        return None
    if labels == ("PERSON",):
        # "the mayor's chief of staff, Ana Ruiz, told": the role names the person beside it.
        # A doubled cue ('..." he said. declared Dmitro Kouleba') names the one after it.
        apposed = APPOSED.match(article.text, e) if head in ROLE_NOUNS else None
        after = apposed or DOUBLED_CUE.match(article.text, e)
        if after is not None:
            named_after = [m for m in article.mentions if m.label == "PERSON" and m.start == after.end()]
            if named_after:
                return entities.get((article.id, named_after[0].start, named_after[0].end))
            if apposed is not None and NAME.match(article.text, apposed.end()):
                return None  # a name the tagger missed: not someone named earlier
        if context.previous is not None and head in {"he", "she"}:
            person, paragraph = context.previous
            if 0 <= _paragraph(article.text, found.start) - paragraph <= 1:
                return person
    wants_person = labels == ("PERSON",)
    before = [
        m
        for m in article.mentions
        if m.end <= s
        and (m.label in labels or (wants_person and entities.get((article.id, m.start, m.end)) in context.people))
        and not context.inside(m.start, m.end)
    ]
    if head in ORG_NOUNS and head != "it":
        # "Kyiv's mission", "the Finnish government": only the name that owns the noun. The
        # last state named before is a guess ("The government said": the Finnish
        # government in a paragraph that last named Somalia); the words stand instead.
        before = [m for m in before if re.fullmatch(r"(?:[’']s)?\s*", article.text[m.end : s])]
    if not before:
        return None
    last = before[-1]
    return entities.get((article.id, last.start, last.end))


def group_quotes(
    quotes: Sequence[Quote],
    articles: Sequence[Article],
    params: QuotesSettings = DEFAULTS,
    vectors: Mapping[str, np.ndarray] | None = None,
    derived: Collection[str] = (),
) -> list[QuoteGroup]:
    """Quote groups; ``vectors`` (quote id -> multilingual embeddings: of its text, then of
    each of its sentences when it has several) lets renderings in two languages join one
    group (``_translations``). ``derived``: articles that copy or translate another (the
    reuse stage's); their renderings are canonical only when no other article has one."""
    by_id = {a.id: a for a in articles}
    # A short partial quote inside reported speech is compared through the reported speech.
    indirect = {(q.article_id, q.sentence) for q in quotes if q.kind == "indirect"}
    quotes = [q for q in quotes if not (_short_partial(q) and (q.article_id, q.sentence) in indirect)]
    keys = {q.id: match_key(_comparable(q, by_id[q.article_id])) for q in quotes}
    edges: list[tuple[float, str, str]] = []
    by_speaker: dict[str, list[Quote]] = {}
    for q in quotes:
        if q.entity_id:
            by_speaker.setdefault(q.entity_id, []).append(q)
    for group in by_speaker.values():
        for a, b in combinations(group, 2):
            if a.article_id != b.article_id:
                score = _similarity(keys[a.id], keys[b.id])
                if score >= params.same_utterance:
                    edges.append((score, a.id, b.id))
    edges += _misattributions(quotes, keys, params)
    if vectors:
        edges += _translations(quotes, by_id, vectors, params)
    parent = {q.id: q.id for q in quotes}
    articles_of = {q.id: {q.article_id} for q in quotes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _score, qa, qb in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ra, rb = find(qa), find(qb)
        if ra == rb or articles_of[ra] & articles_of[rb]:
            continue
        parent[rb] = ra
        articles_of[ra] |= articles_of.pop(rb)
    members: dict[str, list[Quote]] = {}
    for q in quotes:
        members.setdefault(find(q.id), []).append(q)
    groups = [
        _group(g, by_id, keys, vectors or {}, params, derived)
        for g in members.values()
        if len({q.article_id for q in g}) >= 2
    ]
    groups.sort(key=lambda g: (-len(g.quote_ids), g.canonical))
    return [QuoteGroup(f"g{n}", g.speaker, g.quote_ids, g.canonical, g.variants) for n, g in enumerate(groups, 1)]


#: A quote's sentences (for ``quote_cosine``): split after . ! ? and the closing marks.
QUOTE_SENTENCE = re.compile(r"(?<=[.!?。！？])[\s\"”»]+")


def quote_embeddings(quotes: Sequence[Quote], models: Models) -> dict[str, np.ndarray]:
    """Per quote, the multilingual embeddings of its text and, when it has several
    sentences, of each (rows after the first): what ``group_quotes`` compares across languages."""
    parts = {
        q.id: [q.text] + ([p for p in QUOTE_SENTENCE.split(q.text) if p.strip()] if q.kind != "indirect" else [])
        for q in quotes
    }
    parts = {k: v if len(v) > 2 else v[:1] for k, v in parts.items()}
    flat = [t for v in parts.values() for t in v]
    rows = models.embed_multilingual(flat)
    out, at = {}, 0
    for k, v in parts.items():
        out[k] = rows[at : at + len(v)]
        at += len(v)
    return out


def _short_partial(q: Quote) -> bool:
    return q.kind == "partial" and len(q.text.split()) <= SHORT_PARTIAL


def _comparable(q: Quote, article: Article) -> str:
    """What is compared: the quote's words, or for a short partial quote its sentence."""
    if _short_partial(q):
        return article.sentences[q.sentence].text
    return q.text


def _similarity(a: str, b: str) -> float:
    short, long = sorted((a, b), key=len)
    if len(short.split()) < SHORT_PARTIAL:
        return 0.0
    return fuzz.partial_ratio(short, long) / 100.0


def _misattributions(
    quotes: Sequence[Quote], keys: Mapping[str, str], params: QuotesSettings
) -> list[tuple[float, str, str]]:
    """The same words under different speakers: found through shared word 5-grams."""
    grams: dict[str, list[Quote]] = {}
    for q in quotes:
        words = keys[q.id].split()
        if q.kind == "indirect" or len(words) < params.misattributed_words:
            continue
        for i in range(0, len(words) - 4, 3):
            grams.setdefault(" ".join(words[i : i + 5]), []).append(q)
    out, seen = [], set()
    for bucket in grams.values():
        for a, b in combinations(bucket, 2):
            pair = (a.id, b.id)
            if pair in seen or a.article_id == b.article_id or a.entity_id == b.entity_id:
                continue
            seen.add(pair)
            score = _similarity(keys[a.id], keys[b.id])
            if score >= params.misattributed and a.entity_id and b.entity_id:
                out.append((score, a.id, b.id))
    return out


def _translations(
    quotes: Sequence[Quote], by_id: Mapping[str, Article], vectors: Mapping[str, np.ndarray], params: QuotesSettings
) -> list[tuple[float, str, str]]:
    """Edges between quotes in articles of different languages whose texts mean the same
    (``quote_cosine`` at least ``quotes.translated``, or ``quotes.translated_speaker`` when
    both name the same speaker entity), unless both speakers are known and differ."""
    chosen = [q for q in quotes if q.id in vectors and q.kind != "indirect" and by_id[q.article_id].language]
    if len(chosen) < 2:
        return []
    matrix = np.vstack([vectors[q.id][0] for q in chosen]).astype(np.float32)
    languages = np.array([by_id[q.article_id].language for q in chosen])
    floor = min(params.translated, params.translated_speaker)
    out = []
    for lo in range(0, len(chosen), TRANSLATION_BLOCK):
        # Whole quotes first (cheap, one product); pieces only for the pairs that come close.
        sims = matrix[lo : lo + TRANSLATION_BLOCK] @ matrix.T
        rows, cols = np.nonzero(sims >= floor - PIECE_SLACK)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = lo + r
            a, b = chosen[i], chosen[c]
            if c <= i or languages[i] == languages[c] or a.article_id == b.article_id:
                continue
            if a.entity_id and b.entity_id and a.entity_id != b.entity_id:
                continue
            same_speaker = bool(a.entity_id and a.entity_id == b.entity_id)
            cosine = quote_cosine(vectors[a.id], vectors[b.id])
            if cosine >= (params.translated_speaker if same_speaker else params.translated):
                out.append((cosine, a.id, b.id))
    return out


def quote_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """How alike two renderings are: the whole quotes (first rows), or either whole quote
    against a sentence of the other (the rows after the first), the best of these."""
    whole = float(a[0] @ b[0])
    pieces = [float(x[0] @ y[k]) for x, y in ((a, b), (b, a)) for k in range(1, len(y))]
    return max([whole, *pieces])


#: Quotes compared at once with all others (rows of one matrix product).
TRANSLATION_BLOCK = 1024
#: A pair whose whole quotes are this far under the threshold is not looked at piece by piece.
PIECE_SLACK = 0.25


def _group(
    group: list[Quote],
    by_id: Mapping[str, Article],
    keys: Mapping[str, str],
    vectors: Mapping[str, np.ndarray],
    params: QuotesSettings,
    derived: Collection[str] = (),
) -> QuoteGroup:
    def rank(q: Quote) -> tuple[bool, bool, float, int, str]:
        later = q.article_id in derived  # a translation's or a reprint's rendering is not the original
        return (q.kind == "indirect", later, date_key(by_id[q.article_id].published), -len(keys[q.id]), q.id)

    canonical = min(group, key=rank)
    variants = []
    for q in sorted(group, key=lambda x: x.id):
        if q.id == canonical.id:
            continue
        if by_id[canonical.article_id].in_other_language(by_id[q.article_id]) and q.id in vectors:
            verdict = _translated(canonical, q, vectors, params)
            # Words of two languages are not diffed: the two renderings side by side.
            diff = (DiffRun(op="replace", canonical=canonical.text, variant=q.text),)
            variants.append(QuoteVariant(quote_id=q.id, verdict=verdict, diff=diff))
            continue
        verdict = _verdict(canonical, q, keys)
        variants.append(QuoteVariant(quote_id=q.id, verdict=verdict, diff=_diff(canonical.text, q.text)))
    return QuoteGroup(
        id="",
        speaker=canonical.speaker,
        quote_ids=tuple(sorted(q.id for q in group)),
        canonical=canonical.id,
        variants=tuple(variants),
    )


def _translated(canonical: Quote, q: Quote, vectors: Mapping[str, np.ndarray], params: QuotesSettings) -> Verdict:
    """A rendering in another language: ``translated``; ``translated+trimmed`` when it is
    much shorter than the canonical (``quotes.translated_length`` of its characters: some
    of the words were left out), ``translated+reworded`` when the meaning moved (cosine below
    ``quotes.translated_faithful``)."""
    if canonical.entity_id and q.entity_id and canonical.entity_id != q.entity_id:
        return "misattributed"
    if len(q.text) < params.translated_length * len(canonical.text):
        return "translated+trimmed"
    if canonical.id in vectors and quote_cosine(vectors[q.id], vectors[canonical.id]) < params.translated_faithful:
        return "translated+reworded"
    return "translated"


def _verdict(canonical: Quote, q: Quote, keys: Mapping[str, str]) -> Verdict:
    if canonical.entity_id and q.entity_id and canonical.entity_id != q.entity_id:
        return "misattributed"
    if q.kind == "indirect" or _short_partial(q):
        return "paraphrased"
    a, b = keys[canonical.id], keys[q.id]
    if a == b:
        return "exact"
    pieces = [match_key(p) for p in ELLIPSIS.split(q.text) if match_key(p)]
    if pieces and _in_order(pieces, a):
        return "trimmed"
    if a in b:
        return "extended"
    return "reworded"


def _in_order(pieces: list[str], text: str) -> bool:
    pos = 0
    padded = f" {text} "
    for piece in pieces:
        found = padded.find(f" {piece} ", pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _diff(canonical: str, variant: str) -> tuple[DiffRun, ...]:
    """Word-level differences: runs of equal, deleted, inserted and replaced words."""
    a, b = canonical.split(), variant.split()
    ops = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, [match_key(w) for w in a], [match_key(w) for w in b], autojunk=False
    ).get_opcodes():
        ops.append(DiffRun(op=op, canonical=" ".join(a[i1:i2]), variant=" ".join(b[j1:j2])))
    return tuple(ops)
