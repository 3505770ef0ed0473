"""Cross-document boilerplate: repeated within a site is furniture, repeated across outlets is reuse."""

from __future__ import annotations

from manysides.clean import clean, clean_corpus
from manysides.model import RawDocument
from manysides.outlets import default_registry

FOOTER = "Follow Example News on Mastodon for more stories like this."
WIRE = "Russia and NATO are now in direct confrontation, the Kremlin said on Thursday as the alliance turned 75."
LONG = (
    "The council said the new bridge would open in spring after a long delay caused by a shortage of steel, "
    "a dispute with the builder and two floods that closed the site for most of last winter."
)


def doc(n: int, outlet: str | None, *lines: str, url: str | None = None) -> RawDocument:
    body = [f"Story number {n} is about a different event in a different town, told in full sentences here."]
    hints = {k: v for k, v in (("outlet", outlet), ("url", url)) if v}
    return RawDocument(source=f"d{n}.txt", content="\n\n".join([*body, *lines]), format="text", hints=hints)


def test_clean_drops_lines_repeated_across_a_sites_documents() -> None:
    docs = [doc(n, "Example News", FOOTER) for n in range(5)]
    articles = [a for pieces in clean_corpus(docs, default_registry()) for a in pieces]
    for a in articles:
        assert FOOTER not in a.text
        assert (
            "Follow Example News on Mastodon for more stories like this.",
            "repeated across the site's documents",
        ) in [(r.text, r.reason) for r in a.removed]
        assert a.text.startswith(f"Story number {a.source[1]} is about")


def test_clean_keeps_reuse_across_outlets_and_long_repeated_prose() -> None:
    outlets = ["Reuters", "InDaily", "Press TV", "AAP", "RT"]
    docs = [doc(n, outlet, WIRE) for n, outlet in enumerate(outlets)]
    docs += [doc(10 + n, "Council Times", LONG) for n in range(4)]
    articles = [a for pieces in clean_corpus(docs, default_registry()) for a in pieces]
    assert sum(WIRE in a.text for a in articles) == 5
    assert sum(LONG in a.text for a in articles) == 4


def test_clean_groups_by_domain_when_no_outlet_is_given_and_never_groups_the_unknown() -> None:
    by_url = [doc(n, None, FOOTER, url=f"https://www.example.org/{n}") for n in range(4)]
    unknown = [doc(20 + n, None, FOOTER) for n in range(4)]
    results = clean_corpus(by_url + unknown, default_registry())
    texts = [pieces[0].text for pieces in results]
    assert all(FOOTER not in t for t in texts[:4])
    assert all(FOOTER in t for t in texts[4:])


def test_clean_needs_half_of_a_sites_documents() -> None:
    docs = [
        doc(n, "Big Site", FOOTER if n < 4 else "Another closing line that is different each time " + str(n) + ".")
        for n in range(10)
    ]
    texts = [pieces[0].text for pieces in clean_corpus(docs, default_registry())]
    assert sum(FOOTER in t for t in texts) == 4  # 4 of 10 documents: below the 50% share


def test_clean_keeps_an_embedded_post_and_drops_a_lone_handle() -> None:
    post = ["Thank you @NGRSenate #budget pic.twitter.com/abc123", "— Jane Doe (@janedoe) October 9, 2018"]
    body = [
        "The senate passed the budget on Tuesday after a long debate, officials said.",
        "A minister praised the vote and thanked the senators for their work on it.",
        *post,
        "The bill now goes to the president, who is expected to sign it next week.",
        "@Reuters",
    ]
    [article] = clean(RawDocument(source="s.txt", content="\n\n".join(body), format="text"), default_registry())
    assert all(line in article.text for line in post)  # the benchmark's gold keeps embeds; so does trafilatura
    assert "@Reuters" not in article.text
    assert [r.reason for r in article.removed if r.text == "@Reuters"] == ["social handle"]
