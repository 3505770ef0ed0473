"""Stage 4, annotate: language and named-entity mentions.

Entities come from spaCy's English pipeline (NER only); articles in another language
keep their sentences but get no mentions, since an English model would invent them.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Article, Mention
from ..nlp import Models

if TYPE_CHECKING:
    from spacy.tokens import Span

#: Entity labels kept: names of people, groups, places, events, laws and works.
#: Numbers, dates and quantities are left to the fact stage.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"})
#: Characters of text the language identifier reads: enough for a stable answer.
LANGUAGE_SAMPLE = 3000
NER_LANGUAGES = frozenset({"en"})
#: Below this many articles, one process is faster than starting workers.
MULTIPROCESS_MIN_TEXTS = 64


def annotate(articles: Sequence[Article], models: Models) -> list[Article]:
    with_lang = [replace(a, language=a.language or detect_language(a.text)) for a in articles]
    english = [i for i, a in enumerate(with_lang) if a.language in NER_LANGUAGES and a.text]
    texts = (with_lang[i].text for i in english)
    docs = models.ner.pipe(texts, batch_size=models.settings.spacy_batch, n_process=processes_for(models, len(english)))
    out = list(with_lang)
    for i, doc in zip(english, docs, strict=True):
        out[i] = replace(out[i], mentions=_mentions(out[i], doc.ents))
    return out


def processes_for(models: Models, n_texts: int) -> int:
    """spaCy worker processes: a process costs a model load (~1 s), so only for many texts."""
    if models.settings.spacy_processes > 0:
        return models.settings.spacy_processes
    return min(os.cpu_count() or 1, 2) if n_texts >= MULTIPROCESS_MIN_TEXTS else 1


def detect_language(text: str) -> str | None:
    if not text.strip():
        return None
    import py3langid

    lang, _ = py3langid.classify(text[:LANGUAGE_SAMPLE])
    return str(lang)


def _mentions(article: Article, ents: Sequence[Span]) -> tuple[Mention, ...]:
    starts = [s.start for s in article.sentences]
    out = []
    for ent in ents:
        label = ent.label_
        if label not in ENTITY_LABELS:
            continue
        start, end = ent.start_char, ent.end_char
        sentence = max(bisect.bisect_right(starts, start) - 1, 0)
        out.append(Mention(text=ent.text, label=label, start=start, end=end, sentence=sentence))
    return tuple(out)
