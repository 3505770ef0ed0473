"""A small hand-made report for renderer tests: no models needed."""

from __future__ import annotations

from manysides.model import Article, Removed, Report, Reuse, ReusePair, Story


def _article(
    aid: str, outlet: str | None, title: str, published: str | None, sentences: list[str], **kw: object
) -> Article:
    return Article.from_sentences(
        aid,
        sentences,
        separator=" ",
        source=f"{aid}.txt",
        outlet=outlet,
        title=title,
        published=published,
        credits=tuple(kw.get("credits", ())),
        removed=tuple(kw.get("removed", ())),
    )


def small_report(evil: str = "") -> Report:
    wire = _article(
        "a1",
        "Reuters",
        "Wire story",
        "2024-04-04",
        [
            "Russia and NATO are now in direct confrontation, the Kremlin said.",
            "NATO was founded in 1949 with 12 members.",
            "The West rejects that version." + evil,
        ],
    )
    copy = _article(
        "a2",
        "InDaily",
        "Reprint" + evil,
        "2024-04-05",
        [
            "Russia and NATO are now in direct confrontation, the Kremlin said.",
            "NATO was founded in 1949 with twelve members.",
            "Finland shut its border.",
        ],
        credits=("AAP",),
        removed=(Removed("Advertisement", "widget"), Removed(evil or "Share", "widget")),
    )
    story = Story(
        id="s1",
        title="Kremlin: direct confrontation" + evil,
        article_ids=("a1", "a2"),
        first_published="2024-04-04",
        last_published="2024-04-05",
    )
    reuse = Reuse(
        article_id="a2",
        source_id="a1",
        story_id="s1",
        kind="verbatim",
        share=0.6667,
        pairs=(
            ReusePair(0, 0, "verbatim", 1.0, text=copy.sentences[0].text, source_text=wire.sentences[0].text),
            ReusePair(1, 1, "near-verbatim", 0.9, text=copy.sentences[1].text, source_text=wire.sentences[1].text),
        ),
        direction_evidence=("published 2024-04-04, before 2024-04-05",),
    )
    return Report(articles=(wire, copy), stories=(story,), reuse=(reuse,), settings={"seed": 1}, version="test")
