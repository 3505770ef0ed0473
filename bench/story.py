"""Alignment and fact-matrix cost of one story of 10, 50 and 200 articles.

    python -m bench.story [--sizes 10 50 200]

A story is made from real news text: half its articles are ECB+ documents of related
events (whole topics, in order), the other half rewrites of them the way reprints are
made: each keeps about 70% of a real article's sentences in order, some with words
dropped at the edges or a reporting verb swapped, plus two sentences of its own taken
from another document. So the story has copies, near copies and unrelated sentences in
realistic proportions. Falls back to the synthetic corpus without ../shared/data.

Timed separately: sentence embeddings (MiniLM, once per sentence, reused by every later
stage), action words (spaCy's tagger, once per article at ingest: stored features), and
alignment + reuse + fact matrix, the figure the issue asks for (< 10 s for 50 articles).
Printed per sentence too: it should stay nearly flat as the story grows. Beside it, the
same without shared claims and event links (``reuse/claims.py``, its clauses embedded on
the way), run first in the same process; and, once the clauses are embedded, claims without
event links against claims with them (what the event links add to a story's analysis).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench.corpus import ecb_articles, synthetic_articles
from manysides.annotate import action_words, detect_language
from manysides.clean import clean
from manysides.facts import story_facts
from manysides.index import CorpusIndex
from manysides.model import Article, RawDocument, Story
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.reuse import align, compare_story
from manysides.segment import segment
from manysides.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SWAPS = (("said", "stated"), ("says", "claims"), ("told", "informed"))


def story_texts(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    articles = ecb_articles() or synthetic_articles(n, ROOT / "examples" / "nato-2024-04-04")
    real = [a["text"] for a in articles]
    base = real[: (n + 1) // 2]
    out = list(base)
    while len(out) < n:
        src = rng.choice(base).split("\n")
        kept = [_edit(s, rng) for s in src if rng.random() < 0.7]
        own = rng.choice(real).split("\n")[:2]
        out.append("\n".join(kept + own))
    return out


def _edit(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    roll = rng.random()
    if roll < 0.2 and len(words) > 8:
        return " ".join(words[1:-1]) + "."
    if roll < 0.4:
        for a, b in SWAPS:
            sentence = sentence.replace(f" {a} ", f" {b} ")
    return sentence


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    args = parser.parse_args()
    models = Models(load_settings())
    models.sentencizer  # noqa: B018
    models.embed(["warm up"])
    run(models, args.sizes)


def run(models: Models, sizes: list[int]) -> None:
    print("One story: sentence alignment, reuse and fact matrix (bench/story.py says how it is made)")
    print(
        "story size | sentences | embed s | tag s | align+reuse+facts s | per 1k sentences | links | facts"
        " | the same without shared claims and event links s (ratio) | with claims, no event links s (ratio)"
    )
    settings = load_settings().align
    off = settings.model_copy(update={"claim_cosine": 1.01, "action_cosine": 1.01})
    claims_only = settings.model_copy(update={"action_cosine": 1.01})
    for n in sizes:
        members = _articles(story_texts(n), models)
        story = Story(id="bench", title=None, article_ids=tuple(a.id for a in members))
        sentences = sum(len(a.sentences) for a in members)
        t = time.perf_counter()
        actions = action_words(members, models)
        t0 = time.perf_counter()
        index = CorpusIndex(members, models, actions=actions)
        index.sentence_vectors((a.id, s.i) for a in members for s in a.sentences)
        t1 = time.perf_counter()
        without = story_facts(story, members, (w := align(members, index, off)), compare_story(story, members, w))
        t2 = time.perf_counter()
        links = align(members, index, settings)  # shared claims: their clauses embedded here
        reuse = compare_story(story, members, links)
        facts = story_facts(story, members, links, reuse)
        t3 = time.perf_counter()
        # Claims without event links, their clauses embedded already: then the full run again, alike.
        story_facts(story, members, (c := align(members, index, claims_only)), compare_story(story, members, c))
        t4 = time.perf_counter()
        story_facts(story, members, (c := align(members, index, settings)), compare_story(story, members, c))
        t5 = time.perf_counter()
        print(
            f"{n:>10} | {sentences:>9} | {t1 - t0:7.2f} | {t0 - t:5.2f} | {t3 - t2:19.2f}"
            f" | {1000 * (t3 - t2) / sentences:14.2f} s"
            f" | {len(links):>5} | {len(facts)} | {t2 - t1:.2f} ({(t3 - t2) / max(t2 - t1, 1e-9):.2f}x; "
            f"{len(without)} facts) | {t4 - t3:.2f} ({(t5 - t4) / max(t4 - t3, 1e-9):.2f}x)"
        )


def _articles(texts: list[str], models: Models) -> list[Article]:
    registry = default_registry()
    raws = [RawDocument(source=f"story{k:04d}.txt", content=t, format="text") for k, t in enumerate(texts)]
    # The language first, as the product's features stage does: action words are read in English.
    cleaned = [a for r in raws for a in clean(r, registry)]
    return segment([replace(a, language=a.language or detect_language(a.text)) for a in cleaned], models)


if __name__ == "__main__":
    main()
