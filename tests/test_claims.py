"""Shared claims: a fact stated as a clause of a longer sentence joins the same fact stated alone."""

from __future__ import annotations

import pytest

from manysides.model import Article, Report
from manysides.nlp import Models
from manysides.pipeline import analyse_articles
from manysides.render import render_html
from manysides.reuse import claims
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


def _report(models: Models, extra: dict[str, list[str]] | None = None, **align: float) -> Report:
    """The fire story's report; ``extra`` sentences appended to the named reports, ``align``
    settings changed."""
    texts = {"wire": WIRE, "local": LOCAL, "radio": RADIO}
    articles = [Article.from_sentences(n, s + (extra or {}).get(n, []), separator="\n\n") for n, s in texts.items()]
    settings = load_settings()
    settings = settings.model_copy(update={"align": settings.align.model_copy(update=align)})
    group = [("fire", ["wire", "local", "radio"], {})]
    return analyse_articles(articles, [], settings=settings, models=models, progress=lambda _: None, groups=group)


def _facts(models: Models, claim_cosine: float | None = None) -> dict[tuple[str, int], set[tuple[str, int]]]:
    """The story's facts, each sentence (article, index) to the sentences of its fact."""
    report = _report(models, **({} if claim_cosine is None else {"claim_cosine": claim_cosine}))
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


# Two reports of one happening (the arrests) that state different things about it.
ARRESTS = {
    "wire": ["Police arrested two men in Alderton on Saturday over the fire."],
    "radio": ["Relatives of the men arrested in Alderton say they were at home that night."],
}


def test_sentences_about_one_happening_are_related_not_one_fact(models: Models) -> None:
    report = _report(models, ARRESTS)
    by_sentence = {(e.article_id, e.sentence): f for f in report.facts for e in f.evidence}
    wire, radio = by_sentence["wire", 4], by_sentence["radio", 3]
    # They share a name and what happened ("arrest", "man") but say different things: two
    # facts, each listing the other outlet's sentence as what it says about the same.
    assert wire is not radio
    assert [(r.article_id, r.sentence) for r in wire.related] == [("radio", 3)]
    assert [(r.article_id, r.sentence) for r in radio.related] == [("wire", 4)]
    assert radio.related[0].text == ARRESTS["wire"][0]
    # Only an article that leaves the fact out is listed, once.
    for fact in report.facts:
        assert all(fact.coverage[r.article_id] == "absent" for r in fact.related)
        assert len({r.article_id for r in fact.related}) == len(fact.related)
    # The HTML lists the wire's fact as one only it carries, with what the radio says instead.
    only_here = render_html(report).split("Only here:")
    assert any(
        f'{ARRESTS["wire"][0]}<br><span class="muted related">≈ (radio) on the same: “{ARRESTS["radio"][0]}”' in part
        for part in only_here[1:]
    )
    # Off, nothing is related and the facts are the same groups.
    off = _report(models, ARRESTS, action_cosine=1.01)
    assert not any(f.related for f in off.facts)
    assert sorted(f.text for f in off.facts) == sorted(f.text for f in report.facts)


def test_related_needs_the_action_words_in_common(models: Models) -> None:
    # The arrest sentences share "arrest" and "man" (and the name Alderton): asking for a
    # third action word in common leaves them unrelated.
    report = _report(models, ARRESTS, action_words=3)
    wire = next(f for f in report.facts if any((e.article_id, e.sentence) == ("wire", 4) for e in f.evidence))
    assert not wire.related


def test_the_html_fact_matrix_shows_what_an_outlet_says_instead(models: Models) -> None:
    # Wire and local carry the arrests (one fact); the radio only speaks of them.
    local = ["Two men were arrested in Alderton on Saturday, police said."]
    report = _report(models, {**ARRESTS, "local": local})
    fact = next(f for f in report.facts if any((e.article_id, e.sentence) == ("local", 4) for e in f.evidence))
    assert fact.coverage["radio"] == "absent" and "absent" not in (fact.coverage["wire"], fact.coverage["local"])
    assert [(r.article_id, r.sentence) for r in fact.related] == [("radio", 3)]
    html = render_html(report)
    row = html[html.index(f'<th scope="row">{fact.text}') :]
    row = row[: row.index("</tr>")]
    assert "≈ (radio) on the same: “Relatives of the men arrested in Alderton" in row


# The verb in one report, its noun in the other: "shot" / "shooting".
SHOOTING = {
    "wire": ["Police shot two men in Alderton on Saturday."],
    "radio": ["The shooting in Alderton has left the two men's families in shock."],
}


def test_action_words_meet_by_stem(models: Models, monkeypatch: pytest.MonkeyPatch) -> None:
    def related(report: Report) -> list[tuple[str, int]]:
        wire = next(f for f in report.facts if any((e.article_id, e.sentence) == ("wire", 4) for e in f.evidence))
        return [(r.article_id, r.sentence) for r in wire.related]

    # "shoot" and "man" in common once the noun "shooting" is read as its stem.
    assert related(_report(models, SHOOTING)) == [("radio", 3)]
    # By lemma alone they share only "man": not enough.
    monkeypatch.setattr(claims, "_stems", frozenset)
    assert related(_report(models, SHOOTING)) == []
