"""Story clustering on ECB+: BCubed and ARI of document clusters against sub-topic and topic.

The threshold is the product's (manysides.cluster.STORY_SIMILARITY); it was not tuned on
ECB+. Issue "Stories" replaces this with incremental clustering and cross-validated
thresholds.
"""

from __future__ import annotations

from typing import Any

from sklearn.metrics import adjusted_rand_score

from manysides.annotate import annotate
from manysides.clean import clean
from manysides.cluster import cluster
from manysides.index import build_index
from manysides.model import RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.segment import segment
from manysides.settings import load_settings

from .common import bcubed, dataset, read_jsonl


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
    stories = cluster(articles, build_index(articles, models))
    label = {aid: k for k, s in enumerate(stories) for aid in s.article_ids}
    predicted = [label[str(d["id"])] for d in docs]
    out: dict[str, Any] = {"documents": len(docs), "clusters": len(stories)}
    for level in ("subtopic", "topic"):
        gold = [d[level] for d in docs]
        p, r, f = bcubed(predicted, gold)
        out[level] = {"bcubed_p": p, "bcubed_r": r, "bcubed_f1": f, "ari": adjusted_rand_score(gold, predicted)}
    return out
