"""Stage 3, segment: an article's clean text into sentences with character offsets.

Paragraphs (blank-line separated) are split first, then spaCy's rule sentencizer splits
each paragraph: a statistical parser merges datelines, headlines and bullets into their
neighbours, the rule splitter does not (shared/STACK.md). The sentencizer runs behind the
article's language's tokenizer rules (``Models.sentencizer_for``), so that "Sr." or
"z. B." does not end a sentence and Chinese splits at 。
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from ..model import Article, Sentence
from ..nlp import Models

OPENING_QUOTES = '“‘«„"'
PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


def segment(articles: Iterable[Article], models: Models) -> list[Article]:
    return [replace(a, sentences=split_sentences(a.text, models, a.language)) for a in articles]


def split_sentences(text: str, models: Models, language: str | None = "en") -> tuple[Sentence, ...]:
    spans: list[tuple[int, int]] = []
    paragraphs = [(m.start(), m.group()) for m in PARAGRAPH.finditer(text)]
    docs = models.sentencizer_for(language or "en").pipe(p for _, p in paragraphs)
    for (offset, _), doc in zip(paragraphs, docs, strict=True):
        bounds = [[offset + sent.start_char, offset + sent.end_char] for sent in doc.sents]
        _move_opening_quotes(text, bounds)
        for raw_start, raw_end in bounds:
            start, end = _trim(text, raw_start, raw_end)
            if end > start:
                spans.append((start, end))
    return tuple(Sentence(i=i, text=text[s:e], start=s, end=e) for i, (s, e) in enumerate(spans))


def _move_opening_quotes(text: str, bounds: list[list[int]]) -> None:
    """An opening quote that the splitter left at the end of a sentence starts the next one."""
    for k in range(len(bounds) - 1):
        end = bounds[k][1]
        while end > bounds[k][0] and text[end - 1].isspace():
            end -= 1
        if end - 1 > bounds[k][0] and text[end - 1] in OPENING_QUOTES and text[end - 2].isspace():
            bounds[k][1] = end - 1
            bounds[k + 1][0] = end - 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
