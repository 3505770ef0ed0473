"""Sentence alignment, reuse relations and the fact matrix on small hand-made stories."""

from __future__ import annotations

import importlib

import pytest

from manysides.facts import story_facts
from manysides.index import CorpusIndex
from manysides.model import Article, Report, Story
from manysides.nlp import Models
from manysides.pipeline import analyse_articles
from manysides.reuse import align, compare_story
from manysides.settings import AlignSettings

align_module = importlib.import_module("manysides.reuse.align")

pytestmark = [pytest.mark.slow]


def article(aid: str, outlet: str, sentences: list[str], published: str | None = None) -> Article:
    return Article.from_sentences(
        aid, sentences, separator=" ", source=f"{aid}.txt", outlet=outlet, published=published
    )


WIRE = [
    "The city council approved a budget of 12 million dollars for the new bridge on Monday.",
    "Construction of the bridge across the river is expected to start in the spring.",
    "The mayor said the bridge would cut commuting times for thousands of residents.",
    "Opponents argued that the money should have gone to schools and public housing.",
]


def story_of(*members: Article) -> Story:
    return Story(id="s1", title=None, article_ids=tuple(a.id for a in members))


def test_align_finds_a_sentence_split_in_two(models: Models) -> None:
    wire = article("w", "Wire", WIRE, "2024-01-01")
    joined = article(
        "j",
        "Joiner",
        [
            "The city council approved a budget of 12 million dollars for the new bridge on Monday, and "
            "construction of the bridge across the river is expected to start in the spring.",
        ],
        "2024-01-03",
    )
    members = [wire, joined]
    links = align(members, CorpusIndex(members, models))
    halves = [link for link in links if link.joined and link.b == 1]
    assert sorted(link.i for link in halves) == [0, 1]  # the wire's two sentences are the joiner's one
    assert all(link.kind == "near-verbatim" and link.score >= 0.9 for link in halves)


def test_align_labels_attribution_and_keeps_copies_apart_from_common_sources(models: Models) -> None:
    wire = article("w", "Wire", WIRE, "2024-01-01")
    attributed = article(
        "a",
        "Paper",
        [
            "The city council approved a budget of 12 million dollars for the new bridge on Monday, Wire reported.",
            "Construction of the bridge across the river is expected to start in the spring.",
        ],
        "2024-01-02",
    )
    own = article(
        "o",
        "Other",
        [
            "Councillors voted on Monday to spend 12 million dollars on a bridge over the river.",
            "Work on the crossing should begin in spring, officials said.",
            "A local bakery won a national prize for its sourdough bread this week.",
        ],
        "2024-01-02",
    )
    members = [wire, attributed, own]
    index = CorpusIndex(members, models)
    links = align(members, index)
    kinds = {(link.a, link.i, link.b, link.j): link.kind for link in links}
    assert kinds[(0, 0, 1, 0)] == "attributed"
    assert kinds[(0, 1, 1, 1)] == "attributed"  # the sentence after "Wire reported" continues it
    reuse = compare_story(story_of(*members), members, links)
    derived = [r for r in reuse if r.relation == "derived"]
    assert [(r.article_id, r.source_id) for r in derived] == [("a", "w")]
    assert 'Paper says where it took it from: "Wire reported"' in derived[0].direction_evidence
    # The other outlet says the same things in its own words: never "derived".
    assert all(r.relation == "common-source" for r in reuse if "o" in (r.article_id, r.source_id))
    assert not [link for link in links if (link.b, link.j) == (2, 2)]  # the bakery is in no other article


def test_facts_flag_other_figures_as_contradicted(models: Models) -> None:
    wire = article("w", "Wire", WIRE, "2024-01-01")
    copy = article("c", "Copy", WIRE[:3], "2024-01-02")
    other = article(
        "x",
        "Other",
        [
            "The city council approved a budget of 15 million dollars for the new bridge on Monday.",
            "The mayor said the bridge would cut commuting times for thousands of residents.",
        ],
        "2024-01-03",
    )
    members = [wire, copy, other]
    links = align(members, CorpusIndex(members, models))
    story = story_of(*members)
    facts = story_facts(story, members, links, compare_story(story, members, links))
    [budget] = [f for f in facts if "budget" in f.text]
    assert budget.coverage == {"w": "stated", "c": "stated", "x": "contradicted"}
    assert budget.contradictions[0].reason == "other figures: 15 against 12"
    [opponents] = [f for f in facts if "Opponents" in f.text]
    assert opponents.coverage == {"w": "stated", "c": "absent", "x": "absent"}


def test_align_neighbours_from_the_graph_index_match_the_exact_ones(
    models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = article("w", "Wire", WIRE, "2024-01-01")
    other = article(
        "o",
        "Other",
        [
            "Councillors voted on Monday to spend 12 million dollars on a bridge over the river.",
            "Work on the crossing should begin in spring, officials said.",
        ],
    )
    members = [wire, other]
    index = CorpusIndex(members, models)
    exact = align(members, index)
    graph = AlignSettings(exact_neighbours=0)  # force the HNSW graph
    assert align(members, index, graph) == exact


# Two reports in their own words that embed the same post.
POST = [
    "Today marks the 75th anniversary since @NATO was founded.",
    "Wishing the alliance to grow even stronger in the years to come 🤝 #NATO pic.twitter.com/VQkTTU4KGV",
    "— UKR Mission to NATO (@UKRinNATO) April 4, 2024",
]
FIRST = [
    "Foreign ministers of the alliance gathered in Brussels on Thursday to mark its anniversary.",
    "Ukraine's envoy posted a message of congratulations.",
]
SECOND = [
    "NATO turned 75 on Thursday, with a ceremony at its headquarters attended by dozens of diplomats.",
    "Kyiv's mission sent its wishes online.",
]


def test_an_embedded_post_two_outlets_show_is_no_copying(models: Models) -> None:
    def report(post: list[str]) -> Report:
        articles = [Article.from_sentences(n, [*s, *post], separator="\n\n") for n, s in (("a", FIRST), ("b", SECOND))]
        groups = [("s", ["a", "b"], {})]
        settings = models.settings
        return analyse_articles(articles, [], settings=settings, models=models, progress=lambda _: None, groups=groups)

    shown = report(POST)
    assert not shown.reuse
    # The post is one fact both carry.
    [fact] = [f for f in shown.facts if f.text == POST[0]]
    assert set(fact.coverage.values()) == {"stated"}
    # The same two sentences without a post's byline are copied text.
    copied = report(POST[:2])
    assert [(r.relation, len(r.pairs)) for r in copied.reuse] == [("derived", 2)]
