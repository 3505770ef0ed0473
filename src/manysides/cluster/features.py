"""What story clustering knows of an article: cheap features, computed once, stored with it.

- ``words``: the article's content words and pairs of adjacent content words, weighted
  by sub-linear term frequency times an inverse frequency taken from ``wordfreq``'s
  English word frequencies (a fixed prior, so
  an article's vector never changes as the collection grows and the order of arrival does
  not matter), unit length, hashed to 32-bit keys.
- ``names``: capitalised phrases ("Wladimir Klitschko", "Qeshm Island"), a cheap stand-in
  for named entities (spaCy's NER costs ~0.1 s per article; this costs microseconds),
  weighted by their rarest word, and the figures the article gives ("23", "5.6"); unit
  length.
- ``years``: four-digit years mentioned (1950-2029): two reports of "the" earthquake
  that mention different years are about different earthquakes; ``published_year``
  counts only against (a report of 2009 and one that speaks only of 2012).
- ``vector``: optional, the MiniLM embedding of the article's lead (title and first
  sentences), unit length.
- ``language`` and ``lead``: the article's language (ISO 639-1, "" when unknown) and the
  multilingual encoder's embedding of its lead (``embedding.MultilingualEmbedder``, stored
  as float16): what links two articles in different languages, whose words cannot be
  compared (``engine.StoryIndex``). Words are weighted by ``wordfreq``'s frequencies in
  the article's own language; names (any script's capitals) are transliterated to ASCII
  (``anyascii``: Кулеба, Kułeba -> kuleba), so they match across scripts and languages.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from anyascii import anyascii
from wordfreq import available_languages, zipf_frequency

from ..index.text import UPPER_CLASS


def _stop_words() -> frozenset[str]:
    text = (resources.files("manysides") / "data" / "stopwords_en.txt").read_text(encoding="utf-8")
    return frozenset(w for w in text.split("\n") if w and not w.startswith("#"))


#: scikit-learn's English stop words (data/stopwords_en.txt says where they come from).
ENGLISH_STOP_WORDS = _stop_words()

WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")
NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|de|la|the|van|von|al|bin|du|der)?\s*[A-Z][\w'’.-]*)*")
#: Names in an article in another language than English: capitals of every script.
NAME_ANY = re.compile(
    rf"\b{UPPER_CLASS}[\w'’.-]*(?:[^\S\n]+(?:of|de|del|della|di|da|do|dos|la|le|el|the|van|von|al|bin|du|der|den)?"
    rf"[^\S\n]*{UPPER_CLASS}[\w'’.-]*)*"
)
#: Languages whose own word frequencies weigh their words (the rest: English's). wordfreq
#: reads Chinese, Japanese and Korean only through tokenizers it does not install (jieba,
#: MeCab): their words get English frequencies (none: every word weighs alike).
WORDFREQ_LANGUAGES = frozenset(available_languages()) - {"zh", "ja", "ko"}
#: In another language than English, a word at least this frequent (Zipf) is a stop word: a
#: Zipf of 5.5 is about one word in 3,000 (French: de, la, et, est, pour, dans, ...; 150-300
#: words a language), the reach of scikit-learn's English list.
STOP_ZIPF = 5.5
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-2]\d)\b")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?!\w)")
#: Weight of a number ("23 pirates", "magnitude 5.6") in the names vector: two reports of
#: two earthquakes differ in their figures. Raised ECB+ sub-topic BCubed F1 from 0.917 to
#: 0.924 in the cross-validation at threshold 0.45 (weight 3: 0.917, 5: 0.924; 2026-11-24).
NUMBER_WEIGHT = 5.0
#: Zipf frequency range used for weights: a word as frequent as "the" (~7.7) gets the
#: weight of 7; one never seen by wordfreq (names, typos) gets the weight of 1.
ZIPF_FLOOR, ZIPF_CEIL, ZIPF_TOP = 1.0, 7.0, 8.0
#: Weight of a pair of adjacent content words ("direct confrontation") relative to the mean
#: of its two words' weights. Bigrams raised ECB+ sub-topic BCubed F1 by ~0.01-0.02 in the
#: 5-fold cross-validation over topics (0.934 -> 0.953 at threshold 0.35); 0.7 set by hand.
BIGRAM_WEIGHT = 0.7
#: Words per article kept (the heaviest); a long article's tail adds little and costs.
MAX_TERMS = 400


@dataclass(frozen=True)
class Features:
    """Sparse vectors as sorted hash keys with float32 weights; ``vector`` may be empty."""

    word_keys: np.ndarray
    word_weights: np.ndarray
    name_keys: np.ndarray
    name_weights: np.ndarray
    years: frozenset[int]
    vector: np.ndarray
    language: str = ""
    lead: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    #: The year the article was published (0: unknown). Kept apart from ``years``: two reports
    #: of one year do not agree because of it, but a report of 2009 and one that speaks of 2012
    #: only disagree.
    published_year: int = 0

    @property
    def has_vector(self) -> bool:
        return bool(self.vector.size)

    @property
    def has_lead(self) -> bool:
        return bool(self.lead.size)


def story_features(
    title: str | None,
    text: str,
    vector: np.ndarray | None = None,
    *,
    language: str | None = None,
    lead: np.ndarray | None = None,
    published: str | None = None,
) -> Features:
    """An article's features; ``language`` (default English) picks its word frequencies,
    ``lead`` is its multilingual lead embedding (``lead_text``), when known; ``published``
    gives ``published_year``."""
    lang = language or "en"
    body = f"{title}\n{text}" if title else text
    terms = Terms.of(body, lang)
    word_weights, name_weights = terms.weights(lang)
    wk, ww = _sparse(word_weights)
    nk, nw = _sparse(name_weights)
    years = frozenset(int(y) for y in YEAR.findall(body))
    stated = YEAR.fullmatch((published or "")[:4])
    published_year = int(stated.group()) if stated else 0
    vec = np.zeros(0, dtype=np.float32) if vector is None else np.asarray(vector, dtype=np.float32)
    first = np.zeros(0, dtype=np.float32) if lead is None else np.asarray(lead, dtype=np.float32)
    return Features(wk, ww, nk, nw, years, vec, "" if language is None else language, first, published_year)


@dataclass(frozen=True)
class Terms:
    """Raw counts of a text's content words and pairs of them (``words``) and of its names
    and figures (``names``, figures keyed ``#23``), with each name's weight as written:
    what ``story_features`` weighs. Terms of consecutive lines add up (``+``), so a page's
    blocks of lines are compared without re-reading them (``clean.split``)."""

    words: Counter[str]
    names: Counter[str]
    name_weight: dict[str, float]

    @classmethod
    def of(cls, body: str, language: str = "en") -> Terms:
        tokens = [w.lower() for w in WORD.findall(body)]
        content = [_content(w, language) for w in tokens]
        words = Counter(w for w, keep in zip(tokens, content, strict=True) if keep)
        words.update(f"{tokens[i]} {tokens[i + 1]}" for i in range(len(tokens) - 1) if content[i] and content[i + 1])
        names: Counter[str] = Counter()
        weight_of: dict[str, float] = {}
        for m in (NAME if language == "en" else NAME_ANY).finditer(body):
            name = " ".join(m.group().strip(" .'’-").lower().split())
            if len(name) > 1 and name not in ENGLISH_STOP_WORDS and _content(name, language):
                key = " ".join(transliterate(name).split())
                if key:
                    names[key] += 1
                    # Weighed as written (José's rarity, not jose's): transliterating changes the key only.
                    weight_of[key] = max(weight_of.get(key, 0.0), max(_weight(w, "en") for w in name.split()))
        for number in NUMBER.findall(body):
            number = number.replace(",", "")
            if not YEAR.fullmatch(number) and number not in ("0", "1", "2"):
                names["#" + number] += 1
                weight_of["#" + number] = NUMBER_WEIGHT
        return cls(words, names, weight_of)

    def __add__(self, other: Terms) -> Terms:
        weight = dict(self.name_weight)
        for k, w in other.name_weight.items():
            weight[k] = max(weight.get(k, 0.0), w)
        return Terms(self.words + other.words, self.names + other.names, weight)

    def weights(self, language: str = "en") -> tuple[dict[str, float], dict[str, float]]:
        """Words and names weighted by sub-linear term frequency times rarity (not normalised)."""
        words = {term: (1.0 + math.log(c)) * term_weight(term, language) for term, c in self.words.items()}
        names = {n: (1.0 + math.log(c)) * self.name_weight[n] for n, c in self.names.items()}
        return words, names


def term_weight(term: str, language: str = "en") -> float:
    """A word's weight (rarity), or a pair's: ``BIGRAM_WEIGHT`` times its words' mean."""
    if " " in term:
        a, b = term.split(" ", 1)
        return BIGRAM_WEIGHT * (_weight(a, language) + _weight(b, language)) / 2
    return _weight(term, language)


def transliterate(name: str) -> str:
    """A name in ASCII, lower-case (``anyascii``): Кулеба -> kuleba, Kułeba -> kuleba."""
    return anyascii(name).lower() if not name.isascii() else name


def sparse_dot(keys_a: np.ndarray, weights_a: np.ndarray, keys_b: np.ndarray, weights_b: np.ndarray) -> float:
    _, ia, ib = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    return float(weights_a[ia] @ weights_b[ib]) if len(ia) else 0.0


def _content(word: str, language: str = "en") -> bool:
    if len(word) <= 1 or word in ENGLISH_STOP_WORDS:
        return False
    return language == "en" or language not in WORDFREQ_LANGUAGES or _zipf(word, language) < STOP_ZIPF


@lru_cache(maxsize=200_000)
def _zipf(word: str, language: str) -> float:
    return float(zipf_frequency(word, language if language in WORDFREQ_LANGUAGES else "en"))


def _weight(word: str, language: str = "en") -> float:
    return ZIPF_TOP - min(max(_zipf(word, language), ZIPF_FLOOR), ZIPF_CEIL)


def _key(term: str) -> int:
    return zlib.crc32(term.encode("utf-8"))


def _sparse(weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    if not weights:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    merged: dict[int, float] = {}
    for term, w in top:
        k = _key(term)
        merged[k] = merged.get(k, 0.0) + w
    keys = np.fromiter(sorted(merged), dtype=np.uint32, count=len(merged))
    vals = np.array([merged[int(k)] for k in keys], dtype=np.float32)
    norm = float(np.linalg.norm(vals))
    return keys, (vals / norm if norm else vals).astype(np.float32)


def to_bytes(f: Features) -> bytes:
    """Features as stored in a collection: four counts, then the arrays, little-endian; then
    the lead's length, the lead as float16 and the language (absent from older rows). The
    publication year is stored negated among the years (older rows have none)."""
    years = np.array(sorted(f.years) + ([-f.published_year] if f.published_year else []), dtype="<i2")
    head = np.array([len(f.word_keys), len(f.name_keys), len(years), len(f.vector)], dtype="<u4")
    parts = (head, f.word_keys.astype("<u4"), f.word_weights.astype("<f4"), f.name_keys.astype("<u4"))
    rest = (f.name_weights.astype("<f4"), years, f.vector.astype("<f4"))
    tail = (np.array([len(f.lead)], dtype="<u4"), f.lead.astype("<f2"))
    return b"".join(a.tobytes() for a in (*parts, *rest, *tail)) + f.language.encode("utf-8")


def from_bytes(data: bytes) -> Features:
    nw, nn, ny, nv = (int(x) for x in np.frombuffer(data, dtype="<u4", count=4))
    pos = 16
    out = []
    for count, dtype in ((nw, "<u4"), (nw, "<f4"), (nn, "<u4"), (nn, "<f4"), (ny, "<i2"), (nv, "<f4")):
        out.append(np.frombuffer(data, dtype=dtype, count=count, offset=pos))
        pos += count * np.dtype(dtype).itemsize
    wk, ww, nk, nwt, years, vector = out
    lead, language = np.zeros(0, dtype=np.float32), ""
    if len(data) >= pos + 4:
        (n_lead,) = (int(x) for x in np.frombuffer(data, dtype="<u4", count=1, offset=pos))
        pos += 4
        lead = np.frombuffer(data, dtype="<f2", count=n_lead, offset=pos).astype(np.float32)
        language = data[pos + 2 * n_lead :].decode("utf-8")
    return Features(
        wk.astype(np.uint32),
        ww.astype(np.float32),
        nk.astype(np.uint32),
        nwt.astype(np.float32),
        frozenset(int(y) for y in years if y > 0),
        vector.astype(np.float32),
        language,
        lead,
        next((-int(y) for y in years if y < 0), 0),
    )
