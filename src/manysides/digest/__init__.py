"""Stage 12, digest: a short neutral account of each story, every sentence cited and checked.

1. Facts are ranked by how many *independent origins* carry them (a reprint counts with
   the report it copies), then by how many outlets; the top ``digest.max_sentences`` are kept (at
   least ``digest.min_sentences`` when the story has them), in the reading order of the story's
   first independent report.
2. Each fact is written with one of its own sentences (extractive: no claim a source does
   not make): from an independent origin, the one with the fewest loaded words and
   contested labels in its own voice, the wire dateline dropped, contested place
   spellings replaced by the neutral one (``data/framing.toml``). Attributed claims keep
   their attribution because the sentence keeps its "X said".
3. Support check: the digest sentence is compared with every sentence it cites with the
   same pair decision as the alignment (edit similarity, else the paraphrase model).
   Citations that fail are dropped; ``support`` is the share that passed; a sentence
   with support below ``digest.support_min`` is not printed.
4. Optional (off by default): ``digest_rewriter = "module:function"`` in the settings
   names a function (for example an LLM client) that rewrites the sentences more
   fluently; its output goes through the same check, and a rewritten sentence that fails
   falls back to the extractive one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz

from ..clean.metadata import DATELINE
from ..dates import date_key
from ..errors import SettingsError
from ..framing import load_lexicon, load_loaded_words, occurrences
from ..index import CorpusIndex
from ..index.text import match_key, quoted, tokens
from ..model import Article, Citation, DigestSentence, Evidence, Fact, Reuse, Story
from ..nlp import Models
from ..quotes.extract import quote_spans
from ..reuse.pairs import is_paraphrase, pair_features, paraphrase_probability
from ..settings import AlignSettings, DigestSettings

#: Thresholds: ``settings.DigestSettings`` and ``settings.AlignSettings`` (notes in data/defaults.toml).
DEFAULTS = DigestSettings()
ALIGN_DEFAULTS = AlignSettings()

Rewriter = Callable[[list[str]], list[str]]


def digests(
    articles: Sequence[Article],
    stories: Sequence[Story],
    facts: Sequence[Fact],
    reuse: Sequence[Reuse],
    index: CorpusIndex,
    models: Models,
    rewriter: Rewriter | None = None,
    params: DigestSettings = DEFAULTS,
    align: AlignSettings = ALIGN_DEFAULTS,
) -> list[Story]:
    by_id = {a.id: a for a in articles}
    out = []
    for story in stories:
        mine = [f for f in facts if f.story_id == story.id]
        if len(story.article_ids) < 2 or not mine:
            out.append(story)
            continue
        members = [by_id[i] for i in story.article_ids]
        digest = story_digest(story, members, mine, reuse, index, models, rewriter, params, align)
        out.append(replace(story, digest=tuple(digest)))
    return out


def load_rewriter(spec: str) -> Rewriter | None:
    """``"package.module:function"`` -> the function; "" -> None."""
    if not spec:
        return None
    module, _, name = spec.partition(":")
    if not module or not name:
        raise SettingsError(f"digest_rewriter {spec!r} must look like 'package.module:function'; fix the setting")
    try:
        found = getattr(importlib.import_module(module), name)
    except ImportError as exc:
        raise SettingsError(
            f"digest_rewriter {spec!r}: cannot import {module!r} ({exc}); install it or fix the setting"
        ) from None
    except AttributeError:
        raise SettingsError(f"digest_rewriter {spec!r}: {module!r} has no {name!r}; fix the setting") from None
    if not callable(found):
        raise SettingsError(f"digest_rewriter {spec!r} is not a function; name a function taking a list of sentences")
    fn: Rewriter = found
    return fn


def story_digest(
    story: Story,
    members: Sequence[Article],
    facts: Sequence[Fact],
    reuse: Sequence[Reuse],
    index: CorpusIndex,
    models: Models,
    rewriter: Rewriter | None = None,
    params: DigestSettings = DEFAULTS,
    align: AlignSettings = ALIGN_DEFAULTS,
) -> list[DigestSentence]:
    by_id = {a.id: a for a in members}
    origin = _origin_of(story, reuse)
    ranked: list[tuple[int, int, int, Fact]] = []
    for fact in facts:
        carriers = [aid for aid, status in fact.coverage.items() if status in ("stated", "paraphrased")]
        if len(carriers) < 2 and len(ranked) >= params.min_sentences:
            continue
        independent = {origin.get(aid, aid) for aid in carriers}
        outlets = {by_id[aid].outlet or aid for aid in carriers}
        ranked.append((len(independent), len(outlets), len(carriers), fact))
    ranked.sort(key=lambda r: (-r[0], -r[1], -r[2]))
    chosen = [r for r in ranked if r[2] >= 2][: params.max_sentences]
    if len(chosen) < params.min_sentences:
        chosen += [r for r in ranked if r[2] < 2][: params.min_sentences - len(chosen)]
    reference = next((a for a in members if a.id in story.origins), members[0])
    chosen.sort(key=lambda r: _reading_position(r[3], reference, members))
    drafts = []
    for _, _, _, fact in chosen:
        sentence = _best_wording(fact, by_id, set(story.origins), params.language)
        drafts.append((fact, sentence, _neutral(sentence[2])))
    texts = [text for _, _, text in drafts]
    # The extractive sentence's vector is its source sentence's (the dateline and a place
    # spelling hardly move it); a rewritten sentence is embedded.
    own = index.sentence_vectors((aid, i) for _, (aid, i, _), _ in drafts)
    vectors = [Vectors(own[aid, i]) for _, (aid, i, _), _ in drafts]
    if len({a.language for a in members if a.language}) > 1:
        # Citations in another language than the sentence are checked in the multilingual space.
        across = index.multilingual_vectors((aid, i) for _, (aid, i, _), _ in drafts)
        vectors = [
            Vectors(v.own, across[aid, i], by_id[aid].language)
            for v, (_, (aid, i, _), _) in zip(vectors, drafts, strict=True)
        ]
    rewritten_vectors = vectors
    if rewriter is not None:
        rewritten = rewriter(list(texts))
        if len(rewritten) == len(texts):
            texts = rewritten
            many = models.embed_multilingual(texts) if vectors and vectors[0].language else None
            rewritten_vectors = [
                Vectors(v, None if many is None else many[k], old.language)
                for k, (v, old) in enumerate(zip(models.embed(texts), vectors, strict=True))
            ]
    out = []
    for (fact, _sentence, fallback), text, vector, fallback_vector in zip(
        drafts, texts, rewritten_vectors, vectors, strict=True
    ):
        checked = _check(text, vector, fact, by_id, index, params, align) if text != fallback else None
        if checked is None or checked[1] < params.support_min:
            text, checked = fallback, _check(fallback, fallback_vector, fact, by_id, index, params, align)
        citations, support = checked
        if support >= params.support_min and citations:
            out.append(DigestSentence(text, tuple(citations), round(support, 4), fact.id))
    return out


def _origin_of(story: Story, reuse: Sequence[Reuse]) -> dict[str, str]:
    """Each member's independent origin: follow 'derived' records to a member that takes
    from nobody."""
    source = {r.article_id: r.source_id for r in reuse if r.story_id == story.id and r.relation == "derived"}
    out = {}
    for aid in story.article_ids:
        seen, cur = {aid}, aid
        while cur in source and source[cur] not in seen:
            cur = source[cur]
            seen.add(cur)
        out[aid] = cur
    return out


def _reading_position(fact: Fact, reference: Article, members: Sequence[Article]) -> tuple[int, int, int]:
    order = {a.id: k for k, a in enumerate(members)}
    in_ref = [e.sentence for e in fact.evidence if e.article_id == reference.id]
    if in_ref:
        return (0, min(in_ref), 0)
    first = min(fact.evidence, key=lambda e: (order[e.article_id], e.sentence))
    return (1, order[first.article_id], first.sentence)


@dataclass(frozen=True)
class Vectors:
    """A digest sentence's embeddings: the English model's, and when the story is in several
    languages the multilingual encoder's, with the language of the sentence."""

    own: np.ndarray
    across: np.ndarray | None = None
    language: str | None = None


def _best_wording(
    fact: Fact, by_id: Mapping[str, Article], origins: set[str], language: str = "en"
) -> tuple[str, int, str]:
    """(article id, sentence, text): the fact's least loaded sentence, in ``language`` where
    one of its sentences is, from an origin first."""
    loaded_words, _ = load_loaded_words()
    lexicon = load_lexicon()

    def cost(e: Evidence) -> tuple[bool, bool, bool, int, float, int, str, int]:
        article = by_id[e.article_id]
        sentence = article.sentences[e.sentence]
        text = sentence.text
        # Labels inside a quote are the speaker's words, not the outlet's choice.
        quoted_at = [(sentence.start + a, sentence.start + b) for a, b in quote_spans(text)]
        loaded = sum(1 for w in tokens(text) if w in loaded_words)
        labels = 0
        for concept in lexicon:
            if "spelling" in concept.concept or not concept.any_form.search(text):
                continue
            labels += sum(
                1
                for term, start, end, _ in occurrences(concept, _one_sentence(article, e.sentence))
                if term != concept.neutral and not any(a <= start and end <= b for a, b in quoted_at)
            )
        published = date_key(article.published)
        fragment = is_fragment(text)
        return (
            (article.language or language) != language,
            fragment,
            e.article_id not in origins,
            loaded + labels,
            published,
            -len(text),
            e.article_id,
            e.sentence,
        )

    usable = [e for e in fact.evidence if e.status != "contradicted"]
    best = min(usable or list(fact.evidence), key=cost)
    text = by_id[best.article_id].sentences[best.sentence].text
    return best.article_id, best.sentence, DATELINE.sub("", text, count=1)


def is_fragment(text: str) -> bool:
    """A sentence that does not stand alone: it closes a quote it did not open, or starts
    in lower case."""
    first_close = min((text.find(c) for c in "”»" if c in text), default=-1)
    first_open = min((text.find(c) for c in "“«" if c in text), default=-1)
    return (first_close >= 0 and (first_open < 0 or first_close < first_open)) or text[:1].islower()


def _one_sentence(article: Article, i: int) -> Article:
    return replace(article, sentences=(article.sentences[i],))


def _neutral(text: str) -> str:
    """Contested place spellings replaced by the neutral one (Kiev -> Kyiv)."""
    for concept in load_lexicon():
        if "spelling" not in concept.concept:
            continue
        for term, _form, pattern in concept.forms:
            if term != concept.neutral:
                text = pattern.sub(concept.neutral, text)
    return text


def _check(
    text: str,
    vector: Vectors,
    fact: Fact,
    by_id: Mapping[str, Article],
    index: CorpusIndex,
    params: DigestSettings,
    align: AlignSettings,
) -> tuple[list[Citation], float]:
    """The citations that state ``text``, and the share of the candidates that do.

    Candidates: the fact's sentences, and in every other article of the story the
    sentences that quote the same words as ``text`` (a lead and the quote it sums up)."""
    cited = [(e.article_id, e.sentence) for e in fact.evidence if e.status in ("stated", "paraphrased")]
    anchors = [match_key(q) for q in quoted(text) if len(match_key(q).split()) >= 2]
    limits = (align.near_verbatim, align.same_content, params.quote_anchor_cosine, params.across_languages)
    passed, checked = _supported(text, vector, cited, anchors, by_id, index, limits)
    if anchors:
        extra = [
            (article.id, s.i)
            for article in by_id.values()
            if article.id not in passed
            for s in article.sentences
            if all(a in index.sentence_keys[article.id][s.i] for a in anchors)
        ]
        more, _ = _supported(text, vector, extra, anchors, by_id, index, limits)
        passed.update({k: v for k, v in more.items() if k not in passed})
        checked |= set(more)
    if not checked:
        return [], 0.0
    return [passed[a] for a in sorted(passed)], len(passed) / len(checked)


def _supported(
    text: str,
    vector: Vectors,
    cited: list[tuple[str, int]],
    anchors: list[str],
    by_id: Mapping[str, Article],
    index: CorpusIndex,
    limits: tuple[float, float, float, float],
) -> tuple[dict[str, Citation], set[str]]:
    """The cited articles whose sentence states ``text`` (one citation each), and the
    articles checked. ``limits``: near-verbatim edit similarity, same-content cosine,
    quote-anchor cosine, and the multilingual cosine a citation in another language needs."""
    near_verbatim, same_content, anchor_cosine, across_languages = limits
    if not cited:
        return {}, set()
    sources = [by_id[aid].sentences[i].text for aid, i in cited]
    foreign = [
        (aid, i)
        for aid, i in cited
        if vector.across is not None and vector.language and by_id[aid].language not in (None, vector.language)
    ]
    elsewhere = set(foreign)
    known = index.sentence_vectors([c for c in cited if c not in elsewhere])
    rendered = index.multilingual_vectors(foreign) if foreign else {}
    key = match_key(text)
    passed: dict[str, Citation] = {}
    checked: set[str] = set()
    for (aid, i), source in zip(cited, sources, strict=True):
        checked.add(aid)
        if aid in passed:
            continue
        if (aid, i) in rendered:
            # Another language: a translation of the sentence, by the multilingual encoder.
            assert vector.across is not None
            if float(vector.across @ rendered[aid, i]) >= across_languages:
                passed[aid] = Citation(aid, i)
            continue
        other = match_key(source)
        cosine = float(vector.own @ known[aid, i])
        supported = (
            fuzz.ratio(key, other) / 100.0 >= near_verbatim
            or fuzz.partial_ratio(key, other) / 100.0 >= 0.95
            or cosine >= same_content
            or (bool(anchors) and all(a in other for a in anchors) and cosine >= anchor_cosine)
            or is_paraphrase(paraphrase_probability(pair_features(key, other, text, source, cosine)))
        )
        if supported:
            passed[aid] = Citation(aid, i)
    return passed, checked
