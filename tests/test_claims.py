"""Shared claims: a fact stated as a clause of a longer sentence joins the same fact stated alone."""

from __future__ import annotations

from manysides.model import Article
from manysides.nlp import Models
from manysides.pipeline import analyse_articles
from manysides.reuse.claims import split_claims
from manysides.settings import load_settings

# Three reports of one invented fire, written for this test, each in its own words.
WIRE = [
    "A fire destroyed the Hartwell Street bakery in Alderton late on Friday.",
    "More than 40 firefighters tackled the blaze at the bakery, which broke out in the ovens at about 9pm.",
    "Police said the cause was not yet known.",
    "The owner, Ruth Mayhew, said she would rebuild the shop within a year.",
]
LOCAL = [
    "The Hartwell Street bakery in Alderton has burned down.",
    "The fire broke out in the bakery's ovens at around 9pm on Friday, neighbours said.",
    "Ruth Mayhew, who has owned the shop for twenty years, promised to rebuild it.",
    "Roads around the square stayed closed until Saturday morning.",
]
RADIO = [
    "Firefighters spent the night at a burning bakery in Alderton.",
    "Over 40 firefighters fought the fire on Hartwell Street through the night; nobody in the bakery was hurt.",
    "The town's mayor visited the scene on Saturday.",
]


def test_split_claims_at_clause_boundaries() -> None:
    assert split_claims(WIRE[1]) == [
        "More than 40 firefighters tackled the blaze at the bakery",
        "which broke out in the ovens at about 9pm.",
    ]
    assert split_claims(RADIO[1]) == [
        "Over 40 firefighters fought the fire on Hartwell Street through the night",
        "nobody in the bakery was hurt.",
    ]
    assert split_claims(WIRE[0]) == [WIRE[0]]  # one clause: the sentence itself


def test_facts_join_a_clause_with_the_same_fact_stated_alone(models: Models) -> None:
    articles = [
        Article.from_sentences(n, s, separator="\n\n") for n, s in (("wire", WIRE), ("local", LOCAL), ("radio", RADIO))
    ]
    settings = load_settings()
    report = analyse_articles(
        articles,
        [],
        settings=settings,
        models=models,
        progress=lambda _: None,
        groups=[("fire", ["wire", "local", "radio"], {})],
    )

    def fact_of(article: str, words: str) -> set[tuple[str, int]]:
        by_id = {a.id: a for a in report.articles}
        for f in report.facts:
            for e in f.evidence:
                if e.article_id == article and words in by_id[article].sentences[e.sentence].text:
                    return {(x.article_id, x.sentence) for x in f.evidence}
        raise AssertionError(f"no fact holds {words!r}")

    # The wire's "..., which broke out in the ovens at about 9pm" and the local paper's own
    # sentence on when and where it broke out: one fact.
    assert ("local", 1) in fact_of("wire", "which broke out in the ovens")
    # A shared claim is not copying: the three reports stay independent.
    assert all(r.relation != "derived" for r in report.reuse)
    # Off, the two stay apart (what the sentence pair decision alone gives).
    off = settings.model_copy(update={"align": settings.align.model_copy(update={"claim_cosine": 1.01})})
    apart = analyse_articles(
        articles,
        [],
        settings=off,
        models=models,
        progress=lambda _: None,
        groups=[("fire", ["wire", "local", "radio"], {})],
    )
    wire_fact = next(f for f in apart.facts if any(e.article_id == "wire" and e.sentence == 1 for e in f.evidence))
    assert not any(e.article_id == "local" and e.sentence == 1 for e in wire_fact.evidence)
