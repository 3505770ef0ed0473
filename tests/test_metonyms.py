"""A state named by its name, its capital or its seat of government is a word choice."""

from __future__ import annotations

from manysides.framing.metonyms import metonym_contrasts, state_mentions
from manysides.model import Article, Story


def named(sentences: list[str]) -> list[tuple[str, str, str]]:
    article = Article.from_sentences("a", sentences)
    return [(state.iso, kind, form) for state, kind, form, *_ in state_mentions(article)]


def test_a_capital_that_acts_names_the_state_and_one_that_locates_does_not() -> None:
    assert named(["Moscow rejected the plan on Friday."]) == [("RU", "capital", "Moscow")]
    assert named(["Beijing's response was swift."]) == [("CN", "capital", "Beijing")]
    assert named(["Washington and Seoul will hold talks."]) == [
        ("US", "capital", "Washington"),
        ("KR", "capital", "Seoul"),
    ]
    # Where something happens, or part of a longer name: the city, not the state.
    assert named(["Talks in Moscow ended.", "He stayed at a Moscow hotel."]) == []
    assert named(["A Beijing-based firm and The Washington Post disagree."]) == []
    assert named(["Experts on Latin America met George Washington fans."]) == []
    assert named(["North Korea's leader met aides in the capital, Pyongyang, on Sunday."]) == [
        ("KP", "name", "North Korea")
    ]
    # A seat names the government, except as the place of a visit.
    assert named(["The Kremlin said Russia would respond."]) == [("RU", "seat", "Kremlin"), ("RU", "name", "Russia")]
    assert named(["Macron spoke at the White House."]) == []
    # "Mexico City" is Mexico's capital, not a mention of "Mexico".
    assert named(["Mexico City and Ottawa agreed; Mexico said so."]) == [
        ("MX", "capital", "Mexico City"),
        ("CA", "capital", "Ottawa"),
        ("MX", "name", "Mexico"),
    ]


def test_outlets_that_name_a_state_differently_make_a_contrast_with_evidence() -> None:
    one = Article.from_sentences(
        "one", ["Russia rejected the proposal on Monday.", "It called the plan a provocation."]
    )
    two = Article.from_sentences("two", ["Moscow rejected the proposal on Monday.", "Officials met in Paris."])
    three = Article.from_sentences("three", ["The Kremlin rejected the proposal.", "Talks in Moscow will resume."])
    story = Story(id="s", title=None, article_ids=("one", "two", "three"))
    [russia] = metonym_contrasts(story, [one, two, three], {})
    assert russia.origin == "lexicon" and russia.neutral == "Russia" and "GeoNames" in russia.source
    terms = {v.term: [(c.article_id, c.sentence) for c in v.evidence] for v in russia.variants}
    # "Talks in Moscow" in the third article is a place: it is no evidence.
    assert terms == {"Russia": [("one", 0)], "Moscow": [("two", 0)], "Kremlin": [("three", 0)]}
    # Paris is only a place here: France is no contrast; one name alone is none either.
    assert [f.neutral for f in metonym_contrasts(story, [one, two], {})] == ["Russia"]
    assert metonym_contrasts(story, [one, Article.from_sentences("four", ["Russia said no."])], {}) == []
