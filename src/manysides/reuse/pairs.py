"""Do two sentences say the same thing? The pair decision behind ``paraphrase`` links.

A logistic regression over lexical overlap and the MiniLM cosine, trained on sentence
pairs from different outlets labelled paraphrase or not (the coefficients and where they
were fitted are in ``data/paraphrase.toml``; ``python -m eval.fit_paraphrase`` refits
them). Lexical features alone miss rewordings ("cheated ... disbanded" / "deceived ...
dissolved"); the cosine alone merges related but different statements; numbers that
differ are the commonest tell of a different statement in news.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
from rapidfuzz import fuzz

from ..index.text import FUNCTION_WORDS
from ..maths import logistic

#: The features, in the order of the coefficients in ``data/paraphrase.toml``.
FEATURES = (
    "cosine",
    "ratio",
    "token_set_ratio",
    "token_sort_ratio",
    "unigram_min",
    "unigram_max",
    "bigram_min",
    "bigram_max",
    "trigram_min",
    "trigram_max",
    "content_jaccard",
    "numbers_differ",
    "numbers_symdiff",
    "length_difference",
)

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class PairModel:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    provenance: str


def pair_features(key_a: str, key_b: str, text_a: str, text_b: str, cosine: float) -> np.ndarray:
    """Features of a sentence pair: match keys (``index.text.match_key``), raw texts (for
    numbers) and the cosine of their unit embeddings."""
    wa, wb = key_a.split(), key_b.split()
    out = [
        cosine,
        fuzz.ratio(key_a, key_b) / 100.0,
        fuzz.token_set_ratio(key_a, key_b) / 100.0,
        fuzz.token_sort_ratio(key_a, key_b) / 100.0,
    ]
    for n in (1, 2, 3):
        a, b = _ngrams(wa, n), _ngrams(wb, n)
        shared = len(a & b)
        out += [shared / max(1, min(len(a), len(b))), shared / max(1, max(len(a), len(b)))]
    ca, cb = {w for w in wa if w not in FUNCTION_WORDS}, {w for w in wb if w not in FUNCTION_WORDS}
    out.append(len(ca & cb) / max(1, len(ca | cb)))
    na, nb = set(NUMBER.findall(text_a)), set(NUMBER.findall(text_b))
    out.append(1.0 if na != nb else 0.0)
    out.append(len(na ^ nb) / max(1, len(na | nb)))
    out.append(abs(len(wa) - len(wb)) / max(1, len(wa), len(wb)))
    return np.asarray(out, dtype=np.float64)


def paraphrase_probability(features: np.ndarray, model: PairModel | None = None) -> float:
    model = model or load_pair_model()
    z = float(np.dot(np.asarray(model.coef), features)) + model.intercept
    return float(logistic(z))


def is_paraphrase(probability: float, model: PairModel | None = None) -> bool:
    return probability >= (model or load_pair_model()).threshold


@lru_cache(maxsize=1)
def load_pair_model() -> PairModel:
    data = tomllib.loads(files("manysides").joinpath("data/paraphrase.toml").read_text("utf-8"))
    coef = data["coef"]
    if tuple(coef) != FEATURES:
        raise ValueError(
            "data/paraphrase.toml does not list the features pairs.FEATURES computes; "
            "refit it with `python -m eval.fit_paraphrase`"
        )
    return PairModel(
        features=FEATURES,
        coef=tuple(float(coef[f]) for f in FEATURES),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        provenance=str(data["provenance"]),
    )


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
