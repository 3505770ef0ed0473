"""Worker processes give the same per-article features as the parent alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from bench.corpus import synthetic_stream

from conftest import EXAMPLE
from manysides.features import compute
from manysides.model import Article
from manysides.nlp import Models
from manysides.settings import load_settings
from manysides.workers import map_chunks


def _double(factor: int, chunk: list[int]) -> list[int]:
    return [factor * x for x in chunk]


def test_workers_map_chunks_keeps_order_across_processes() -> None:
    items = list(range(100))
    assert map_chunks(_double, 3, items, processes=2) == [3 * x for x in items]
    assert map_chunks(_double, 3, items, processes=1) == [3 * x for x in items]
    assert map_chunks(_double, 3, [], processes=2) == []


@pytest.mark.slow
def test_workers_features_are_the_same_with_two_processes(models: Models) -> None:
    texts = [item["text"] for item in synthetic_stream(40, EXAMPLE, seed=5)]
    articles = [Article.from_sentences(f"w{k}", t.split("\n"), separator="\n\n") for k, t in enumerate(texts)]
    articles = [replace(a, sentences=(), language=None) for a in articles]  # as cleaning leaves them
    one = compute(articles, Models(load_settings(env={}, spacy_processes=1)), "v")
    two = compute(articles, Models(load_settings(env={}, spacy_processes=2)), "v")
    assert one == two
    assert sum(len(f.mentions) for f in one) > 40 and sum(len(f.quotes) for f in one) > 10


def test_workers_cleaning_and_story_features_are_the_same_with_two_processes(tmp_path: Path) -> None:
    from manysides.clean import clean_corpus
    from manysides.model import RawDocument
    from manysides.outlets import default_registry
    from manysides.store import Collection

    docs = [RawDocument(source=p.name, content=p.read_text(), format="text") for p in sorted(EXAMPLE.glob("*.txt"))]
    docs += [
        RawDocument(source=f"s{k}.txt", content=item["text"], format="text")
        for k, item in enumerate(synthetic_stream(60, EXAMPLE, seed=9))
    ]
    one = clean_corpus(docs, default_registry(), processes=1)
    two = clean_corpus(docs, default_registry(), processes=2)
    assert one == two and sum(len(p) for p in one) > 60
    articles = [a for pieces in one for a in pieces]
    with (
        Collection(f"sqlite:///{tmp_path / 'a.db'}", workers=1) as single,
        Collection(f"sqlite:///{tmp_path / 'b.db'}", workers=2) as double,
    ):
        assert double.processes(len(articles)) == 2
        assert [f.word_keys.tolist() for f in single._features(articles, None)] == [
            f.word_keys.tolist() for f in double._features(articles, None)
        ]
