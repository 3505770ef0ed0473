"""Sentence alignment on ECB+: are sentences that report the same event aligned?

For each sub-topic (one real event, 5-20 documents), the coreference-annotated sentences
of its documents are aligned exactly as the product aligns a story
(``manysides.reuse.align``). Gold: two sentences of different documents that hold
mentions of one cross-document *event* chain (ACTION_* mentions). Scored over pairs of
annotated sentences: precision of the aligned pairs, recall of the gold pairs.

Sentences sharing an event chain often say different things about it ("the quake
struck at dawn" / "rescuers searched the rubble of the quake"): what the product's event
links claim (``SentenceLink.event``: one happening, shown as a fact's related sentences).
Every link is scored, and apart the links that join sentences in one fact
(``fact_precision``, ``fact_recall``: a lower bound for "same fact" alignment). Precision is
the figure to watch (an aligned pair that shares no event is a wrong link). The claim and
event thresholds are chosen by ``eval.fit_claims`` on folds of this set by topic, the
hand-annotated stories left out.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

from manysides.index import CorpusIndex
from manysides.model import Article
from manysides.nlp import Models
from manysides.reuse import align
from manysides.settings import AlignSettings, load_settings

from .common import dataset, read_jsonl


def evaluate(
    models: Models | None = None, params: AlignSettings | None = None, skip: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """``params``: the alignment settings (default: as configured); ``skip``: sub-topics left out."""
    found = sweep(models, [params] if params is not None else None, skip)
    return found[0] if found else None


def sweep(
    models: Models | None = None, settings_list: list[AlignSettings] | None = None, skip: frozenset[str] = frozenset()
) -> list[dict[str, Any]] | None:
    """One result per alignment setting, the documents read and embedded once."""
    folder = dataset("ecbplus")
    if folder is None:
        return None
    docs = list(read_jsonl(folder / "ecbplus_docs.jsonl"))
    settings = load_settings()
    models = models or Models(settings)
    settings_list = settings_list or [settings.align]
    by_subtopic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in docs:
        by_subtopic[d["subtopic"]].append(d)
    articles, events = [], {}
    for d in docs:
        article, chains = _article(d)
        articles.append(article)
        events.update({(article.id, i): c for i, c in chains.items()})
    index = CorpusIndex(articles, models)
    by_id = {a.id: a for a in articles}
    counts = [[0, 0, 0, 0] for _ in settings_list]  # true, predicted; the same of links that join facts
    kinds: list[dict[str, list[int]]] = [defaultdict(lambda: [0, 0]) for _ in settings_list]
    gold_total = all_pairs = sentences_read = 0
    for subtopic in sorted(by_subtopic):
        if subtopic in skip:
            continue
        members = [by_id[str(d["id"])] for d in sorted(by_subtopic[subtopic], key=lambda d: str(d["id"]))]
        sentences = [(a.id, s.i) for a in members for s in a.sentences]
        sentences_read += len(sentences)
        gold = {
            (x, y)
            for x, y in combinations(sentences, 2)
            if x[0] != y[0] and events.get(x, set()) & events.get(y, set())
        }
        gold_total += len(gold)
        all_pairs += sum(1 for x, y in combinations(sentences, 2) if x[0] != y[0])
        for n, params in enumerate(settings_list):
            for link in align(members, index, params):
                pair = ((members[link.a].id, link.i), (members[link.b].id, link.j))
                hit = pair in gold or (pair[1], pair[0]) in gold
                counts[n][0] += hit
                counts[n][1] += 1
                if not link.event:
                    counts[n][2] += hit
                    counts[n][3] += 1
                kind = "event" if link.event else "claim" if link.claim else link.kind
                kinds[n][kind][0] += hit
                kinds[n][kind][1] += 1
    out = []
    for (tp, predicted, fact_tp, fact_predicted), by_kind in zip(counts, kinds, strict=True):
        precision = tp / predicted if predicted else 0.0
        recall = tp / gold_total if gold_total else 0.0
        out.append(
            {
                "subtopics": len(by_subtopic) - len(skip & set(by_subtopic)),
                "sentences": sentences_read,
                "gold_pairs": gold_total,
                "aligned_pairs": predicted,
                "precision": precision,
                "base_rate": gold_total / all_pairs if all_pairs else 0.0,
                "recall": recall,
                "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
                # The links that join sentences in one fact (event links only relate them).
                "fact_pairs": fact_predicted,
                "fact_precision": fact_tp / fact_predicted if fact_predicted else 0.0,
                "fact_recall": fact_tp / gold_total if gold_total else 0.0,
                "precision_by_kind": {k: (hit / n, n) for k, (hit, n) in sorted(by_kind.items())},
            }
        )
    return out


def _article(doc: dict[str, Any]) -> tuple[Article, dict[int, set[str]]]:
    """The document's annotated sentences as an article, and the event chains of each."""
    keep = sorted(set(doc["coref_annotated_sentences"]))
    texts = {s["sent"]: s["text"] for s in doc["sentences"]}
    chains = {
        n: {
            m["chain"]
            for m in doc["mentions"]
            if m["sent"] == sent
            and m["chain"]
            and m["tag"].startswith("ACTION")
            and m["chain_type"] == "CROSS_DOC_COREF"
        }
        for n, sent in enumerate(keep)
    }
    article = Article.from_sentences(str(doc["id"]), [texts[sent] for sent in keep], source=f"{doc['id']}.txt")
    return article, chains
