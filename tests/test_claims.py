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
    "More than 40 firefighters tackled the blaze at the bakery, which broke out in the ovens late on Friday.",
    "Police said the cause was not yet known.",
    "The owner, Ruth Mayhew, said she would rebuild the shop within a year.",
]
LOCAL = [
    "The Hartwell Street bakery in Alderton has burned down.",
    "The fire broke out in the bakery's ovens late on Friday, and 12 people were evacuated.",
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
        "which broke out in the ovens late on Friday.",
    ]
    assert split_claims(RADIO[1]) == [
        "Over 40 firefighters fought the fire on Hartwell Street through the night",
        "nobody in the bakery was hurt.",
    ]
    assert split_claims(WIRE[0]) == [WIRE[0]]  # one clause: the sentence itself


def _facts(models: Models, claim_cosine: float | None = None) -> dict[tuple[str, int], set[tuple[str, int]]]:
    """The story's facts, each sentence (article, index) to the sentences of its fact."""
    articles = [
        Article.from_sentences(n, s, separator="\n\n") for n, s in (("wire", WIRE), ("local", LOCAL), ("radio", RADIO))
    ]
    settings = load_settings()
    if claim_cosine is not None:
        align = settings.align.model_copy(update={"claim_cosine": claim_cosine})
        settings = settings.model_copy(update={"align": align})
    group = [("fire", ["wire", "local", "radio"], {})]
    report = analyse_articles(articles, [], settings=settings, models=models, progress=lambda _: None, groups=group)
    assert all(r.relation != "derived" for r in report.reuse)  # a shared claim is not copying
    # The two sentences share one claim; their other figures (40 firefighters, 12 evacuated)
    # are not a contradiction of it.
    assert not any(f.contradictions for f in report.facts)
    out = {}
    for f in report.facts:
        held = {(e.article_id, e.sentence) for e in f.evidence}
        out.update({key: held for key in held})
    return out


def test_facts_join_a_clause_with_the_same_fact_stated_alone(models: Models) -> None:
    # The wire's "..., which broke out in the ovens late on Friday" and the local paper's
    # sentence on when and where it broke out: one fact; the three reports stay independent.
    assert ("local", 1) in _facts(models)[("wire", 1)]
    # Off, the two stay apart (what the sentence pair decision alone gives).
    assert ("local", 1) not in _facts(models, claim_cosine=1.01)[("wire", 1)]
