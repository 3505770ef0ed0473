"""Main-text extraction from raw news HTML, scored like the article-extraction benchmark.

Method (scrapinghub/article-extraction-benchmark, re-implemented): word 4-gram shingles of
the gold and the predicted article body; per page, precision = shared / predicted and
recall = shared / gold (multiset counts); precision and recall are averaged over pages and
F1 is computed from the two means. The stored outputs of trafilatura (and the other
extractors) in baseline_outputs.json are scored with the same code in the same run.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from manysides.clean import clean
from manysides.model import RawDocument
from manysides.outlets import default_registry

from .common import bootstrap, dataset, read_jsonl

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = TOKEN.findall(text.lower())
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def page_scores(predicted: str, gold: str) -> tuple[float, float]:
    p, g = shingles(predicted), shingles(gold)
    shared = sum((p & g).values())
    if not p and not g:
        return 1.0, 1.0
    precision = shared / sum(p.values()) if p else 0.0
    recall = shared / sum(g.values()) if g else 0.0
    return precision, recall


def score(outputs: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    return summary([page_scores(outputs.get(k, ""), body) for k, body in gold.items()])


def summary(pairs: Sequence[tuple[float, float]]) -> dict[str, float]:
    """The benchmark's figures from (precision, recall) per page."""
    precision, recall, f1 = mean_f1(pairs)
    return {"precision": precision, "recall": recall, "f1": f1, "pages": len(pairs)}


def mean_f1(pairs: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Mean precision and recall over pages, and the F1 of the two means (the benchmark's)."""
    precision = sum(p for p, _ in pairs) / len(pairs)
    recall = sum(r for _, r in pairs) / len(pairs)
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def manysides_text(html: str, url: str | None) -> str:
    doc = RawDocument(source="page.html", content=html, format="html", hints={"url": url} if url else {})
    return "\n\n".join(a.text for a in clean(doc, default_registry()))


def evaluate(extract: Callable[[str, str | None], str] = manysides_text) -> dict[str, Any] | None:
    folder = dataset("html_extraction")
    if folder is None:
        return None
    records = list(read_jsonl(folder / "ground_truth.jsonl"))
    gold = {r["id"]: r["article_body"] for r in records}
    ours = {}
    for r in records:
        html = gzip.decompress((folder / r["html_file"]).read_bytes()).decode("utf-8", errors="replace")
        ours[r["id"]] = extract(html, r.get("url"))
    baselines = json.loads((folder / "baseline_outputs.json").read_text(encoding="utf-8"))
    pages = [page_scores(ours.get(k, ""), body) for k, body in gold.items()]
    out: dict[str, Any] = {"manysides": summary(pages) | {"f1_interval": bootstrap(pages, lambda ps: mean_f1(ps)[2])}}
    for name, outputs in sorted(baselines.items()):
        out[name] = score({k: v or "" for k, v in outputs.items()}, gold)
    trafilatura = {k: v or "" for k, v in baselines.get("trafilatura", {}).items()}
    return {"systems": out, "against_trafilatura": against(ours, trafilatura, gold)}


#: Folds of the public pages (by a hash of the page id, fixed): how the gap to trafilatura
#: varies over subsets of pages like those held back.
FOLDS = 5


def against(ours: dict[str, str], theirs: dict[str, str], gold: dict[str, str]) -> dict[str, Any]:
    """manysides against trafilatura's stored output, page by page and fold by fold: the
    F1 gap per fold (mean, lowest, spread), the folds where manysides is behind, and the
    pages each one wins by more than 0.05 F1."""
    import hashlib
    import statistics

    # Each page scored once for each system: (ours, theirs) of (precision, recall).
    paired = {k: (page_scores(ours.get(k, ""), b), page_scores(theirs.get(k, ""), b)) for k, b in gold.items()}

    def gap(pages: Sequence[tuple[tuple[float, float], tuple[float, float]]]) -> float:
        return mean_f1([o for o, _ in pages])[2] - mean_f1([t for _, t in pages])[2]

    folds: list[list[str]] = [[] for _ in range(FOLDS)]
    for k in sorted(gold):
        folds[int(hashlib.sha256(k.encode()).hexdigest(), 16) % FOLDS].append(k)
    gaps = [gap([paired[k] for k in fold]) for fold in folds if fold]
    per_page = {k: gap([pages]) for k, pages in paired.items()}
    # The gap with pages resampled together for both systems (a paired bootstrap).
    gap_interval = bootstrap(list(paired.values()), gap)
    return {
        "fold_gaps": [round(g, 4) for g in gaps],
        "mean_gap": round(statistics.mean(gaps), 4),
        "lowest_gap": round(min(gaps), 4),
        "spread": round(statistics.pstdev(gaps), 4),
        "folds_behind": sum(g < 0 for g in gaps),
        "pages_won": sum(d > 0.05 for d in per_page.values()),
        "pages_lost": sum(d < -0.05 for d in per_page.values()),
        "gap_interval": (round(gap_interval[0], 4), round(gap_interval[1], 4)),
    }
