"""How each outlet describes the same person or group: titles, appositions, "the N".

The same referent is named "President Trump" in one outlet, "Mr. Trump" in another and
"the real-estate mogul" in a third; most word-choice variation in news is such descriptive
phrases, not contested labels (NewsWCL50). Here each named-entity mention (linked across
articles by the entities stage) collects the descriptions written beside it in its
article:

- a title before it: the capitalised words and title nouns right before the name, when
  one of them is a title or role noun ("North Korean leader Kim Jong Un", "Mr. Trump",
  "Secretary of State Mike Pompeo");
- an apposition after it: ", the/a/an ... ," right after the name ("Mike Pompeo, the
  C.I.A. director,");
- "the N" later in the article, where N is a title or role noun the article gave this
  entity and no other ("the president" after "President Trump").

An entity described with different phrases by different articles is a word-choice
contrast (origin "entity"), each phrase with the sentences that use it. The names
themselves are never terms here (their spellings are ``name_contrasts``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..index.text import FUNCTION_WORDS, ROLE_NOUNS, match_key
from ..model import Article, Framing, Story, VoiceKind

#: Title and role nouns: what a description of a person or group is built on.
TITLES = ROLE_NOUNS | frozenset(
    (
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "senator",
        "rep",
        "representative",
        "gov",
        "governor",
        "vice",
        "director",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "mayor",
        "judge",
        "officer",
        "commander",
        "dictator",
        "strongman",
        "tycoon",
        "mogul",
        "billionaire",
        "candidate",
        "nominee",
        "chairman",
        "chairwoman",
        "ceo",
        "founder",
        "head",
        "attorney",
        "lawmaker",
        "congressman",
        "congresswoman",
        "speaker",
        "justice",
        "host",
        "star",
        "activist",
        "officials",
        "administration",
        "regime",
        "government",
    )
)
#: Entity types a description can be about.
DESCRIBED = frozenset({"PERSON", "ORG", "NORP", "GPE"})
APPOSITION = re.compile(r"^,\s+((?:the|a|an)\s+[^,;:.()\"“”]{2,60}?)\s*[,;.]")
WORD = re.compile(r"[\w.'’-]+")
DETERMINER = re.compile(r"^(?:the|a|an)\s+")
#: Words a title before a name may span.
MAX_TITLE_WORDS = 4


def description_contrasts(
    story: Story,
    members: Sequence[Article],
    spans: Mapping[str, list[tuple[int, int, str]]],
    mention_entity: Mapping[tuple[str, int, int], str],
) -> list[Framing]:
    from . import _framing, _one_article_each, voice_of

    uses: dict[str, dict[tuple[str, VoiceKind], list[tuple[str, int]]]] = {}
    names: dict[str, str] = {}
    for a in members:
        for eid, phrase, start, end, sentence in _descriptions(a, mention_entity):
            term = DETERMINER.sub("", phrase)  # "the NATO secretary general" = "NATO secretary general"
            entry = uses.setdefault(eid, {}).setdefault((term, voice_of(a, start, end, spans)), [])
            if (a.id, sentence) not in entry:
                entry.append((a.id, sentence))
    for a in members:
        for m in a.mentions:
            linked = mention_entity.get((a.id, m.start, m.end))
            if linked and linked in uses:
                names[linked] = max(names.get(linked, ""), m.text, key=len)
    out = []
    for eid, by_term in sorted(uses.items()):
        articles_of: dict[str, set[str]] = {}
        for (term, _), evidence in by_term.items():
            articles_of.setdefault(term, set()).update(aid for aid, _ in evidence)
        if len(articles_of) < 2 or len(set().union(*articles_of.values())) < 2 or _one_article_each(articles_of):
            continue
        name = names.get(eid, eid)
        out.append(
            _framing(
                story,
                f"{name} (described)",
                "entity",
                "titles, appositions and role nouns beside the name",
                name,
                by_term,
            )
        )
    return out


def _descriptions(
    article: Article, mention_entity: Mapping[tuple[str, int, int], str]
) -> list[tuple[str, str, int, int, int]]:
    """(entity, description, start, end, sentence) of each description in the article."""
    text = article.text
    out: list[tuple[str, str, int, int, int]] = []
    titled: dict[str, set[str]] = {}  # title noun -> entities given it here
    first_seen: dict[str, int] = {}
    for m in article.mentions:
        eid = mention_entity.get((article.id, m.start, m.end))
        if not eid or m.label not in DESCRIBED:
            continue
        first_seen.setdefault(eid, m.start)
        sentence_start = article.sentences[m.sentence].start if m.sentence < len(article.sentences) else 0
        before = _title_before(text[sentence_start : m.start])
        if before:
            phrase, offset = before
            out.append((eid, match_key(phrase), sentence_start + offset, m.start, m.sentence))
            for word in match_key(phrase).split():
                if word in TITLES:
                    titled.setdefault(word, set()).add(eid)
        after = APPOSITION.match(text[m.end : m.end + 80])
        if after and any(w in TITLES or not w[:1].isupper() for w in after.group(1).split()[1:]):
            phrase = after.group(1)
            out.append((eid, match_key(phrase), m.end, m.end + after.end(1), m.sentence))
    # "the president" after "President Trump": the title noun of one entity of this article.
    for noun, eids in titled.items():
        if len(eids) != 1:
            continue
        (eid,) = eids
        # Not a title of another name ("the president Emmanuel Macron"): no capital follows.
        for found in re.finditer(rf"\b[Tt]he {noun}\b(?!\s+[A-Z])", text):
            if found.start() > first_seen[eid]:
                sentence = next((s.i for s in article.sentences if s.start <= found.start() < s.end), None)
                if sentence is not None:
                    out.append((eid, f"the {noun}", found.start(), found.end(), sentence))
    return out


def _title_before(left: str) -> tuple[str, int] | None:
    """The title right before a name: capitalised words and title nouns (and "of") ending
    at the name, holding a title noun; with its offset in ``left``."""
    words = list(WORD.finditer(left))
    if not words or left[words[-1].end() :].strip():
        return None
    kept: list[re.Match[str]] = []
    for w in reversed(words):
        if kept and left[w.end() : kept[0].start()].strip():
            break  # punctuation between: "In Washington, President Trump"
        token = w.group().rstrip(".").lower()
        if token in TITLES or w.group()[:1].isupper() or (token == "of" and kept):
            kept.insert(0, w)
            if len(kept) >= MAX_TITLE_WORDS:
                break
        else:
            break
    # "of" opens no title; a sentence's first word is capitalised for its place, not a name
    # ("While Mr. Abe", "Receiving French President Macron", "The North Korean leader").
    while kept and (kept[0].group().lower() in FUNCTION_WORDS or kept[0].group().lower().endswith("ing")):
        kept.pop(0)
    if not kept or not any(w.group().rstrip(".").lower() in TITLES for w in kept):
        return None
    return left[kept[0].start() : kept[-1].end()], kept[0].start()
