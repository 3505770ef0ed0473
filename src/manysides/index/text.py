"""Text keys for matching: what two renderings of the same words have in common."""

from __future__ import annotations

import re

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
