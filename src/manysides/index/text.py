"""Text keys for matching: what two renderings of the same words have in common."""

from __future__ import annotations

import re

#: Closed-class English words and the commonest reporting verbs, which every news
#: sentence shares: left out where content words are compared (the pair decision's
#: content-word overlap; word-choice contrasts).
FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 (a word list reads as text)
        "the a an of to in and or for on at by with from as is was be been are were that this it its his her "
        "their he she they said says will would has have had not but"
    ).split()
)

#: Words of an article's lead that its one embedding reads (title and first sentences):
#: MiniLM reads 256 word pieces at most, and news puts the event first (the inverted pyramid).
LEAD_WORDS = 120


def lead_text(title: str | None, text: str, words: int = LEAD_WORDS) -> str:
    """Title and the first ``words`` words of the text: what an article's embedding sees."""
    head = " ".join(text.split()[:words])
    return f"{title}. {head}" if title else head


WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def match_key(text: str) -> str:
    """Lower-case words joined by single spaces: punctuation, quote style and spacing ignored."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in WORD.findall(text.lower())]


def shingles(words: list[str], n: int) -> set[bytes]:
    """Word n-grams; a text shorter than ``n`` words is one shingle of all its words."""
    if not words:
        return set()
    if len(words) < n:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


#: A quoted span: straight, curly or angle double quotes, or curly single quotes that
#: open after a space or bracket (so "Russia's" is not a quote). The closing mark may be
#: missing at the end of a sentence (a quote that runs on into the next sentence).
QUOTED = re.compile(r"[\"“«„]([^\"”»“]{2,}?)(?:[\"”»“]|$)|(?:(?<=^)|(?<=[\s(\[]))‘([^’]{2,}?)’(?![a-z])")


#: The words before a closing mark at the start of a sentence ("...," Peskov said).
LEADING_CLOSE = re.compile(r"([^\"“”«»]{2,}?)[”»]")
OPENING = re.compile(r"\s*[\"“«„‘]")


def quoted(text: str) -> list[str]:
    """The quoted spans of a sentence, without their marks. A sentence that closes a quote
    it did not open (the quote began in the previous sentence) starts with a span."""
    spans = [(m.group(1) or m.group(2) or "").strip() for m in QUOTED.finditer(text)]
    lead = LEADING_CLOSE.match(text)
    if lead and not OPENING.match(text):
        spans.insert(0, lead.group(1).strip())
        rest = text[lead.end() :]
        spans = [spans[0]] + [(m.group(1) or m.group(2) or "").strip() for m in QUOTED.finditer(rest)]
    return [s for s in spans if s]


def quoted_share(text: str) -> float:
    """Share of a sentence's words that are inside quotation marks."""
    words = len(tokens(text))
    return sum(len(tokens(q)) for q in quoted(text)) / words if words else 0.0


#: Capital letters of every script (Latin with diacritics, Greek, Cyrillic, Armenian, ...) as
#: a regex character class: names in text that is not English.
UPPER_CLASS = "[" + re.escape("".join(sorted({c for c in map(chr, range(0x3000)) if c.isupper()}))) + "]"


#: Numbers written as words ("five people", "hundreds of"): a figure, in any sentence.
NUMBER_WORDS = frozenset(
    (
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "dozen",
        "dozens",
    )
)


#: Nouns that name a person by their role ("the spokesman", "Foreign Minister ..."): a
#: speaker named by role, a title before a name.
ROLE_NOUNS = frozenset(
    [
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "minister",
        "chief",
        "secretary",
        "president",
        "official",
        "leader",
        "ambassador",
        "envoy",
        "general",
        "premier",
        "chancellor",
        "diplomat",
        "aide",
        "adviser",
        "advisor",
    ]
)
