"""Story clustering on ECB+: BCubed and ARI of document clusters against sub-topic and topic.

Two figures: the product's threshold (manysides.cluster.STORY_SIMILARITY, set on the seeds,
not on ECB+), and a 5-fold cross-validation over topics in which the threshold is chosen
on four fifths of the topics and scored on the fifth it never saw. Issue "Stories"
replaces the method with incremental clustering.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

from manysides.annotate import annotate
from manysides.clean import clean
from manysides.cluster import STORY_SIMILARITY, average_link_labels, cluster, similarity
from manysides.index import build_index
from manysides.model import RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.segment import segment
from manysides.settings import load_settings

from .common import bcubed, dataset, read_jsonl

GRID = [round(0.25 + 0.025 * k, 3) for k in range(17)]  # 0.25 .. 0.65
FOLDS = 5


def evaluate(models: Models | None = None) -> dict[str, Any] | None:
    folder = dataset("ecbplus")
    if folder is None:
        return None
    docs = list(read_jsonl(folder / "ecbplus_docs.jsonl"))
    raws = [
        RawDocument(
            source=f"{d['id']}.txt",
            content="\n".join(s["text"] for s in d["sentences"]),
            format="text",
            hints={"id": d["id"]},
        )
        for d in docs
    ]
    models = models or Models(load_settings())
    articles = [a for r in raws for a in clean(r, default_registry())]
    articles = annotate(segment(articles, models), models)
    index = build_index(articles, models)
    stories = cluster(articles, index)
    label = {aid: k for k, s in enumerate(stories) for aid in s.article_ids}
    predicted = [label[str(d["id"])] for d in docs]
    out: dict[str, Any] = {"documents": len(docs), "clusters": len(stories), "threshold": STORY_SIMILARITY}
    for level in ("subtopic", "topic"):
        gold = [d[level] for d in docs]
        p, r, f = bcubed(predicted, gold)
        out[level] = {"bcubed_p": p, "bcubed_r": r, "bcubed_f1": f, "ari": adjusted_rand_score(gold, predicted)}
    out["cv"] = cross_validate(similarity(articles, index), [d["topic"] for d in docs], [d["subtopic"] for d in docs])
    return out


def cross_validate(sim: np.ndarray, topics: list[Any], subtopics: list[str]) -> dict[str, Any]:
    """Threshold chosen on the other folds' topics, scored on each held-out fold's topics."""
    order = sorted(set(topics))
    folds = [set(order[k::FOLDS]) for k in range(FOLDS)]
    predicted: dict[int, str] = {}
    chosen = []
    for k, held_out in enumerate(folds):
        train = [i for i, t in enumerate(topics) if t not in held_out]
        test = [i for i, t in enumerate(topics) if t in held_out]
        train_gold = [subtopics[i] for i in train]
        best = max(GRID, key=lambda t: bcubed(list(average_link_labels(sim[np.ix_(train, train)], t)), train_gold)[2])
        chosen.append(best)
        for i, lab in zip(test, average_link_labels(sim[np.ix_(test, test)], best), strict=True):
            predicted[i] = f"{k}-{lab}"
    labels = [predicted[i] for i in range(len(topics))]
    p, r, f = bcubed(labels, subtopics)
    return {"thresholds": chosen, "bcubed_p": p, "bcubed_r": r, "bcubed_f1": f}
