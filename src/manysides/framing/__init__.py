"""Stage 11, framing: which words each outlet chose for the same thing, and in whose voice.

Sources of contrasts within a story:

1. the curated lexicon (``data/framing.toml``): contested place spellings, conflict and
   group labels, reporting verbs, each with its source; a concept is reported when the
   story's articles use two or more of its variants; and a state named by its name, its
   capital or its seat of government ("Russia" / "Moscow" / "the Kremlin",
   ``metonyms.py``);
2. names spelled differently and the descriptions outlets give a person or group
   (``descriptions.py``);
3. the alignment: two renderings of one fact (paraphrase, near-verbatim, translation
   links) whose words differ ("cheated" / "deceived", "disbanded" / "dissolved").

Every term occurrence has a voice: ``quoted`` (inside a quote), ``attributed`` (inside
reported speech: "Russia says its ..."), or ``own`` (the outlet's own words).

Per article, the loaded words and hedges of its own voice (``data/loaded.toml``) and who
gets to speak: the share of its quotes by speaker.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from rapidfuzz import fuzz

from ..index.text import FUNCTION_WORDS, NUMBER_WORDS, tokens
from ..model import Article, Citation, Framing, Quote, SentenceLink, Story, TermUse, Voice, VoiceKind, WordUse
from ..settings import FramingSettings

#: Thresholds: ``settings.FramingSettings`` (their calibration notes in data/defaults.toml).
DEFAULTS = FramingSettings()
STOP = FUNCTION_WORDS | frozenset(
    (  # noqa: SIM905 (a word list reads as text)
        "we you i no also can could may might while when which who whom whose where there here then than so "
        "if into over after before"
    ).split()
)
CONTRAST_KINDS = frozenset({"paraphrase", "near-verbatim", "translation"})
MAX_CONTRAST_WORDS = 3


@dataclass(frozen=True)
class Concept:
    concept: str
    neutral: str
    source: str
    forms: tuple[tuple[str, str, re.Pattern[str]], ...]  # (variant term, form, pattern), longest first
    #: Any form anywhere, without the word-boundary checks: a cheap test that an article
    #: can hold the concept at all (a superset of what ``forms`` match).
    any_form: re.Pattern[str] = re.compile(r"(?!)")


@lru_cache(maxsize=4)
def load_lexicon(extra: str | None = None) -> tuple[Concept, ...]:
    texts = [files("manysides").joinpath("data/framing.toml").read_text("utf-8")]
    if extra:
        texts.append(Path(extra).read_text("utf-8"))
    out = []
    for text in texts:
        for entry in tomllib.loads(text).get("concept", []):
            forms = [(term, form) for term, fs in entry["variants"].items() for form in fs]
            forms.sort(key=lambda tf: -len(tf[1]))
            out.append(
                Concept(
                    concept=entry["concept"],
                    neutral=entry.get("neutral", ""),
                    source=entry["source"],
                    forms=tuple(
                        (term, f, re.compile(rf"(?<![\w-]){re.escape(f)}(?![\w-])", re.I)) for term, f in forms
                    ),
                    any_form=re.compile("|".join(re.escape(f) for _, f in forms) or r"(?!)", re.I),
                )
            )
    return tuple(out)


@lru_cache(maxsize=1)
def load_loaded_words() -> tuple[frozenset[str], frozenset[str]]:
    data = tomllib.loads(files("manysides").joinpath("data/loaded.toml").read_text("utf-8"))
    return frozenset(w.lower() for w in data["loaded"]), frozenset(w.lower() for w in data["hedges"])


def framing(
    articles: Sequence[Article],
    stories: Sequence[Story],
    alignments: Mapping[str, Sequence[SentenceLink]],
    quotes: Sequence[Quote],
    mention_entity: Mapping[tuple[str, int, int], str] | None = None,
    params: FramingSettings = DEFAULTS,
) -> tuple[list[Framing], list[Article]]:
    from .descriptions import description_contrasts
    from .metonyms import metonym_contrasts

    by_id = {a.id: a for a in articles}
    spans = _quote_spans(quotes)
    out: list[Framing] = []
    for story in stories:
        members = [by_id[i] for i in story.article_ids]
        if len(members) >= 2:
            out += lexicon_contrasts(story, members, spans)
            out += metonym_contrasts(story, members, spans)
            out += name_contrasts(story, members, spans, mention_entity or {}, params)
            out += description_contrasts(story, members, spans, mention_entity or {})
            out += aligned_contrasts(story, members, alignments.get(story.id, ()), spans, params)
    speakers: dict[str, Counter[str]] = {}
    for q in quotes:
        speakers.setdefault(q.article_id, Counter())[q.speaker or "(unknown)"] += 1
    return out, [_language(a, spans, speakers.get(a.id, Counter())) for a in articles]


def voice_of(article: Article, start: int, end: int, spans: Mapping[str, list[tuple[int, int, str]]]) -> VoiceKind:
    for s, e, kind in spans.get(article.id, ()):
        if s <= start and end <= e:
            return "attributed" if kind == "indirect" else "quoted"
    return "own"


def occurrences(concept: Concept, article: Article) -> list[tuple[str, int, int, int]]:
    """(term, start, end, sentence) of every variant of the concept in the article."""
    found: list[tuple[str, int, int, int]] = []
    taken: list[tuple[int, int]] = []
    if not concept.any_form.search(article.text):
        return found
    for s in article.sentences:
        for term, form, pattern in concept.forms:
            for m in pattern.finditer(s.text):
                start, end = s.start + m.start(), s.start + m.end()
                if any(a < end and start < b for a, b in taken):
                    continue
                word = m.group(0)
                if form[:1].islower() and word[:1].isupper() and m.start() > 0:
                    continue  # "Cold War", "World War Three": a name, not the label
                taken.append((start, end))
                found.append((term, start, end, s.i))
    return sorted(found, key=lambda x: x[1])


def lexicon_contrasts(
    story: Story, members: Sequence[Article], spans: Mapping[str, list[tuple[int, int, str]]]
) -> list[Framing]:
    out = []
    for concept in load_lexicon():
        uses: dict[tuple[str, VoiceKind], list[tuple[str, int]]] = {}
        written: dict[tuple[str, VoiceKind], set[tuple[str, str]]] = {}
        for a in members:
            for term, start, end, sentence in occurrences(concept, a):
                key = (term, voice_of(a, start, end, spans))
                uses.setdefault(key, []).append((a.id, sentence))
                written.setdefault(key, set()).add((a.text[start:end], a.language or ""))
        if len({term for term, _ in uses}) >= 2:
            out.append(_framing(story, concept.concept, "lexicon", concept.source, concept.neutral, uses, written))
    return out


def name_contrasts(
    story: Story,
    members: Sequence[Article],
    spans: Mapping[str, list[tuple[int, int, str]]],
    mention_entity: Mapping[tuple[str, int, int], str],
    params: FramingSettings = DEFAULTS,
) -> list[Framing]:
    """One person or place spelled differently by different articles ("Dmytro Kuleba" /
    "Dmitro Kouleba"): transliterations and spellings, not a surname used alone."""
    uses: dict[str, dict[tuple[str, VoiceKind], list[tuple[str, int]]]] = {}
    for a in members:
        for m in a.mentions:
            eid = mention_entity.get((a.id, m.start, m.end))
            if eid:
                entry = uses.setdefault(eid, {}).setdefault((m.text, voice_of(a, m.start, m.end, spans)), [])
                if (a.id, m.sentence) not in entry:
                    entry.append((a.id, m.sentence))
    out = []
    for _eid, by_term in sorted(uses.items()):
        forms = {term for term, _ in by_term}
        spelled = {t for t in forms if not any(t != o and _contained(t, o) for o in forms)}
        # Spellings of one name look alike ("Kuleba" / "Kouleba"); "US" / "the United States" do not.
        if any(fuzz.ratio(x.lower(), y.lower()) / 100.0 < params.spelling_variant for x in spelled for y in spelled):
            continue
        articles_of = {t: {aid for (term, _), ev in by_term.items() if term == t for aid, _ in ev} for t in spelled}
        if len(spelled) >= 2 and len(set().union(*articles_of.values())) >= 2 and not _one_article_each(articles_of):
            kept = {k: v for k, v in by_term.items() if k[0] in spelled}
            name = max(spelled, key=lambda t: (len(articles_of[t]), len(t), t))
            out.append(
                _framing(story, f"{name} (spelling)", "entity", "names linked by the entities stage", name, kept)
            )
    return out


def _contained(short: str, long: str) -> bool:
    """ "Peskov" in "Dmitry Peskov", "MOSCOW" as "Moscow": the same name, not a variant."""
    a, b = short.lower(), long.lower()
    return (a == b and short != long and short.isupper()) or (len(a) < len(b) and a in b)


def _one_article_each(articles_of: Mapping[str, set[str]]) -> bool:
    """Variants that never meet: every article uses all of them (an article's own
    inconsistency is not a contrast between outlets)."""
    sets = list(articles_of.values())
    return all(x == sets[0] for x in sets)


def aligned_contrasts(
    story: Story,
    members: Sequence[Article],
    links: Sequence[SentenceLink],
    spans: Mapping[str, list[tuple[int, int, str]]],
    params: FramingSettings = DEFAULTS,
) -> list[Framing]:
    found: dict[tuple[str, str], dict[tuple[str, VoiceKind], list[tuple[str, int]]]] = {}
    for link in links:
        if link.kind not in CONTRAST_KINDS or link.claim:  # a shared clause: the rest of the sentences differ
            continue
        a, b = members[link.a], members[link.b]
        if a.outlet and a.outlet == b.outlet:
            continue
        if a.in_other_language(b):
            continue  # words of two languages differ everywhere: across languages, the lexicon speaks
        sa, sb = a.sentences[link.i], b.sentences[link.j]
        for wa, wb in _replaced(sa.text, sb.text, params.spelling_similarity):
            key = tuple(sorted((wa, wb)))
            uses = found.setdefault(key, {})  # type: ignore[arg-type]
            for art, sent, word in ((a, sa, wa), (b, sb, wb)):
                pos = sent.text.lower().find(word)
                start = sent.start + max(pos, 0)
                voice = voice_of(art, start, start + len(word), spans)
                entry = uses.setdefault((word, voice), [])
                if (art.id, sent.i) not in entry:
                    entry.append((art.id, sent.i))
    return [
        _framing(story, f"{x} / {y}", "alignment", "two renderings of one aligned fact", "", uses)
        for (x, y), uses in sorted(found.items())
    ]


def _replaced(a: str, b: str, spelling_similarity: float) -> list[tuple[str, str]]:
    """Word runs one rendering replaced with another: content words, not spellings."""
    ta, tb = tokens(a), tokens(b)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op != "replace" or i2 - i1 > MAX_CONTRAST_WORDS or j2 - j1 > MAX_CONTRAST_WORDS:
            continue
        wa = [w for w in ta[i1:i2] if w not in STOP]
        wb = [w for w in tb[j1:j2] if w not in STOP]
        if not wa or not wb or any(w.isdigit() for w in wa + wb):
            continue
        x, y = " ".join(wa), " ".join(wb)
        if fuzz.ratio(x, y) / 100.0 >= spelling_similarity or _same_stem(x, y) or {x, y} & NUMERALS:
            continue
        out.append((x, y))
    return out


#: Number words and numerals: "III" / "Three" is a spelling of a number, not a word choice.
NUMERALS = NUMBER_WORDS | {"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}


def _same_stem(x: str, y: str) -> bool:
    """Inflections of one word ("marked" / "marks"): a long common prefix."""
    if " " in x or " " in y:
        return False
    common = len(_common_prefix(x, y))
    return common >= 4 and common >= min(len(x), len(y)) - 3


def _common_prefix(x: str, y: str) -> str:
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return x[:n]


def _framing(
    story: Story,
    concept: str,
    origin: str,
    source: str,
    neutral: str,
    uses: Mapping[tuple[str, VoiceKind], list[tuple[str, int]]],
    written: Mapping[tuple[str, VoiceKind], set[tuple[str, str]]] | None = None,
) -> Framing:
    seen = written or {}
    variants = tuple(
        TermUse(
            term=term,
            voice=voice,
            article_ids=tuple(sorted({aid for aid, _ in evidence})),
            evidence=tuple(Citation(aid, s) for aid, s in sorted(evidence)),
            forms=tuple(sorted({form for form, _ in seen.get((term, voice), ())})),
            languages=tuple(sorted({lang for _, lang in seen.get((term, voice), ()) if lang})),
        )
        for (term, voice), evidence in sorted(uses.items())
    )
    return Framing(story_id=story.id, concept=concept, origin=origin, source=source, neutral=neutral, variants=variants)


def _quote_spans(quotes: Sequence[Quote]) -> dict[str, list[tuple[int, int, str]]]:
    out: dict[str, list[tuple[int, int, str]]] = {}
    for q in quotes:
        out.setdefault(q.article_id, []).append((q.start, q.end, q.kind))
    return out


def _language(article: Article, spans: Mapping[str, list[tuple[int, int, str]]], speakers: Counter[str]) -> Article:
    loaded_words, hedge_words = load_loaded_words()
    loaded, hedges = [], []
    for s in article.sentences:
        for m in re.finditer(r"[\w’'-]+", s.text):
            word = m.group(0).lower().replace("’", "'")
            start = s.start + m.start()
            if voice_of(article, start, start + len(word), spans) != "own":
                continue
            if word in loaded_words:
                loaded.append(WordUse(m.group(0), s.i))
            elif word in hedge_words:
                hedges.append(WordUse(m.group(0), s.i))
    total = sum(speakers.values())
    voices = tuple(
        Voice(speaker=name, quotes=n, share=round(n / total, 4))
        for name, n in sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return replace(article, loaded=tuple(loaded), hedges=tuple(hedges), voices=voices)


def loaded_in(text: str) -> list[str]:
    """The loaded words of a text (for evaluation on single sentences)."""
    loaded_words, _ = load_loaded_words()
    return [w for w in re.findall(r"[\w’'-]+", text) if w.lower().replace("’", "'") in loaded_words]
