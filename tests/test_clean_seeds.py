"""Cleaning the seed coverage: boilerplate goes, content stays, metadata is read from the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, SEEDS, seed_text
from manysides.clean import clean
from manysides.model import Article, RawDocument
from manysides.outlets import default_registry


def pieces(name: str, **hints: str) -> list[Article]:
    doc = RawDocument(source=str(EXAMPLE / SEEDS[name]), content=seed_text(name), format="text", hints=hints)
    return clean(doc, default_registry())


def cleaned(name: str, **hints: str) -> Article:
    """The page's first (or only) article."""
    return pieces(name, **hints)[0]


def page_text(name: str) -> str:
    return "\n\n".join(a.text for a in pieces(name))


def page_removed(name: str) -> str:
    return " ".join(r.text for a in pieces(name) for r in a.removed)


BOILERPLATE = {
    "reuters": [
        "Share",
        "Updated at",
        "From 2h ago",
        "No comments",
        "Photograph:",
        "RELATED",
        "Worldcategory",
        "Business Recorder",
        "More on this story",
        "10h ago",
        "____",
    ],
    "presstv": [
        "News / Russia",
        "SHARE THIS ARTICLE",
        "website can also be accessed",
        "www.presstv.co.uk",
        "Roku",
        "right, welcomes",
    ],
    "rt": [
        "Estimated read time",
        "Read more",
        "worse than during Cold War",
        "You May Also Like",
        "More From Author",
        "There are no comments",
        "Add yours",
    ],
    "indaily": [
        "Advertisement",
        "Photo: AP",
        "Topics:",
        "Local News Matters",
        "Copyright",
        "All rights reserved",
        "– AAP",
    ],
    "reuters_fr": ["Read also", "Counting", "Thomson Reuters", "Source link", "(Reporting", "by John Irish"],
}

CONTENT = {
    "reuters": [
        "Kremlin spokesman Dmitry Peskov told reporters:",
        "The West rejects that version",
        "NATO began with 12 members",
        "Nato foreign ministers will meet today",
        # An embedded post is the article's (the quotes stage reads it as its author's).
        "Wishing the alliance to grow even stronger in the years to come",
        "— UKR Mission to NATO (@UKRinNATO) April 4, 2024",
    ],
    "presstv": [
        "Relations have now slipped to the level of direct confrontation",
        "The Wednesday call was a first",
        "Shoigu highlighted Moscow's preparedness",
    ],
    "rt": [
        "The current state of relations between Russia and NATO",
        "Multiple Western leaders have warned",
        "one step shy of a full-scale World War III.",
    ],
    "indaily": [
        "Instead, the war has galvanised NATO",
        "Prior to this period, the numbers had averaged just one person a day.",
        "“This would be dangerous to people seeking to enter Finland",
    ],
    "reuters_fr": [
        "AN AUSTERE BIRTHDAY",
        "The Alliance denies any offensive desire.",
        "European allies provide first-rate armies",
    ],
}


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_clean_removes_the_seed_boilerplate_with_reasons(name: str) -> None:
    text, removed = page_text(name), page_removed(name)
    for item in BOILERPLATE[name]:
        assert item not in text, f"{item!r} leaked into {name}"
    for item in BOILERPLATE[name]:
        assert item in removed, f"{item!r} not recorded as removed in {name}"
    assert all(r.reason for a in pieces(name) for r in a.removed)


@pytest.mark.parametrize("name", sorted(CONTENT))
def test_clean_keeps_the_seed_content(name: str) -> None:
    text = page_text(name)
    for item in CONTENT[name]:
        assert item in text, f"content {item!r} lost from {name}"


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_clean_loses_no_long_sentence_line(name: str) -> None:
    """Every line of 25+ words with sentence punctuation is article prose, except notices."""
    kept = page_text(name).replace("’", "'").replace("\u00a0", " ")
    for line in seed_text(name).splitlines():
        line = " ".join(line.replace("\u00a0", " ").replace("’", "'").split()).lstrip("• ")
        if len(line.split()) >= 25 and line.endswith((".", "”", '"')) and "©" not in line and "Photograph" not in line:
            if "Photo: AP" in line:
                continue
            assert line in kept or line.replace("Kuleba added:", "") in kept, line[:80]


def test_clean_reuters_page_title_date_and_repeats() -> None:
    article = cleaned("reuters")
    assert article.title == 'Kremlin says Russia and NATO are now in "direct confrontation"'
    assert article.published == "2024-04-04"
    assert article.outlet == "Reuters" and article.outlet_evidence == "title suffix"
    assert article.credits == ("Reuters",)
    reasons = [r.reason for r in article.removed]
    assert reasons.count("repeated title") == 2
    assert page_text("reuters").count("He also emphasised that") == 1  # the live-blog block repeated twice


def test_clean_indaily_metadata() -> None:
    article = cleaned("indaily")
    assert article.title == "Russia in ‘direct confrontation’ with NATO"
    assert article.published == "2024-04-05"
    assert article.outlet == "InDaily" and article.outlet_evidence == "copyright line"
    assert article.credits == ("AAP",)
    assert article.text.count("NATO Secretary General Jens Stoltenberg, center") == 0


def test_clean_french_service_translation_metadata() -> None:
    article = cleaned("reuters_fr")
    assert article.byline == ("John Irish", "Andrew Gray")
    assert article.credits == ("Reuters",)
    assert article.outlet == "Reuters"
    assert article.published is None  # the text gives no full date: null, not a guess


def test_clean_outlets_come_from_the_text_without_a_manifest() -> None:
    assert cleaned("presstv").outlet == "Press TV"
    assert cleaned("presstv").outlet_evidence == "self reference"
    # The RT repost names no outlet anywhere; " – Kremlin" in its title is a speaker.
    rt = cleaned("rt")
    assert rt.outlet is None
    assert rt.title == "Russia and NATO already in ‘direct confrontation’ – Kremlin"


def test_clean_manifest_hints_win_over_the_text() -> None:
    article = cleaned("rt", outlet="RT", published="2024-04-04")
    assert (article.outlet, article.outlet_evidence, article.published) == ("RT", "given", "2024-04-04")


def test_clean_keeps_curly_quotes_and_drops_a_repeat_glued_from_two_lines() -> None:
    text = page_text("reuters")
    assert "“happy birthday”" in text
    # "Kuleba added:" / "Saving Ukrainian lives, ..." come back later as one glued line.
    assert text.count("Saving Ukrainian lives, saving Ukrainian economy") == 1
    assert "Kuleba added:\n\nSaving Ukrainian lives" in text


def test_clean_splits_the_reuters_page_into_its_three_pieces() -> None:
    kremlin, anniversary, blog = pieces("reuters")
    assert [a.source.rsplit("#", 1)[1] for a in (kremlin, anniversary, blog)] == ["part1", "part2", "part3"]
    assert kremlin.text.startswith("MOSCOW, April 4 (Reuters) - Russia and NATO")
    assert kremlin.text.endswith("one step away from World War Three.")
    assert anniversary.title == "NATO marks 75 years anniversary with show of unity as Ukraine war grinds on"
    assert anniversary.text.startswith("BRUSSELS, April 4 (Reuters) - NATO foreign ministers")
    assert anniversary.text.endswith("posed a military threat to European democracies.")
    assert (anniversary.outlet, anniversary.published, anniversary.credits) == ("Reuters", "2024-04-04", ("Reuters",))
    assert (kremlin.dateline, anniversary.dateline, blog.dateline) == ("Moscow", "Brussels", None)
    # The live blog says "Reuters reported": it restates Reuters, so it is not Reuters.
    assert "Kuleba stresses need for Patriots" in (blog.title or "")
    assert blog.outlet is None and "Reuters reported" in blog.outlet_evidence
    assert blog.credits == ()
    assert "75th anniversary of the signing" not in kremlin.text + anniversary.text  # a caption


def test_clean_press_tv_second_story_becomes_its_own_article() -> None:
    # Press TV appends "Russia warns France ..." under its own headline: a story of the same
    # topic (Russia, NATO, Ukraine), told by the lede that opens it ("In a rare call on Wednesday").
    kremlin, france = pieces("presstv")
    assert kremlin.title and kremlin.title.startswith("Kremlin: Russia-NATO ties")
    assert france.title == "Russia warns France against sending troops to Ukraine"
    assert france.text.startswith("In a rare call on Wednesday, Russia’s Defense Minister Sergei Shoigu")
    assert "Shoigu" not in kremlin.text and kremlin.text.endswith("one step away from World War Three.")
    assert france.outlet == "Press TV"


@pytest.mark.parametrize("name", ["rt", "indaily", "reuters_fr"])
def test_clean_single_article_pages_stay_whole(name: str) -> None:
    [article] = pieces(name)
    assert "#" not in article.source


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_clean_never_crashes_and_only_drops_whole_lines(text: str) -> None:
    articles = clean(RawDocument(source="x.txt", content=text, format="text"), default_registry())
    assert articles
    for article in articles:
        kept = article.text.split("\n\n") if article.text else []
        assert all(line and line == line.strip() for line in kept)
        assert all(r.reason for r in article.removed)


def test_clean_does_not_cut_a_live_update_story_or_an_excerpt_in_two() -> None:
    entries = [
        f"{h}:{m:02d} p.m.:\n\nThe senator said on the trail that the vote count number {k} was going well.\n\n"
        f"Her aides said the campaign expected results in the state by the end of the evening number {k}."
        for k, (h, m) in enumerate([(4, 40), (2, 10), (1, 5)])
    ]
    latest = "The Latest: votes counted\n\nWASHINGTON (AP) — The latest on the primary (all times local):\n\n___\n\n"
    latest += "\n\n___\n\n".join(entries)
    [article] = clean(RawDocument(source="latest.txt", content=latest, format="text"), default_registry())
    assert article.text.count("The senator said") == 3
    excerpt = "A long first paragraph of the story, told in a full sentence with many words in it.\n\n" * 3
    excerpt += "...\n\n" + "The story goes on after the ellipsis with more full sentences of its own text.\n\n" * 3
    [article] = clean(RawDocument(source="excerpt.txt", content=excerpt, format="text"), default_registry())
    assert "goes on after the ellipsis" in article.text


def test_clean_a_short_trailing_section_stays_with_its_article() -> None:
    text = "Headline\n\n" + "A sentence of the story with enough words to count as body text here.\n\n" * 3
    text += "___\n\nOnline:\n\nhttps://example.org/poll"
    [article] = clean(RawDocument(source="poll.txt", content=text, format="text"), default_registry())
    assert article.text.endswith("Online:")


def test_clean_a_given_outlet_survives_its_own_reported() -> None:
    text = "Talks fail\n\n" + "Reuters reported on Monday that the talks had failed, officials confirmed.\n\n" * 2
    [article] = clean(RawDocument("r.txt", text, "text", {"outlet": "Reuters"}), default_registry())
    assert (article.outlet, article.outlet_evidence) == ("Reuters", "given")


BAKERY = "\n\n".join(
    [
        "Bakery fire closes High Street in Alderton",
        "A fire broke out before dawn on Tuesday in the kitchen of the Hollis family bakery in Alderton, "
        "and firefighters from Wexbridge kept it from the flats above.",
        "Fire chief Marta Oyelaran said the ovens had been left on overnight and that nobody was hurt.",
        "Owner Peter Hollis, 61, said the shop his grandfather opened in 1952 would reopen in the spring.",
        "The county council closed High Street to traffic until Thursday while engineers check the building.",
    ]
)


def test_clean_a_story_appended_under_its_own_headline_becomes_its_own_article() -> None:
    # The Press TV page's own article, then another story (written for this test) under its headline.
    first = pieces("presstv")[0]
    doc = RawDocument(source="page.txt", content=f"{first.title}\n\n{first.text}\n\n{BAKERY}", format="text", hints={})
    found = clean(doc, default_registry())
    assert len(found) == 2
    assert found[1].title == "Bakery fire closes High Street in Alderton"
    assert found[1].text.startswith("A fire broke out") and "Hollis" not in found[0].text
    assert found[0].text == first.text  # the first article loses nothing


def test_clean_never_empties_a_one_line_brief() -> None:
    doc = RawDocument(source="brief.txt", content="The BBC says PM will resign", format="text", hints={})
    [brief] = clean(doc, default_registry())
    assert brief.text == "The BBC says PM will resign"


def test_clean_a_list_of_headline_like_lines_is_not_read_as_headlines(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each candidate headline costs a pass over the page: a list's lines are not candidates.
    import manysides.clean.split as split

    read: list[int] = []
    original = split.break_features

    def counted(text: list[str], ks: list[int], dated: list[bool]) -> object:
        read.extend(ks)
        return original(text, ks, dated)

    monkeypatch.setattr(split, "break_features", counted)
    lines = ["A sentence of the article with enough words to count as body text."] * 5
    lines += [f"Item {i} of the menu for {7 * i} readers" for i in range(400)]
    assert split.story_breaks(lines, [None] * len(lines)) == [] and read == []
    prose = [*lines[:5], "Bakery fire closes High Street", *lines[:4]]
    split.story_breaks(prose, [None] * len(prose))
    assert read == [5]  # a headline with prose after it is read


#: Invented for the page-splitting tests: the first story of a page that holds two.
COUNCIL_STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to heavy lorries from June.",
    "Engineers found cracks in two of the bridge's steel supports during an inspection last month.",
    "Lorry drivers will have to use the ring road, adding about 20 minutes to journeys into the port.",
    "The haulage association said its members had not been consulted and would ask for a review.",
    "Repairs are expected to cost 4 million euros and take at least a year.",
]


def test_clean_a_headline_with_a_date_line_under_it_opens_another_article() -> None:
    # Invented for this test: a council story, then a bakery story under its headline and date.
    first = COUNCIL_STORY
    second = [
        "Bakery fire on Mill Lane may have been arson",
        "July 22, 2013",
        "Police are investigating a fire that destroyed a family bakery on Mill Lane early on Monday.",
        "Firefighters from three stations fought the blaze for four hours before bringing it under control.",
        "Nobody was hurt, but the owner said the business would be closed for months.",
        "Detectives said a window at the back of the shop had been broken before the fire started.",
    ]
    from manysides.clean import page_reasons
    from manysides.clean.split import dated_after

    text = "\n\n".join(first + second)
    lines, reasons = page_reasons(text, default_registry())
    kept = [i for i, r in enumerate(reasons) if r is None]
    assert reasons[lines.index("July 22, 2013")] == "date line"
    assert dated_after(reasons, kept, [kept.index(lines.index(second[0]))]) == [True]
    council, bakery = clean(RawDocument(source="page.txt", content=text, format="text", hints={}), default_registry())
    assert bakery.title == second[0] and bakery.published == "2013-07-22"
    assert "bridge" in council.text and "bakery" not in council.text and "bridge" not in bakery.text


def test_clean_a_date_line_above_a_headline_goes_with_the_story_it_opens() -> None:
    # Invented for this test: a council story, then a bakery story whose time stamp stands
    # above its headline (as on BBC pages); the stamp is the bakery story's, not the council's.
    first = COUNCIL_STORY
    second = [
        "Updated July 22, 2013 at 10:24 BST",
        "Bakery fire on Mill Lane may have been arson",
        "Police are investigating a fire that destroyed a family bakery on Mill Lane early on Monday.",
        "Firefighters from three stations fought the blaze for four hours before bringing it under control.",
        "Nobody was hurt, but the owner said the business would be closed for months.",
        "Detectives said a window at the back of the shop had been broken before the fire started.",
    ]
    text = "\n\n".join(first + second)
    council, bakery = clean(RawDocument(source="page.txt", content=text, format="text", hints={}), default_registry())
    assert bakery.title == second[1] and bakery.published == "2013-07-22"
    assert second[0] in [r.text for r in bakery.removed] and second[0] not in [r.text for r in council.removed]
    assert "bridge" in council.text and "bakery" not in council.text


def test_clean_a_headline_and_its_deck_open_one_story() -> None:
    # Invented for this test: the bakery story opens with a headline and a deck under it.
    second = [
        "Bakery fire on Mill Lane may have been arson",
        "Police say a window was broken before the blaze at the family bakery",
        "July 22, 2013",
        "Police are investigating a fire that destroyed a family bakery on Mill Lane early on Monday.",
        "Firefighters from three stations fought the blaze for four hours before bringing it under control.",
        "Nobody was hurt, but the owner said the business would be closed for months.",
        "Detectives said a window at the back of the shop had been broken before the fire started.",
    ]
    text = "\n\n".join(COUNCIL_STORY + second)
    council, bakery = clean(RawDocument(source="page.txt", content=text, format="text", hints={}), default_registry())
    assert bakery.title == second[0] and bakery.text.startswith(second[1])
    assert "bakery" not in council.text


def test_clean_a_second_story_shape_reads_its_lede_past_a_deck() -> None:
    from manysides.clean.split import _shape

    text = [
        "The council said the works would end in May.",
        "Bridge reopens early",
        "Engineers finished ahead of schedule",
        "The bridge reopened on Tuesday, two weeks early, the council said.",
    ]
    assert _shape(text, 1) == (1.0, 1.0, 3 / 20)  # the lede under the deck says when
    assert _shape([*text[:3], "The bridge reopened early, the council said."], 1)[0] == 0.0
    assert _shape(["A line without an end", *text[1:]], 1)[1] == 0.0
