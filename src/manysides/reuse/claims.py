"""Claims: what independently written reports state in common inside longer sentences.

Two outlets that write a story in their own words rarely write the same sentence: one
states a fact as a clause of a longer sentence ("More than 50 firefighters tackled the
blaze at the store, which broke out on the roof at about 2045 GMT"), another in a
sentence of its own ("It broke out in the roof at around 9pm on Friday"). The sentence
pair decision (``align._score``) reads whole sentences and misses them.

Here a sentence is split into claims at clause boundaries (``CLAUSE_BREAK``: a semicolon,
a dash, a comma before a conjunction, relative pronoun or participle of reporting), each
claim of ``MIN_CLAIM_WORDS`` words or more is embedded, and two sentences of different
articles are linked when a claim of one and a claim of the other are close in meaning
(cosine at least ``align.claim_cosine``) and share who, where, what and how many: the
Jaccard overlap of their anchors (capitalised words, figures, number words and rare words)
at least ``align.claim_anchors``. Requiring the sentence pair decision on the two claims
instead kept almost none (ECB+ recall 0.135 -> 0.142); cosine and any shared anchor alone
merged different statements of one event (same-fact precision on the hand gold 0.81 ->
0.67). The link (``SentenceLink.claim``) joins the two sentences in one fact of the fact
matrix; it is not evidence of copying: the reuse stage and word choice ignore it.

Two clauses that do not state one fact may still speak of one happening: an event link
(``SentenceLink.event``, also a claim) when they are at least ``align.action_cosine`` close,
share a capitalised name or a figure, and share at least ``align.action_words`` action
words (lemmas of verbs and nouns other than stop words and reporting verbs, read by
spaCy's tagger when the article is first processed: ``annotate.action_words``), compared
by their Snowball stems, so that a verb meets its noun ("kill" / "killing", "shoot" /
"shooting", which the lemmatizer keeps apart). "Police arrested two men in Alderton" and
"Relatives of the men arrested in Alderton say ..." share "arrest", "man" and the town.
The fact matrix never joins them in one fact; it shows each as what the other outlet says
about the same happening (``Fact.related``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from ..index import MAX_CLAIMS, CorpusIndex
from ..index.text import NUMBER_WORDS, tokens
from ..model import Article, SentenceLink
from ..settings import AlignSettings

#: Where a sentence divides into claims.
CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s+[—–-]{1,2}\s+|,\s+(?=(?:and|but|while|whereas|which|who|after|before|as|although|though|when|where"
    r"|because|since|saying|adding|according|following|forcing|leaving|killing|injuring|making|smashing)\b)",
)
#: A claim needs this many words (shorter pieces are phrases, not statements).
MIN_CLAIM_WORDS = 4
ANCHOR = re.compile(r"\b(?:[A-Z][\w'’-]+|\d[\d.,]*)")
#: A word rarer than this (Zipf, wordfreq) says what the claim is about ("suspicious",
#: "firefighters", "injured"); commoner words ("said", "people", "year") do not.
ANCHOR_ZIPF = 4.5


def split_claims(sentence: str) -> list[str]:
    """The sentence's claims: its clauses of ``MIN_CLAIM_WORDS`` words or more (the whole
    sentence when it does not divide)."""
    parts = [p.strip(" ,") for p in CLAUSE_BREAK.split(sentence)]
    claims = [p for p in parts if len(p.split()) >= MIN_CLAIM_WORDS]
    return claims if len(claims) >= 2 else [sentence]


def _named(text: str) -> set[str]:
    """Who, where and how many: capitalised words (not the first word) and figures."""
    found = [m.group().lower().rstrip(".,") for m in ANCHOR.finditer(text)]
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    return {a for a in found if a and a != first}


def _anchors(text: str, named: set[str]) -> set[str]:
    """Who, where, what and how many: the text's ``named`` words (``_named``), number words
    and rare content words."""
    from ..cluster.features import _content, _zipf

    out = set(named)
    for word in tokens(text):
        if word in NUMBER_WORDS or (_content(word) and _zipf(word, "en") < ANCHOR_ZIPF):
            out.add(word)
    return out


def claim_links(
    members: Sequence[Article],
    index: CorpusIndex,
    rows: Sequence[tuple[int, int]],
    linked: set[tuple[int, int, int, int]],
    params: AlignSettings,
) -> list[SentenceLink]:
    """Links between sentences of different members that share a claim or speak of one
    happening (and are not linked already); ``rows`` are the (member, sentence) pairs
    alignment reads, in one language."""
    owners: list[tuple[int, int]] = []
    texts: list[str] = []
    spans: list[tuple[str, int, int]] = []  # each claim's span of its article's text
    parts: list[tuple[str, int, int, str]] = []  # claims of sentences that divide
    for k, i in rows:
        sentence = members[k].sentences[i]
        claims = split_claims(sentence.text)[:MAX_CLAIMS]
        at = 0
        for c, claim in enumerate(claims):
            owners.append((k, i))
            texts.append(claim)
            found = sentence.text.find(claim, at)
            start = sentence.start + max(found, 0)
            at = max(found, 0) + len(claim)
            spans.append((members[k].id, start, start + len(claim)))
            if len(claims) > 1:
                parts.append((members[k].id, i, c, claim))
    if len(texts) < 2:
        return []
    # A sentence that does not divide is its own claim: its vector is the sentence's.
    divided = {(aid, i) for aid, i, _, _ in parts}
    sentences = index.sentence_vectors((members[k].id, i) for k, i in owners if (members[k].id, i) not in divided)
    claimed = iter(index.claim_vectors(parts))
    vectors = np.vstack(
        [next(claimed) if (members[k].id, i) in divided else sentences[members[k].id, i] for k, i in owners]
    ).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    names = [_named(t) for t in texts]
    anchors = [_anchors(t, n) for t, n in zip(texts, names, strict=True)]
    # Candidate pairs: one fact (claim thresholds), or perhaps one happening (action words decide).
    chosen: list[tuple[tuple[int, int, int, int], int, int, float, bool]] = []
    for x, y, cosine in _close_pairs(vectors, min(params.claim_cosine, params.action_cosine)):
        (k, i), (m, j) = owners[x], owners[y]
        if k == m or members[k].in_other_language(members[m]) or not anchors[x] & anchors[y]:
            continue
        key = (k, i, m, j) if k < m else (m, j, k, i)
        if key in linked:
            continue
        overlap = len(anchors[x] & anchors[y]) / len(anchors[x] | anchors[y])
        if cosine >= params.claim_cosine and overlap >= params.claim_anchors:
            chosen.append((key, x, y, cosine, True))
        elif cosine >= params.action_cosine and names[x] & names[y]:
            chosen.append((key, x, y, cosine, False))
    need = sorted({z for _, x, y, _, fact in chosen if not fact for z in (x, y)})
    words = dict(zip(need, (_stems(w) for w in index.action_words([spans[z] for z in need])), strict=True))
    # A sentence pair keeps its strongest tier (one fact over one happening), then its highest cosine.
    best: dict[tuple[int, int, int, int], tuple[bool, float]] = {}
    for key, x, y, cosine, fact in chosen:
        if fact or len(words[x] & words[y]) >= params.action_words:
            best[key] = max(best.get(key, (False, 0.0)), (fact, cosine))
    out = []
    for (k, i, m, j), (fact, cosine) in sorted(best.items()):
        key_a, key_b = index.sentence_keys[members[k].id][i], index.sentence_keys[members[m].id][j]
        score = fuzz.ratio(key_a, key_b) / 100.0
        # Ordered after every sentence link (``SentenceLink.strength``), by cosine.
        link = SentenceLink(k, i, m, j, "paraphrase", score, cosine, None, claim=True, cap=params.near_verbatim)
        out.append(link if fact else replace(link, event=True))
    return out


def _stems(lemmas: frozenset[str]) -> frozenset[str]:
    """Action words by stem: the lemmatizer keeps a noun and its verb apart ("killing" /
    "kill"); the stem joins them. On ECB+ (``eval.fit_claims``, 2026-12-03) stems rather than
    lemmas raise the folds' recall 0.338 / 0.357 -> 0.343 / 0.360 at precision 0.956 / 0.927
    -> 0.956 / 0.925 (event links alone 0.948 / 0.913); clustering lemmas by their MiniLM
    vectors instead (cosine 0.85) gave the same recall and needs a model at story time."""
    return frozenset(_stem(w) for w in lemmas)


_STEMMING = threading.Lock()


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    # A Snowball stemmer keeps its word in the instance: one thread at a time.
    with _STEMMING:
        return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


#: Rows of the cosine matrix computed at once: memory stays rows x claims, not claims^2.
BLOCK = 1024


def _close_pairs(vectors: np.ndarray, floor: float) -> list[tuple[int, int, float]]:
    """(x, y, cosine) of every pair x < y of unit rows at ``floor`` or above, block by block."""
    out = []
    for start in range(0, len(vectors), BLOCK):
        block = vectors[start : start + BLOCK] @ vectors.T
        xs, ys = np.nonzero(block >= floor)
        pairs = zip(xs.tolist(), ys.tolist(), strict=True)
        out += [(start + x, y, float(block[x, y])) for x, y in pairs if y > start + x]
    return out
