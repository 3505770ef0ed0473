"""Quote extraction and speakers on PolNeAR (news articles with gold source/cue/content spans).

Run on the dev split (rules were written looking at train only). Each article's text is
used as is (no cleaning), so predicted offsets are offsets into the gold text.

- Quotes in quote marks: gold attributions whose content holds quote marks, against
  predicted direct, partial and block quotes. Indirect: the other gold attributions
  against predicted indirect quotes.
- Overlap matching: a predicted and a gold span match when their overlap covers at least
  half of the shorter one. Precision counts a prediction correct when it matches any gold
  attribution (a quote inside a longer attributed clause is still right); recall counts
  gold spans of the category that some prediction matches.
- Speaker accuracy: over matched gold quotes in quote marks, the predicted speaker words
  overlap the gold source span (both absent counts as right). The speaker model
  (``quotes/speakers.py``) is fitted on the train split (``eval.fit_speakers``). Its 95 %
  interval resamples the articles (``common.bootstrap``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from manysides.annotate import annotate
from manysides.model import Article
from manysides.nlp import Models
from manysides.quotes.extract import QuoteFind, candidate_sentences, extract, parse
from manysides.segment import split_sentences
from manysides.settings import load_settings

from .common import bootstrap, dataset, read_jsonl

Span = tuple[int, int]


def evaluate(models: Models | None = None, split: str = "dev") -> dict[str, Any] | None:
    folder = dataset("polnear")
    if folder is None:
        return None
    models = models or Models(load_settings())
    counts = {"quoted": [0, 0, 0, 0], "indirect": [0, 0, 0, 0]}  # tp pred, pred, tp gold, gold
    speakers = [0, 0]
    per_article: list[tuple[int, int]] = []  # (right, scored) of each article, for the interval
    docs = list(read_jsonl(folder / f"polnear_{split}.jsonl"))
    for d in docs:
        text = d["text"]
        article = Article(
            id=d["id"],
            source=d["id"],
            outlet=None,
            url=None,
            title=None,
            published=None,
            language="en",
            byline=(),
            credits=(),
            text=text,
            sentences=split_sentences(text, models),
        )
        [article] = annotate([article], models)  # named-entity mentions, as the features stage gives them
        found = extract(article, parse(models.parser, article, candidate_sentences(article)))
        gold = _gold(d)
        before = tuple(speakers)
        for name, quoted in (("quoted", True), ("indirect", False)):
            c = counts[name]
            predicted = [f for f in found if (f.kind != "indirect") == quoted]
            c[0] += sum(1 for f in predicted if any(_match((f.start, f.end), g[0]) for g in gold))
            c[1] += len(predicted)
            for content, source, has_marks in gold:
                if has_marks != quoted:
                    continue
                c[3] += 1
                hits = [f for f in found if _match((f.start, f.end), content)]
                if not hits:
                    continue
                c[2] += 1
                if quoted:
                    speakers[1] += 1
                    speakers[0] += _speaker_right(hits[0], source)
        per_article.append((speakers[0] - before[0], speakers[1] - before[1]))
    out: dict[str, Any] = {"articles": len(docs), "split": split}
    for name, (tp_p, n_p, tp_g, n_g) in counts.items():
        p, r = tp_p / max(n_p, 1), tp_g / max(n_g, 1)
        out[name] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "gold": n_g}
    out["speaker_accuracy"] = speakers[0] / max(speakers[1], 1)
    out["speaker_scored"] = speakers[1]
    # Articles resampled, not quotes: one article's quotes share a writer and a style.
    out["speaker_interval"] = bootstrap(per_article, _accuracy)
    return out


def _accuracy(articles: Sequence[tuple[int, int]]) -> float:
    """Right over scored, pooled over (right, scored) per article."""
    return sum(r for r, _ in articles) / max(sum(n for _, n in articles), 1)


def _gold(d: dict[str, Any]) -> list[tuple[Span, Span | None, bool]]:
    out = []
    for a in d["attributions"]:
        content = (a.get("content") or {}).get("spans")
        if not content:
            continue
        source = (a.get("source") or {}).get("spans")
        out.append(
            ((content[0][0], content[-1][1]), (source[0][0], source[-1][1]) if source else None, a["has_quote_marks"])
        )
    return out


def _match(a: Span, b: Span) -> bool:
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return overlap > 0 and overlap >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def _speaker_right(found: QuoteFind, source: Span | None) -> bool:
    if source is None or found.speaker is None:
        return source is None and found.speaker is None
    return min(found.speaker[1], source[1]) > max(found.speaker[0], source[0])
