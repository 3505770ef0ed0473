"""Stage 5, index: MinHash signatures and embeddings for sentences and articles.

The index is a class because it holds arrays that later stages query (clustering reads
article vectors, comparison reads sentence signatures and vectors). Rows follow
``articles`` order; ``sentence_rows[k]`` is the slice of article k's sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash

from ..model import Article
from ..nlp import Models
from ..settings import Settings
from .text import match_key, shingles, tokens

__all__ = ["CorpusIndex", "build_index", "match_key", "shingles", "tokens"]


@dataclass(frozen=True, eq=False)
class CorpusIndex:
    article_ids: tuple[str, ...]
    sentence_rows: tuple[slice, ...]
    sentence_keys: tuple[str, ...]
    sentence_minhash: tuple[LeanMinHash, ...]
    article_minhash: tuple[LeanMinHash, ...]
    sentence_vectors: np.ndarray
    article_vectors: np.ndarray

    def row(self, article_id: str) -> int:
        return self.article_ids.index(article_id)


def build_index(articles: Sequence[Article], models: Models) -> CorpusIndex:
    settings = models.settings
    rows, keys, texts = [], [], []
    for a in articles:
        rows.append(slice(len(keys), len(keys) + len(a.sentences)))
        keys.extend(match_key(s.text) for s in a.sentences)
        texts.extend(s.text for s in a.sentences)
    sentence_vectors = models.embed(texts)
    return CorpusIndex(
        article_ids=tuple(a.id for a in articles),
        sentence_rows=tuple(rows),
        sentence_keys=tuple(keys),
        sentence_minhash=_minhashes([k.split() for k in keys], settings.sentence_shingle, settings),
        article_minhash=_minhashes([tokens(a.text) for a in articles], settings.article_shingle, settings),
        sentence_vectors=sentence_vectors,
        article_vectors=_article_vectors(sentence_vectors, rows),
    )


def _minhashes(word_lists: list[list[str]], n: int, settings: Settings) -> tuple[LeanMinHash, ...]:
    sets = [sorted(shingles(words, n)) or [b""] for words in word_lists]
    if not sets:
        return ()
    hashes = MinHash.bulk(sets, num_perm=settings.num_perm, seed=settings.seed)
    return tuple(LeanMinHash(h) for h in hashes)


def _article_vectors(sentence_vectors: np.ndarray, rows: list[slice]) -> np.ndarray:
    """Mean of an article's sentence vectors, back to unit length (zero for no sentences)."""
    dim = sentence_vectors.shape[1] if sentence_vectors.ndim == 2 else 384
    out = np.zeros((len(rows), dim), dtype=np.float32)
    for k, rows_k in enumerate(rows):
        if rows_k.stop > rows_k.start:
            v = sentence_vectors[rows_k].mean(axis=0)
            out[k] = v / (np.linalg.norm(v) or 1.0)
    return out
