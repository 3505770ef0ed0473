"""The fact matrix of independently written coverage against facts annotated by hand.

``eval/gold/independent_facts.json`` holds eleven ECB+ stories (three documents of one
sub-topic each) and the 66 facts at least two of their documents state, as the sentences
that state them (ids and sentence numbers only). Each story's documents go through the
whole product (``pipeline.analyse_articles``, the story fixed to the three documents), and
the facts it reports are compared with the gold:

- pairs: two sentences of different documents in one reported fact, against the pairs of
  sentences of different documents that state one gold fact (precision, recall);
- shared facts found: the gold facts that some reported fact carries in two or more of
  their documents (a gold sentence of each);
- outlets per shared fact: for those found, the share of their documents the reported fact
  names (the digest cites every outlet that states a fact only if the matrix has them all).

The documents' sentences are joined as paragraphs; the product splits them again, and a
reported sentence counts as the gold sentence its first character falls in.
"""

from __future__ import annotations

import bisect
import json
from itertools import combinations
from pathlib import Path
from typing import Any

from manysides.model import Article
from manysides.nlp import Models
from manysides.pipeline import analyse_articles
from manysides.settings import load_settings

from .common import dataset, read_jsonl

GOLD = Path(__file__).parent / "gold" / "independent_facts.json"
SEPARATOR = "\n\n"

Sentence = tuple[str, int]


def evaluate(models: Models | None = None) -> dict[str, Any] | None:
    folder = dataset("ecbplus")
    if folder is None:
        return None
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    docs = {str(d["id"]): d for d in read_jsonl(folder / "ecbplus_docs.jsonl")}
    settings = load_settings()
    models = models or Models(settings)
    tp = predicted = gold_pairs = found = shared = 0
    coverage: list[float] = []
    per_story = {}
    for story in gold["stories"]:
        ids = [str(i) for i in story["documents"]]
        articles, starts = [], {}
        for i in ids:
            texts = [s["text"] for s in docs[i]["sentences"]]
            article = Article.from_sentences(i, texts, separator=SEPARATOR, source=f"{i}.txt")
            articles.append(article)
            starts[i] = [s.start for s in article.sentences]
        report = analyse_articles(
            articles,
            [],
            settings=settings,
            models=models,
            progress=lambda _stage: None,
            groups=[(story["subtopic"], ids, {})],
        )
        by_id = {a.id: a for a in report.articles}

        reported = [
            {_gold_index(by_id[e.article_id], e.sentence, starts[e.article_id]) for e in f.evidence}
            for f in report.facts
        ]
        facts = [{(str(d), int(k)) for d, k in f["sentences"]} for f in story["facts"]]
        want = {tuple(sorted(p)) for f in facts for p in combinations(f, 2) if p[0][0] != p[1][0]}
        got = {tuple(sorted(p)) for f in reported for p in combinations(f, 2) if p[0][0] != p[1][0]}
        tp += len(want & got)
        predicted += len(got)
        gold_pairs += len(want)
        hits = 0
        for f in facts:
            documents = {d for d, _ in f}
            best = max((len({d for d, _ in f & r}) for r in reported), default=0)
            shared += 1
            if best >= 2:
                found += 1
                hits += 1
                coverage.append(best / len(documents))
        per_story[story["subtopic"]] = f"{hits}/{len(facts)}"
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold_pairs if gold_pairs else 0.0
    return {
        "stories": len(gold["stories"]),
        "facts": shared,
        "pairs": {"gold": gold_pairs, "reported": predicted, "precision": precision, "recall": recall},
        "shared_found": found / shared if shared else 0.0,
        "outlets_per_found_fact": sum(coverage) / len(coverage) if coverage else 0.0,
        "per_story": per_story,
    }


def _gold_index(article: Article, sentence: int, starts: list[int]) -> Sentence:
    """The gold sentence a reported sentence of ``article`` starts in."""
    start = article.sentences[sentence].start
    return article.id, max(0, bisect.bisect_right(starts, start) - 1)
