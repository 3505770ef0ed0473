"""What changed between two versions of an article: the sentences added and removed (a
sentence diff, difflib over the two sentence lists), the figures a rewritten sentence
changed ("12 killed" -> "15 killed"), and a correction notice in the new text.

A version is the same URL fetched again with other text (``watch``, or ``ingest`` of a page
already in the collection); the collection keeps every version and the story's analysis
reads the latest.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from ..model import FigureChange, VersionDiff

#: A figure: digits with their separators ("1,200", "3.5", "12"), not part of a word.
FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
#: How a publisher says that a version corrects an earlier one (English newsroom usage:
#: "Corrects figure in paragraph 3", "This article has been corrected", "An earlier version
#: of this story misstated ...", "Clarification:").
CORRECTION = re.compile(
    r"\b(?:correct(?:s|ed|ion)\b|an earlier version of this|clarification\b|this (?:story|article) has been updated)",
    re.IGNORECASE,
)
#: Two sentences of a replaced run are one rewritten sentence when this similar (difflib ratio).
SAME_SENTENCE = 0.6


def version_diff(old: Sequence[str], new: Sequence[str]) -> VersionDiff:
    """The change from sentences ``old`` to sentences ``new`` (``number`` is left 0: the
    collection numbers a version when it keeps it, ``Collection.add_version``)."""
    added: list[str] = []
    removed: list[str] = []
    figures: list[FigureChange] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        gone, came = list(old[a0:a1]), list(new[b0:b1])
        removed += gone
        added += came
        for before in gone:  # a rewritten sentence: which figures changed in it
            match = max(came, key=lambda s: difflib.SequenceMatcher(a=before, b=s).ratio(), default=None)
            if match is None or difflib.SequenceMatcher(a=before, b=match).ratio() < SAME_SENTENCE:
                continue
            was, now = FIGURE.findall(before), FIGURE.findall(match)
            if was != now:
                lost = [f for f in was if f not in now]
                got = [f for f in now if f not in was]
                for a, b in zip(lost, got, strict=False):
                    figures.append(FigureChange(old=a, new=b, sentence=match))
    notice = next((s for s in added if CORRECTION.search(s)), None)
    return VersionDiff(tuple(added), tuple(removed), tuple(figures), notice)
