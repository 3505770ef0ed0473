"""HTML main text: trafilatura's precision run, with the body sentences it dropped put back."""

from __future__ import annotations

from manysides.clean.html import _restore

BODY = [
    "The council voted on Tuesday to close the old bridge for repairs.",
    "Traffic will go through the eastern district for at least six weeks, the mayor said.",
    "The discovery was announced in an article published Monday in the journal Nature.",
    "Engineers found cracks in two of the bridge's five piers last month.",
]


def test_a_sentence_the_precision_run_dropped_inside_the_body_comes_back() -> None:
    default = "\n".join(["Top stories: bridges, budgets and more", *BODY, "Read the full story on our app today."])
    precise = "\n".join([BODY[0], BODY[1], BODY[3]])
    assert _restore(default, precise).split("\n") == BODY


def test_what_the_precision_run_dropped_around_the_body_or_in_capitals_stays_out() -> None:
    teaser = "SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS' AFTER TEN WEEKS."
    link = "- Pochettino fired by Tottenham"
    default = "\n".join(["Bridge closes for six weeks of repairs today.", BODY[0], teaser, link, BODY[1], "Share it."])
    precise = "\n".join([BODY[0], BODY[1]])
    assert _restore(default, precise) == precise


def test_a_precision_run_segmented_otherwise_stands_as_it_is() -> None:
    precise = BODY[0] + " " + BODY[1]
    assert _restore("\n".join(BODY), precise) == precise
    assert _restore("\n".join(BODY), "") == ""
