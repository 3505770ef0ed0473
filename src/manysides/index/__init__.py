"""Stage 5, index: MinHash signatures and embeddings for sentences and articles.

The index is a class because it holds state that later stages query: clustering reads
article signatures and vectors, comparison reads sentence signatures and vectors.

Cost decides what is computed when (shared/STACK.md: an embedding of every sentence costs
~0.1 s per article on 2 cores). Up front, for every article: MinHash signatures and ONE
embedding of its lead (title and first sentences), the cheap features that story
clustering needs. Sentence embeddings are computed on demand, once per sentence, for the
sentences a later stage asks about (the compare stage: the sentences it matched).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash

from ..model import Article
from ..nlp import Models
from ..settings import Settings
from .text import match_key, shingles, tokens

__all__ = ["CorpusIndex", "build_index", "match_key", "shingles", "tokens"]

#: Words of an article's lead embedded as its vector: MiniLM reads 256 word pieces at
#: most, and news puts the event in the first sentences (the inverted pyramid).
LEAD_WORDS = 120


class CorpusIndex:
    """Signatures and vectors of a set of articles; rows follow the articles' order."""

    def __init__(self, articles: Sequence[Article], models: Models) -> None:
        settings = models.settings
        self._models = models
        self.num_perm = settings.num_perm
        self._articles = {a.id: a for a in articles}
        self.article_ids = tuple(a.id for a in articles)
        self.row_of = {aid: k for k, aid in enumerate(self.article_ids)}
        self.sentence_keys = {a.id: tuple(match_key(s.text) for s in a.sentences) for a in articles}
        self.sentence_minhash = {
            a.id: _minhashes([k.split() for k in self.sentence_keys[a.id]], settings.sentence_shingle, settings)
            for a in articles
        }
        self.article_minhash = _minhashes([tokens(a.text) for a in articles], settings.article_shingle, settings)
        self.article_vectors = models.embed([lead(a) for a in articles])
        self._sentence_vectors: dict[tuple[str, int], np.ndarray] = {}

    def sentence_vectors(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """Unit vectors of the given (article id, sentence index) pairs, each embedded once.

        Callers ask for all they need at once, so that the model sees one batch.
        """
        wanted = sorted(set(keys))
        todo = [k for k in wanted if k not in self._sentence_vectors]
        vectors = self._models.embed([self._articles[aid].sentences[i].text for aid, i in todo])
        self._sentence_vectors.update(zip(todo, vectors, strict=True))
        return {k: self._sentence_vectors[k] for k in wanted}


def build_index(articles: Sequence[Article], models: Models) -> CorpusIndex:
    return CorpusIndex(articles, models)


def lead(article: Article) -> str:
    """Title and first sentences, up to LEAD_WORDS words."""
    parts, words = ([article.title] if article.title else []), 0
    for s in article.sentences:
        if words >= LEAD_WORDS:
            break
        parts.append(s.text)
        words += len(s.text.split())
    return " ".join(parts) or article.text[:1000]


def _minhashes(word_lists: list[list[str]], n: int, settings: Settings) -> tuple[LeanMinHash, ...]:
    sets = [sorted(shingles(words, n)) or [b""] for words in word_lists]
    if not sets:
        return ()
    hashes = MinHash.bulk(sets, num_perm=settings.num_perm, seed=settings.seed)
    return tuple(LeanMinHash(h) for h in hashes)
