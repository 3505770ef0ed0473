"""How each outlet describes one person: titles, appositions and "the N", linked to the entity."""

from __future__ import annotations

from manysides.model import Article
from manysides.nlp import Models
from manysides.pipeline import analyse_articles
from manysides.settings import load_settings

# One invented event, written for this test, in three outlets' words.
ONE = [
    "President Alma Reyes signed the water bill on Tuesday in Valdora.",
    "The president said the bill would bring clean water to every village by 2027.",
    "Opposition leaders called the plan too expensive.",
]
TWO = [
    "Alma Reyes, the former central banker, signed the water bill on Tuesday in Valdora.",
    "Ms. Reyes said the bill would bring clean water to every village by 2027.",
    "Critics in parliament said the plan was too expensive.",
]
THREE = [
    "In Valdora, Alma Reyes signed a water bill on Tuesday.",
    "Reyes promised clean water for every village by 2027.",
]


def test_each_outlets_description_of_one_person_is_a_contrast(models: Models) -> None:
    articles = [
        Article.from_sentences(name, text, separator="\n\n", outlet=name.title())
        for name, text in (("one", ONE), ("two", TWO), ("three", THREE))
    ]
    group = [("bill", ["one", "two", "three"], {})]
    report = analyse_articles(
        articles, [], settings=load_settings(), models=models, progress=lambda _: None, groups=group
    )
    [described] = [f for f in report.framing if f.concept.endswith("(described)")]
    assert described.origin == "entity" and "Reyes" in described.neutral
    terms = {v.term: (v.article_ids, {(c.article_id, c.sentence) for c in v.evidence}) for v in described.variants}
    # A title before the name, and "the president" later in the same article, are one term.
    assert terms["president"] == (("one",), {("one", 0), ("one", 1)})
    assert terms["former central banker"][0] == ("two",)  # the apposition
    assert terms["ms"][0] == ("two",)  # the honorific, as the house style writes it
    # "In Valdora, Alma Reyes": a place before a comma is not a title; the third outlet adds none.
    assert not any("three" in ids for ids, _ in terms.values())
