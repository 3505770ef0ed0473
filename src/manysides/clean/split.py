"""Page splitting: one scraped page can hold several articles.

A new piece starts at
1. a separator line or a "RELATED" section marker (what follows is another piece: a live
   blog, a related story), and
2. a wire dateline ("BRUSSELS, April 4 (Reuters) -") once the current piece already has
   body text; the headline just above the dateline opens the new piece with it.

3. a headline-like line that opens another story (``story_breaks``): a headline and a
   subhead look alike ("AN AUSTERE BIRTHDAY"), so the line must also be far, in words and
   names, from everything before it and near what follows it, with names new to the page
   after it, or a date line or byline right after it; and it has a second story's shape:
   a lede under it that says when ("In a rare call on Wednesday, ..."), a finished
   sentence above it, a headline's length. A logistic model over those
   measures (``data/splits.toml``, fitted by ``python -m eval.fit_splits`` on the lines
   the cleaner keeps of pages built from ECB+ and PolNeAR) decides, at a threshold
   chosen by cross-validation for no false split of a one-story page: a false split cuts
   an article in two, which is worse than a missed one. A second story appended without
   a headline of its own ("It comes as Finland extends ...") is not found: a model
   of the same kind over every body paragraph, with MiniLM block similarities added, cut
   under 0.07 of such pages at the join at no false split of a one-story page (5-fold CV,
   2026-12-01), so none is shipped.
4. a change of language that lasts (``language_breaks``): a page in two languages holds
   two articles.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from . import metadata as md
from .rules import headline_like

#: Widget lines that open a section of other content.
SECTION_MARKERS = frozenset({"related", "related stories", "related articles", "more on this story"})
#: Body lines a piece needs before a dateline can start another piece, and to be one.
MIN_BODY_LINES = 2
#: A live-blog entry's time stamp: "4:40 p.m.:", "11 a.m.", "10:30".
TIMESTAMP = re.compile(r"^\d{1,2}([:.]\s?\d{2})?\s*([ap]\.?\s?m\.?)?\s*:?$", re.IGNORECASE)


def split_page(lines: Sequence[str], reasons: Sequence[str | None], is_body: Callable[[str], bool]) -> list[range]:
    """Consecutive line ranges, one per piece (a page with one article gives one range)."""
    starts = [0]
    body = 0
    for i, (line, reason) in enumerate(zip(lines, reasons, strict=True)):
        if reason is None and is_body(line):
            body += 1
        if _section_break(line, reason) and body >= MIN_BODY_LINES:
            starts.append(i)
            body = 0
        elif reason is None and md.DATELINE.match(line) and body > MIN_BODY_LINES:
            starts.append(_headline_above(lines, reasons, i))
            body = 1
    starts += story_breaks(lines, reasons)
    starts += language_breaks(lines, reasons, is_body)
    starts = _substantial(sorted(set(starts)), lines, reasons, is_body)
    return [range(a, b) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _substantial(
    starts: list[int], lines: Sequence[str], reasons: Sequence[str | None], is_body: Callable[[str], bool]
) -> list[int]:
    """Keep only boundaries that open a real article: one that starts with a live-blog
    timestamp ("4:40 p.m.:") continues the blog, and a piece with fewer than MIN_BODY_LINES
    body lines (a trailing "More on this story" block, an "Online:" link list) stays with
    the piece before it."""
    kept = [starts[0]]
    for k, start in enumerate(starts[1:], start=1):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        piece = [i for i in range(start, end) if reasons[i] is None]
        body = sum(1 for i in piece if is_body(lines[i]))
        if body >= MIN_BODY_LINES and not (piece and TIMESTAMP.match(lines[piece[0]])):
            kept.append(start)
    return kept


def _section_break(line: str, reason: str | None) -> bool:
    if reason == "separator":
        return True
    return reason == "widget" and line.lower().rstrip(":").strip() in SECTION_MARKERS


def _headline_above(lines: Sequence[str], reasons: Sequence[str | None], i: int) -> int:
    """The kept headline just above line i (removed lines between are skipped), else i."""
    j = i - 1
    while j >= 0 and reasons[j] is not None:
        j -= 1
    return j if j >= 0 and headline_like(lines[j]) else i


# -- a change of language ------------------------------------------------------------------

#: Body lines read together to tell a line's language (one line, full of names, is often
#: misread: "Northrop Grumman y EADS, matriz de Airbus, ..." scores Spanish at 0.35).
LANGUAGE_WINDOW = 3
#: A window's language counts from this normalised probability (py3langid); a run of
#: another language must hold LANGUAGE_RUN body lines and LANGUAGE_CHARS characters to open
#: a piece of its own (a quoted sentence in another language does not).
LANGUAGE_CONFIDENCE, LANGUAGE_RUN, LANGUAGE_CHARS = 0.95, 3, 300
#: A pair of lines in a second language from this probability makes the page worth reading
#: line by line (lower than LANGUAGE_CONFIDENCE: a false alarm costs time, not a split).
LANGUAGE_HINT = 0.5


def language_breaks(lines: Sequence[str], reasons: Sequence[str | None], is_body: Callable[[str], bool]) -> list[int]:
    """Where a page switches language for good (an English story, then a Spanish one; a
    bilingual page): the first body line of each run of another language, or the headline
    just above it. Each line is read with the body lines around it (``LANGUAGE_WINDOW``)."""
    body = [i for i, (line, reason) in enumerate(zip(lines, reasons, strict=True)) if reason is None and is_body(line)]
    if len(body) < 2 * LANGUAGE_RUN:
        return []
    identify = _identifier()
    # Most pages are in one language: pairs of body lines (any run of LANGUAGE_RUN lines holds
    # one whole pair), read once each, say so at a third of the cost of the windows below.
    pairs = (" ".join(lines[i] for i in body[k : k + 2]) for k in range(0, len(body), 2))
    if len({lang for lang, p in map(identify.classify, pairs) if p >= LANGUAGE_HINT}) < 2:
        return []
    labels: list[str | None] = []
    for k in range(len(body)):
        window = body[max(0, k - LANGUAGE_WINDOW // 2) : k + LANGUAGE_WINDOW // 2 + 1]
        lang, p = identify.classify(" ".join(lines[i] for i in window))
        labels.append(str(lang) if p >= LANGUAGE_CONFIDENCE else None)
    runs: list[tuple[str, int, int]] = []  # (language, first body index, last)
    for k, lang in enumerate(labels):
        if lang is None:
            continue
        if runs and runs[-1][0] == lang:
            runs[-1] = (lang, runs[-1][1], k)
        else:
            runs.append((lang, k, k))

    def solid(run: tuple[str, int, int]) -> bool:
        _, a, b = run
        return b - a + 1 >= LANGUAGE_RUN and sum(len(lines[body[k]]) for k in range(a, b + 1)) >= LANGUAGE_CHARS

    kept = [r for r in runs if solid(r)]
    out = []
    for before, after in itertools.pairwise(kept):
        if before[0] != after[0]:
            # Windows straddle the change: between the two runs, each line is read alone and
            # the cut goes where the most lines fall on the side of their own language.
            first = _switch(
                lines, [body[k] for k in range(before[2] - 1, after[1] + 2) if 0 <= k < len(body)], before[0], after[0]
            )
            out.append(_headline_above(lines, reasons, first))
    return out


def _switch(lines: Sequence[str], span: list[int], old: str, new: str) -> int:
    """The line of ``span`` (line indices) from which the text is in ``new`` rather than ``old``."""
    identify = _identifier()
    votes = []
    for i in span:
        ranked = dict(identify.rank(lines[i]))
        votes.append(1 if ranked.get(new, 0.0) > ranked.get(old, 0.0) else -1)
    # Cut before position c: lines before it should vote old (-1), lines from it new (+1).
    best = max(range(1, len(span)), key=lambda c: (sum(-v for v in votes[:c]) + sum(votes[c:]), -c))
    return span[best]


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's model with normalised probabilities (its module-level ``classify`` gives
    unnormalised log scores)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


# -- a headline that opens another story ------------------------------------------------

#: Kept lines a page needs before a headline, and from the headline on, for it to open a
#: second story (as ``eval.fit_splits`` builds its candidates).
BREAK_BEFORE, BREAK_AFTER = 4, 3
#: Lines on each side of a candidate that its local similarity reads.
LOCAL = 4
#: Headlines of one page that are read as candidates (a page of a hundred is a list).
MAX_BREAK_CANDIDATES = 32
BREAK_FEATURES = (
    "words",
    "names",
    "words_all",
    "names_all",
    "head_before",
    "head_after",
    "new_names",
    "dated",
    "lede_when",
    "after_end",
    "head_words",
)
#: A news lede says when: a weekday, "today", "last night", a month and day ("In a rare
#: call on Wednesday, ..."); a subhead's next paragraph goes on with the story it is in.
LEDE_WHEN = re.compile(
    r"\b(?:"
    + "|".join(sorted(md.WEEKDAYS))
    + r"|today|yesterday|tonight|this (?:morning|afternoon|evening|week)|last (?:night|week|month))\b"
    r"|\b(?:"
    + "|".join(sorted((m for m in md.MONTHS if len(m) > 2 and m.isalpha()), key=len, reverse=True))
    + r")\.? \d{1,2}\b",
    re.IGNORECASE,
)
#: The words of a lede read for ``LEDE_WHEN``.
LEDE_WORDS = 25
#: A line that ends a sentence or a quote: the paragraph above a headline is complete.
ENDS_SENTENCE = re.compile(r"[.!?\"”’)]\s*$")
#: Headline words counted, at most (``head_words`` is their share of it).
HEAD_WORDS = 20
#: Lines the cleaner removed as an article's metadata: one of them between a headline and
#: the next kept line ("Fire at Waitrose may have been arson" / "10:24 AM, MON 22 JUL
#: 2013") is how a page opens another article; a subhead has none (``dated``).
DATED_REASONS = frozenset({"date line", "byline", "credit"})


@dataclass(frozen=True)
class BreakModel:
    """``data/splits.toml``: coefficients over ``BREAK_FEATURES`` and the threshold."""

    intercept: float
    coefficients: tuple[float, ...]
    threshold: float
    provenance: str

    def probability(self, values: np.ndarray) -> np.ndarray:
        """One probability per row of ``values`` (candidates x ``BREAK_FEATURES``)."""
        rows = np.asarray(values, dtype=np.float64).reshape(-1, len(BREAK_FEATURES))
        return np.asarray(1.0 / (1.0 + np.exp(-(self.intercept + rows @ np.array(self.coefficients)))))


@lru_cache(maxsize=1)
def break_model() -> BreakModel:
    raw = tomllib.loads((resources.files("manysides") / "data" / "splits.toml").read_text(encoding="utf-8"))
    coef = raw["coefficients"]
    return BreakModel(
        float(raw["intercept"]),
        tuple(float(coef[k]) for k in BREAK_FEATURES),
        float(raw["threshold"]),
        str(raw["provenance"]),
    )


def break_candidates(text: Sequence[str]) -> list[int]:
    """Headline-like kept lines (indices into ``text``) with enough lines around them and
    prose in the lines after them (a list's lines are headline-like one after another), at
    most ``MAX_BREAK_CANDIDATES``."""
    return [
        k
        for k in range(BREAK_BEFORE, len(text) - BREAK_AFTER)
        if headline_like(text[k]) and not all(headline_like(t) for t in text[k + 1 : k + 1 + BREAK_AFTER])
    ][:MAX_BREAK_CANDIDATES]


def story_breaks(lines: Sequence[str], reasons: Sequence[str | None]) -> list[int]:
    """Where another story opens (line indices): at each kept headline-like line whose
    ``BREAK_FEATURES`` the fitted model (``data/splits.toml``) accepts (the first of two in
    a row: a headline and its deck open one story), or at the date line
    or byline the cleaner removed right above it ("10:24 AM, MON 22 JUL 2013" over "Fire at
    Waitrose may have been arson"): the new story's own."""
    kept = [i for i, r in enumerate(reasons) if r is None]
    text = [lines[i] for i in kept]
    ks = break_candidates(text)
    if not ks:
        return []
    model = break_model()
    p = model.probability(break_features(text, ks, dated_after(reasons, kept, ks)))
    accepted = {k for k, q in zip(ks, p.tolist(), strict=True) if q >= model.threshold}
    starts = []
    decks = {k + 1 for k in accepted}  # the line under an accepted headline is its deck
    for k in sorted(accepted - decks):
        start = kept[k]
        while start - 1 > kept[k - 1] and reasons[start - 1] in DATED_REASONS:
            start -= 1
        starts.append(start)
    return starts


def dated_after(reasons: Sequence[str | None], kept: Sequence[int], ks: Sequence[int]) -> list[bool]:
    """For each candidate ``ks`` (indices into the kept lines ``kept``): whether a line
    removed as metadata (``DATED_REASONS``) stands between it and the next kept line."""
    return [any(reasons[j] in DATED_REASONS for j in range(kept[k] + 1, kept[k + 1])) for k in ks]


def break_features(text: Sequence[str], ks: Sequence[int], dated: Sequence[bool]) -> np.ndarray:
    """``BREAK_FEATURES`` of lines ``ks`` of a page's kept lines (one row each): word and
    name cosines (weighted as the story features weigh them) of the ``LOCAL`` lines just
    before and just after the line, of all before and all after it, of the line itself with
    all before and with the few after, the weight of names after it that nothing before it
    names, ``dated`` (a date line or byline removed right after it, ``dated_after``), and
    the shape of a page's second story (``_shape``): a lede that says when under it, a
    finished sentence above it, its length.
    Each line's terms are counted once; a block's are differences of running sums."""
    from ..cluster.features import Terms, term_weight  # the story stage's terms and weights, shared

    n = len(text)
    terms = [Terms.of(t) for t in text]
    word_col: dict[str, int] = {}
    name_col: dict[str, int] = {}
    for t in terms:
        for w in t.words:
            word_col.setdefault(w, len(word_col))
        for w in t.names:
            name_col.setdefault(w, len(name_col))
    words = np.zeros((n + 1, max(1, len(word_col))), dtype=np.float32)
    names = np.zeros((n + 1, max(1, len(name_col))), dtype=np.float32)
    name_weight = np.zeros(names.shape[1], dtype=np.float32)
    for i, t in enumerate(terms, start=1):
        for w, c in t.words.items():
            words[i, word_col[w]] = c
        for w, c in t.names.items():
            names[i, name_col[w]] = c
            name_weight[name_col[w]] = max(name_weight[name_col[w]], t.name_weight[w])
    word_weight = np.ones(words.shape[1], dtype=np.float32)
    for w, j in word_col.items():
        word_weight[j] = term_weight(w)
    running = (np.cumsum(words, axis=0), np.cumsum(names, axis=0))
    weight = (word_weight, name_weight)
    k = np.asarray(ks, dtype=np.int64)

    def block(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit rows: the words and names of lines a..b (one block per candidate)."""
        out = []
        for total, w in zip(running, weight, strict=True):
            c = total[np.clip(b, 0, n)] - total[np.clip(a, 0, n)]
            v = np.where(c > 0.5, (1.0 + np.log(np.maximum(c, 1.0))) * w, 0.0)
            norm = np.linalg.norm(v, axis=1, keepdims=True)
            out.append(v / np.where(norm > 0, norm, 1.0))
        return out[0], out[1]

    def cos(x: tuple[np.ndarray, np.ndarray], y: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return (x[0] * y[0]).sum(axis=1), (x[1] * y[1]).sum(axis=1)

    zero, end = np.zeros_like(k), np.full_like(k, n)
    before, after, head = block(zero, k), block(k, end), block(k, k + 1)
    local = cos(block(k - LOCAL, k), block(k, k + LOCAL))
    every = cos(before, after)
    head_before = sum(cos(head, before))
    head_after = sum(cos(head, block(k + 1, k + 1 + LOCAL)))
    later = block(k, k + LOCAL + 2)[1]
    known = running[1][k] > 0.5
    new_names = (np.where(known, 0.0, later) ** 2).sum(axis=1)
    flags = np.asarray(dated, dtype=np.float32)
    shape = np.array([_shape(text, int(i)) for i in ks], dtype=np.float32).reshape(-1, 3)
    return np.column_stack([local[0], local[1], every[0], every[1], head_before, head_after, new_names, flags, shape])


def _shape(text: Sequence[str], k: int) -> tuple[float, float, float]:
    """``lede_when``, ``after_end`` and ``head_words`` of line ``k``: whether the first
    paragraph under it (past a deck) says when (``LEDE_WHEN``), whether the line above it
    ends a sentence, and its length in words (a share of ``HEAD_WORDS``)."""
    j = k + 2 if k + 2 < len(text) and headline_like(text[k + 1]) else k + 1
    lede = " ".join(text[j].split()[:LEDE_WORDS])
    return (
        float(LEDE_WHEN.search(lede) is not None),
        float(ENDS_SENTENCE.search(text[k - 1]) is not None),
        min(len(text[k].split()), HEAD_WORDS) / HEAD_WORDS,
    )
