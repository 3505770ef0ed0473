"""Stage 9, entities: named-entity mentions linked across articles into canonical entities.

People: mentions with a first name and surname are one person when their surnames and
first names are alike after transliteration and folding accents and case (rapidfuzz
ratio; "Dmytro Kuleba", the machine translation's "Dmitro Kouleba", Russian "Дмитрий
Кулеба"); a surname alone ("Peskov") or a title
with the name ("Kremlin spokesman Dmitry Peskov") joins the person with that surname,
preferring one named in the same article. Organisations and places: the same words after
folding, or an acronym of the other's words ("NATO" / "North Atlantic Treaty
Organization"). Spelling choices that are framing ("Kyiv" / "Kiev") stay apart here:
the word-choice stage reports them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz

from ..model import Article, Entity
from ..settings import EntitiesSettings

#: Thresholds: ``settings.EntitiesSettings`` (their calibration notes in data/defaults.toml).
DEFAULTS = EntitiesSettings()
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "president",
        "prime",
        "minister",
        "secretary",
        "general",
        "chancellor",
        "spokesman",
        "spokeswoman",
        "senator",
        "sen",
        "gov",
        "governor",
        "rep",
        "foreign",
        "defence",
        "defense",
        "chief",
        "king",
        "queen",
        "pope",
        "gen",
        "lt",
        "col",
    ]
)
TYPES = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "NORP": "group", "FAC": "place"}


@dataclass(frozen=True)
class _Mention:
    article_id: str
    text: str
    label: str
    start: int
    end: int


def link_entities(
    articles: Sequence[Article], params: EntitiesSettings = DEFAULTS
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """The entities of all articles, and each mention's entity id keyed (article, start, end)."""
    mentions = [
        _Mention(a.id, m.text, m.label, m.start, m.end) for a in articles for m in a.mentions if m.label in TYPES
    ]
    # A surname the tagger took for an organisation or place ("Stoltenberg said") is the
    # person when a full name with that surname is known.
    surnames = {name_parts(m.text)[-1] for m in mentions if m.label == "PERSON" and len(name_parts(m.text)) >= 2}
    mentions = [
        _Mention(m.article_id, m.text, "PERSON", m.start, m.end)
        if m.label != "PERSON" and " " not in m.text.strip() and fold(m.text) in surnames
        else m
        for m in mentions
    ]
    groups: list[list[_Mention]] = _people([m for m in mentions if m.label == "PERSON"], params) + _others(
        [m for m in mentions if m.label != "PERSON"]
    )
    entities, index = [], {}
    for group in groups:
        entity = _entity(group)
        entities.append(entity)
        for m in group:
            index[m.article_id, m.start, m.end] = entity.id
    entities.sort(key=lambda e: (-len(e.article_ids), e.type, e.name))
    return entities, index


def fold(text: str) -> str:
    """Lower case ASCII letters and spaces: any script transliterated (``anyascii``: Кулеба,
    Kułeba -> kuleba), accents, apostrophes and punctuation removed."""
    ascii_text = anyascii(unicodedata.normalize("NFC", text))
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", ascii_text.lower().replace("'s", "")).split())


def name_parts(text: str) -> list[str]:
    """The name's words without titles: "Kremlin spokesman Dmitry Peskov" -> [dmitry, peskov]."""
    words = fold(text).split()
    # Titles and roles stand before the name: keep the capitalised run at the end.
    raw = text.split()
    keep = len(words)
    for k in range(len(raw) - 1, -1, -1):
        if raw[k][:1].isupper() and fold(raw[k]) not in TITLES:
            keep = k
        else:
            break
    tail = fold(" ".join(raw[keep:])).split()
    return tail or words


def _people(mentions: list[_Mention], params: EntitiesSettings) -> list[list[_Mention]]:
    full: list[tuple[list[str], list[_Mention]]] = []  # (first names + surname, mentions)
    # Blocking: surnames alike at surname_similarity share their first letter (in practice).
    by_initial: dict[str, list[tuple[list[str], list[_Mention]]]] = {}
    single: list[_Mention] = []
    for m in sorted(mentions, key=lambda m: (-len(name_parts(m.text)), m.article_id, m.start)):
        parts = name_parts(m.text)
        if len(parts) < 2:
            single.append(m)
            continue
        block = by_initial.setdefault(parts[-1][:1], [])
        for names, members in block:
            if _same_person(names, parts, params):
                members.append(m)
                break
        else:
            entry = (parts, [m])
            full.append(entry)
            block.append(entry)
    alone: dict[str, list[_Mention]] = {}
    for m in single:
        parts = name_parts(m.text) or [fold(m.text)]
        matches = [
            (names, members)
            for names, members in by_initial.get(parts[-1][:1], [])
            if fuzz.ratio(names[-1], parts[-1]) / 100.0 >= params.surname_similarity
        ]
        same_article = [x for x in matches if any(o.article_id == m.article_id for o in x[1])]
        pick = same_article or (matches if len(matches) == 1 else [])
        if pick:
            pick[0][1].append(m)
        else:
            alone.setdefault(parts[-1], []).append(m)
    return [members for _, members in full] + list(alone.values())


def _same_person(a: list[str], b: list[str], params: EntitiesSettings) -> bool:
    if fuzz.ratio(a[-1], b[-1]) / 100.0 < params.surname_similarity:
        return False
    fa, fb = a[0], b[0]
    if len(fa) == 1 or len(fb) == 1:
        return fa[0] == fb[0]
    return fuzz.ratio(fa, fb) / 100.0 >= params.first_name_similarity


def _others(mentions: list[_Mention]) -> list[list[_Mention]]:
    groups: dict[tuple[str, str], list[_Mention]] = {}
    for m in sorted(mentions, key=lambda m: (m.article_id, m.start)):
        groups.setdefault((TYPES[m.label], _org_key(m.text)), []).append(m)
    # "NATO" joins "North Atlantic Treaty Organization" (an acronym of its words).
    keys = sorted(groups, key=lambda k: (-len(k[1]), k))
    for kind, short in keys:
        if " " in short or (kind, short) not in groups:
            continue
        for other_kind, other in keys:
            if other_kind == kind and " " in other and _acronym(other) == short and (other_kind, other) in groups:
                groups[other_kind, other].extend(groups.pop((kind, short)))
                break
    return list(groups.values())


def _org_key(text: str) -> str:
    words = fold(text).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _acronym(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in {"of", "the", "and", "for"})


def _entity(group: list[_Mention]) -> Entity:
    surfaces = Counter(m.text for m in group)
    label = Counter(m.label for m in group).most_common(1)[0][0]
    # The name: the most frequent of the longest forms (a full name over a surname).
    longest = max(len(name_parts(t)) for t in surfaces)
    name = min((t for t in surfaces if len(name_parts(t)) == longest), key=lambda t: (-surfaces[t], len(t), t))
    if label == "PERSON":
        name = " ".join(name.split()[-longest:])
    digest = hashlib.sha1(f"{TYPES[label]}:{fold(name)}".encode()).hexdigest()[:10]
    return Entity(
        id=f"e{digest}",
        name=name,
        type=TYPES[label],
        variants=tuple(sorted(surfaces, key=lambda t: (-surfaces[t], t))),
        article_ids=tuple(sorted({m.article_id for m in group})),
    )
