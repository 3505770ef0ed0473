"""Stage 3, segment: an article's clean text into sentences with character offsets.

Paragraphs (blank-line separated) are split first, then spaCy's rule sentencizer splits
each paragraph: a statistical parser merges datelines, headlines and bullets into their
neighbours, the rule splitter does not (shared/STACK.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from ..model import Article, Sentence
from ..nlp import Models

PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


def segment(articles: Iterable[Article], models: Models) -> list[Article]:
    return [replace(a, sentences=split_sentences(a.text, models)) for a in articles]


def split_sentences(text: str, models: Models) -> tuple[Sentence, ...]:
    spans: list[tuple[int, int]] = []
    paragraphs = [(m.start(), m.group()) for m in PARAGRAPH.finditer(text)]
    docs = models.sentencizer.pipe(p for _, p in paragraphs)
    for (offset, _), doc in zip(paragraphs, docs, strict=True):
        for sent in doc.sents:
            start, end = _trim(text, offset + sent.start_char, offset + sent.end_char)
            if end > start:
                spans.append((start, end))
    return tuple(Sentence(i=i, text=text[s:e], start=s, end=e) for i, (s, e) in enumerate(spans))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
