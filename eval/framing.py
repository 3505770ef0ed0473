"""Loaded words (BABE) and word-choice contrasts (NewsWCL50).

BABE: word-level precision and recall of the loaded-word lexicon (``data/loaded.toml``)
against each sentence's annotated biased words, on the report split (one sentence in
five by hash of its id) and on all sentences. The lexicon is hand-curated from style
guides and was not fitted on BABE; but its author had seen BABE's most frequent biased
words before writing it, so read the figure as optimistic.

NewsWCL50: for each of the 10 events, its 5 articles (far left .. far right) are one
story; the framing stage runs on them (lexicon, a state named by its name, capital or
seat of government, aligned rewordings, and the descriptions each outlet gives a person or
group, from the pipeline's named entities linked across the five articles; no quotes, so
every term is "own" voice). A gold concept (a coreference chain) *varies* when its
mentions use different words across at least two outlets; it is *surfaced* when one of our
contrasts has two different terms each found in a mention of that chain from a different
outlet. Recall = surfaced / varying.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import Any

from manysides.annotate import annotate
from manysides.entities import link_entities
from manysides.framing import aligned_contrasts, lexicon_contrasts, loaded_in
from manysides.framing.descriptions import description_contrasts
from manysides.framing.metonyms import metonym_contrasts
from manysides.index import CorpusIndex
from manysides.index.text import match_key
from manysides.model import Article, Story, TermUse
from manysides.nlp import Models
from manysides.reuse import align
from manysides.settings import load_settings

from .common import dataset, read_jsonl


def evaluate_babe() -> dict[str, Any] | None:
    folder = dataset("babe")
    if folder is None:
        return None
    rows = list(read_jsonl(folder / "babe_sg2.jsonl"))
    report = [r for r in rows if int(hashlib.sha1(r["id"].encode()).hexdigest(), 16) % 5 == 0]
    return {"report_split": _word_scores(report), "all": _word_scores(rows)}


def _word_scores(rows: list[dict[str, Any]]) -> dict[str, float]:
    tp = predicted = gold = 0
    for r in rows:
        truth = {w for phrase in r["biased_words"] for w in re.findall(r"[\w'-]+", phrase.lower())}
        found = {w.lower().replace("’", "'") for w in loaded_in(r["text"])}
        tp += len(found & truth)
        predicted += len(found)
        gold += len(truth)
    p, rec = tp / max(predicted, 1), tp / max(gold, 1)
    return {"sentences": len(rows), "precision": p, "recall": rec, "f1": 2 * p * rec / (p + rec) if p + rec else 0.0}


def evaluate_newswcl(models: Models | None = None) -> dict[str, Any] | None:
    folder = dataset("newswcl50")
    if folder is None:
        return None
    docs = list(read_jsonl(folder / "newswcl50_articles.jsonl"))
    models = models or Models(load_settings())
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in docs:
        events[d["event_id"]].append(d)
    surfaced = varying = 0
    per_event = {}
    for event, group in sorted(events.items()):
        members = annotate([_article(d) for d in sorted(group, key=lambda d: d["id"])], models)
        story = Story(id=f"event{event}", title=None, article_ids=tuple(a.id for a in members))
        index = CorpusIndex(members, models)
        _, mention_entity = link_entities(members)
        contrasts = lexicon_contrasts(story, members, {}) + aligned_contrasts(story, members, align(members, index), {})
        contrasts += description_contrasts(story, members, {}, mention_entity)
        contrasts += metonym_contrasts(story, members, {})
        chains: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for d in group:
            for m in d["mentions"]:
                chains[m["chain"]][d["id"]].add(match_key(m["text"]))
        found = 0
        vary = [c for c in chains.values() if _varies(c)]
        for chain in vary:
            found += any(_surfaces(f.variants, chain) for f in contrasts)
        surfaced += found
        varying += len(vary)
        per_event[event] = (found, len(vary))
    return {
        "events": len(events),
        "varying": varying,
        "surfaced": surfaced,
        "recall": surfaced / max(varying, 1),
        "per_event": per_event,
    }


def _varies(chain: dict[str, set[str]]) -> bool:
    labels = {t for texts in chain.values() for t in texts}
    return len(chain) >= 2 and len(labels) >= 2


def _surfaces(variants: tuple[TermUse, ...], chain: dict[str, set[str]]) -> bool:
    hits: dict[str, set[str]] = defaultdict(set)  # term -> outlets whose mention holds it
    for v in variants:
        term = match_key(v.term)
        for outlet, texts in chain.items():
            if any(f" {term} " in f" {t} " for t in texts):
                hits[term].add(outlet)
    terms = [t for t, outlets in hits.items() if outlets]
    return any(hits[a] - hits[b] and hits[b] - hits[a] for a in terms for b in terms if a < b) or (
        len(terms) >= 2 and len(set().union(*hits.values())) >= 2
    )


def _article(d: dict[str, Any]) -> Article:
    return Article.from_sentences(d["id"], [s["text"] for s in d["sentences"]], outlet=d["publisher_code"])
