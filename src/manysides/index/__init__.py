"""Stage 5, index: MinHash signatures and embeddings for sentences and articles.

The index is a class because it holds state that later stages query: clustering reads
article signatures and vectors, comparison reads sentence signatures and vectors.

Cost decides what is computed when. Up front, for every article: MinHash signatures, the
cheap features that story clustering and alignment blocking need. One embedding of each
article's lead (title and first sentences) only when clustering asks for it (dense
features). Sentence embeddings on demand, once per sentence, for the sentences a later
stage asks about (the reuse stage: the sentences of multi-article stories); a collection
gives the vectors it stored and keeps the new ones (``new_vectors``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash

from ..model import Article
from ..nlp import Models
from ..settings import Settings
from .text import lead_text, match_key, shingles, tokens

__all__ = ["CorpusIndex", "build_index", "match_key", "shingles", "tokens"]


class CorpusIndex:
    """Signatures and vectors of a set of articles; rows follow the articles' order."""

    def __init__(
        self,
        articles: Sequence[Article],
        models: Models,
        vectors: Mapping[tuple[str, int], np.ndarray] | None = None,
        actions: Mapping[str, tuple[tuple[int, str], ...]] | None = None,
    ) -> None:
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
        self._article_vectors: np.ndarray | None = None
        self._lead_vectors: np.ndarray | None = None
        self._sentence_vectors: dict[tuple[str, int], np.ndarray] = dict(vectors or {})
        self._multilingual: dict[tuple[str, int], np.ndarray] = {}
        self._actions: dict[str, tuple[tuple[int, str], ...]] = dict(actions or {})
        self.computed: set[tuple[str, int]] = set()
        #: The articles' languages, when they are more than one: what needs the multilingual encoder.
        self.languages = frozenset(a.language for a in articles if a.language)

    @property
    def multilingual(self) -> bool:
        """Whether the articles are in more than one language."""
        return len(self.languages) > 1

    @property
    def lead_vectors(self) -> np.ndarray:
        """The multilingual encoder's embedding of each article's lead (cross-language stories)."""
        if self._lead_vectors is None:
            texts = [lead_text(a.title, a.text) for a in self._articles.values()]
            self._lead_vectors = half_precision(self._models.embed_multilingual(texts))
        return self._lead_vectors

    def multilingual_vectors(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """``sentence_vectors`` in the multilingual encoder's space: sentences of articles in
        different languages are compared there (their own language's model cannot)."""
        found, _ = self._embedded(keys, self._multilingual, self._models.embed_multilingual)
        return found

    @property
    def article_vectors(self) -> np.ndarray:
        """One embedding of each article's lead, computed on first use: only clustering with
        dense features reads it (the default clusters on words and names)."""
        if self._article_vectors is None:
            self._article_vectors = self._models.embed([lead_text(a.title, a.text) for a in self._articles.values()])
        return self._article_vectors

    def claim_vectors(self, claims: Sequence[tuple[str, int, int, str]]) -> list[np.ndarray]:
        """Vectors of claims inside sentences (article, sentence, claim position, text;
        ``reuse.claims``), embedded once in one batch and kept with the sentence vectors
        under negative indices (``claim_row``), so a collection stores them too and a
        story analysed from stored features needs no model."""
        keys = [(aid, claim_row(i, c)) for aid, i, c, _ in claims]
        text_of = {key: text for key, (*_, text) in zip(keys, claims, strict=True)}
        found, todo = self._embedded(keys, self._sentence_vectors, self._models.embed, text_of.__getitem__)
        self.computed.update(todo)
        return [found[k] for k in keys]

    def action_words(self, spans: Sequence[tuple[str, int, int]]) -> list[frozenset[str]]:
        """The action words (``annotate.action_words``) inside each (article id, start, end)
        span of its text: from the articles' stored features, else tagged here once per article."""
        from ..annotate import action_words

        todo = sorted({aid for aid, _, _ in spans} - set(self._actions))
        if todo:
            self._actions.update(action_words([self._articles[aid] for aid in todo], self._models))
        out = []
        for aid, start, end in spans:
            words = self._actions[aid]
            lo = bisect.bisect_left(words, (start, ""))
            hi = bisect.bisect_left(words, (end, ""))
            out.append(frozenset(lemma for _, lemma in words[lo:hi]))
        return out

    def sentence_vectors(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """Unit vectors of the given (article id, sentence index) pairs, each embedded once.

        Callers ask for all they need at once, so that the model sees one batch. Vectors are
        rounded to float16 precision, as a collection stores them, so that a story analysed
        from stored vectors gives the same bytes as one analysed from scratch.
        """
        found, todo = self._embedded(keys, self._sentence_vectors, self._models.embed)
        self.computed.update(todo)
        return found

    def _embedded(
        self,
        keys: Iterable[tuple[str, int]],
        store: dict[tuple[str, int], np.ndarray],
        embed: Callable[[list[str]], np.ndarray],
        text: Callable[[tuple[str, int]], str] | None = None,
    ) -> tuple[dict[tuple[str, int], np.ndarray], list[tuple[str, int]]]:
        """The vectors of ``keys`` from ``store``, the missing ones embedded in one batch (and
        kept, rounded through float16); also returns the keys that were embedded. ``text``:
        a key's text (default: the sentence it names)."""
        wanted = sorted(set(keys))
        todo = [k for k in wanted if k not in store]
        if todo:
            read = text or (lambda key: self._articles[key[0]].sentences[key[1]].text)
            vectors = half_precision(embed([read(k) for k in todo]))
            store.update(zip(todo, vectors, strict=True))
        return {k: store[k] for k in wanted}, todo

    def new_vectors(self) -> dict[tuple[str, int], np.ndarray]:
        """The sentence vectors this index computed (not given to it): what a cache should keep."""
        return {k: self._sentence_vectors[k] for k in sorted(self.computed)}


#: Claims a sentence's vectors are kept for (``claim_row``); later ones are not read.
MAX_CLAIMS = 16


def claim_row(sentence: int, claim: int) -> int:
    """Where claim ``claim`` of sentence ``sentence`` is kept among an article's sentence
    vectors: a negative index, apart from every sentence's."""
    return -(1 + sentence * MAX_CLAIMS + claim)


def half_precision(vectors: np.ndarray) -> np.ndarray:
    """Vectors rounded through float16, as a collection stores them (lengths stay within 1e-3
    of 1); float16 -> float32 -> float16 is exact, so stored and fresh vectors are equal."""
    return np.asarray(vectors, dtype=np.float32).astype(np.float16).astype(np.float32)


def build_index(
    articles: Sequence[Article],
    models: Models,
    vectors: Mapping[tuple[str, int], np.ndarray] | None = None,
    actions: Mapping[str, tuple[tuple[int, str], ...]] | None = None,
) -> CorpusIndex:
    return CorpusIndex(articles, models, vectors, actions)


def _minhashes(word_lists: list[list[str]], n: int, settings: Settings) -> tuple[LeanMinHash, ...]:
    from datasketch import LeanMinHash, MinHash  # imported here: datasketch pulls in scipy (0.35 s)

    sets = [sorted(shingles(words, n)) or [b""] for words in word_lists]
    if not sets:
        return ()
    hashes = MinHash.bulk(sets, num_perm=settings.num_perm, seed=settings.seed)
    return tuple(LeanMinHash(h) for h in hashes)
