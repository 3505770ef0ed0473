"""Sentence alignment on ECB+: are sentences that report the same event aligned?

For each sub-topic (one real event, 5-20 documents), the coreference-annotated sentences
of its documents are aligned exactly as the product aligns a story
(``manysides.reuse.align``). Gold: two sentences of different documents that hold
mentions of one cross-document *event* chain (ACTION_* mentions). Scored over pairs of
annotated sentences: precision of the aligned pairs, recall of the gold pairs.

Sentences sharing an event chain often say different things about it ("the quake
struck at dawn" / "rescuers searched the rubble of the quake"), so recall here is a lower
bound for "same fact" alignment; precision is the figure to watch (an aligned pair that
shares no event is a wrong link in the fact matrix). Nothing is tuned on this set.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

from manysides.index import CorpusIndex
from manysides.model import Article
from manysides.nlp import Models
from manysides.reuse import align
from manysides.settings import load_settings

from .common import dataset, read_jsonl


def evaluate(models: Models | None = None) -> dict[str, Any] | None:
    folder = dataset("ecbplus")
    if folder is None:
        return None
    docs = list(read_jsonl(folder / "ecbplus_docs.jsonl"))
    models = models or Models(load_settings())
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
    tp = predicted = gold_total = all_pairs = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for subtopic in sorted(by_subtopic):
        members = [by_id[str(d["id"])] for d in sorted(by_subtopic[subtopic], key=lambda d: str(d["id"]))]
        sentences = [(a.id, s.i) for a in members for s in a.sentences]
        gold = {
            (x, y)
            for x, y in combinations(sentences, 2)
            if x[0] != y[0] and events.get(x, set()) & events.get(y, set())
        }
        gold_total += len(gold)
        all_pairs += sum(1 for x, y in combinations(sentences, 2) if x[0] != y[0])
        for link in align(members, index):
            pair = ((members[link.a].id, link.i), (members[link.b].id, link.j))
            hit = pair in gold or (pair[1], pair[0]) in gold
            predicted += 1
            tp += hit
            by_kind[link.kind][0] += hit
            by_kind[link.kind][1] += 1
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "subtopics": len(by_subtopic),
        "sentences": sum(len(a.sentences) for a in articles),
        "gold_pairs": gold_total,
        "aligned_pairs": predicted,
        "precision": precision,
        "base_rate": gold_total / all_pairs if all_pairs else 0.0,
        "recall": recall,
        "f1": f1,
        "precision_by_kind": {k: (hit / n, n) for k, (hit, n) in sorted(by_kind.items())},
    }


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
