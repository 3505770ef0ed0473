"""Stage 4, annotate: language and named-entity mentions.

Entities come from spaCy's pipeline for the article's language (English; French); an
article in a language without an official spaCy pipeline on PyPI keeps its sentences but
gets no mentions, since another language's model would invent them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import Article, Mention
from ..nlp import Models
from ..workers import map_chunks, worker_count

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

#: Entity labels kept: names of people, groups, places, events, laws and works.
#: Numbers, dates and quantities are left to the fact stage.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"})
#: Characters of text the language identifier reads: enough for a stable answer.
LANGUAGE_SAMPLE = 3000
#: Labels of the other languages' pipelines (WikiNER's PER, LOC, ORG; MISC dropped) in
#: OntoNotes' terms, which the later stages read.
LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
#: py3langid's regional varieties written with the standard language's script and rules,
#: read as that language (its sentence rules, word frequencies, lexicon forms): a short
#: Mandarin news text comes out as Wu ("wuu"), Egyptian or Moroccan Arabic as "arz"/"ary".
VARIANTS = {"wuu": "zh", "yue": "zh", "arz": "ar", "ary": "ar", "uzs": "uz", "gug": "gn"}
#: Below this many articles, one process is faster than starting workers.
MULTIPROCESS_MIN_TEXTS = 64


def annotate(articles: Sequence[Article], models: Models) -> list[Article]:
    with_lang = [replace(a, language=a.language or detect_language(a.text)) for a in articles]
    out = list(with_lang)
    for language in sorted({a.language for a in with_lang if a.language}):
        pipeline = models.ner_for(language)
        if pipeline is None:
            continue  # no trusted model for it: no mentions rather than invented ones
        chosen = [i for i, a in enumerate(with_lang) if a.language == language and a.text]
        nlp = (pipeline, models.settings.spacy_batch)
        found = map_chunks(_entities, nlp, [with_lang[i] for i in chosen], processes_for(models, len(chosen)))
        for i, mentions in zip(chosen, found, strict=True):
            out[i] = replace(out[i], mentions=mentions)
    return out


def _entities(nlp: tuple[Language, int], articles: Sequence[Article]) -> list[tuple[Mention, ...]]:
    """NER over a chunk of articles (in a worker process or the parent); ``nlp`` is the
    pipeline and its batch size (``spacy_batch``: small batches keep memory flat)."""
    docs = nlp[0].pipe((a.text for a in articles), batch_size=nlp[1])
    return [_mentions(a, doc.ents) for a, doc in zip(articles, docs, strict=True)]


def processes_for(models: Models, n_texts: int) -> int:
    """spaCy worker processes (forked, so they share the loaded model): ``spacy_processes``,
    or with 0 one per core from MULTIPROCESS_MIN_TEXTS articles on."""
    return worker_count(n_texts, models.settings.spacy_processes, MULTIPROCESS_MIN_TEXTS)


def detect_language(text: str) -> str | None:
    if not text.strip():
        return None
    import py3langid

    lang, _ = py3langid.classify(text[:LANGUAGE_SAMPLE])
    return VARIANTS.get(str(lang), str(lang))


def _mentions(article: Article, ents: Sequence[Span]) -> tuple[Mention, ...]:
    starts = [s.start for s in article.sentences]
    out = []
    places = place_names()
    # A place name that is also the surname of a person the article names in full stays a
    # person ("Rep. Jim Jordan ... Jordan said").
    surnames = {e.text.split()[-1] for e in ents if e.label_ in ("PERSON", "PER") and len(e.text.split()) >= 2}
    for ent in ents:
        # English pipelines speak OntoNotes already (their LOC is a LOC: "Europe").
        label = ent.label_ if article.language == "en" else LABELS.get(ent.label_, ent.label_)
        if label not in ENTITY_LABELS:
            continue
        if label == "PERSON" and ent.text in places and ent.text not in surnames:
            label = "GPE"  # "support for Kyiv": the small English model takes some capitals for people
        start, end = ent.start_char, ent.end_char
        sentence = max(bisect.bisect_right(starts, start) - 1, 0)
        out.append(Mention(text=ent.text, label=label, start=start, end=end, sentence=sentence))
    return tuple(out)


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Names that are places whatever the tagger says: every country, its short names and
    its capital (``framing.metonyms.load_states``) and the place spellings of the
    word-choice lexicon (``framing.load_lexicon``: "Kiev", "Kharkov", "Odessa"). spaCy's small English model tags
    "Kyiv" PERSON in all six of its mentions in the seed coverage ("sustain support for
    Kyiv, the Nato chief said"), which made Kyiv a person and the speaker of a quote. In
    384 PolNeAR articles (dev and 300 of train; 2026-12-03, a one-off count) 7 mentions of
    these names were tagged PERSON: 6 places (Mali twice, Chad, Bamako, Bermuda, Jordan)
    and Rep. Jim Jordan ("Jordan said"), whom the surname check keeps a person."""
    from ..framing import load_lexicon
    from ..framing.metonyms import load_states

    states, _ = load_states()
    names = {n for state in states for n in (*state.names, state.capital)}
    for concept in load_lexicon():
        if concept.concept.endswith("(spelling)"):
            names.update(form for _, form, _ in concept.forms)
    return frozenset(names)


#: Action words: what claims of two articles must share besides a name to speak of one
#: happening (``reuse.claims``).
ACTION_POS = frozenset({"VERB", "NOUN"})


def action_words(articles: Sequence[Article], models: Models) -> dict[str, tuple[tuple[int, str], ...]]:
    """Per English article, (offset into its text, lemma) of each verb and noun that is not
    a stop word or a reporting verb: what happened and to what ("kill", "arrest",
    "rehab", "quake"). spaCy's tagger and lemmatizer (no parse), in worker processes as
    the names are; other languages get none."""
    out: dict[str, tuple[tuple[int, str], ...]] = {a.id: () for a in articles}
    chosen = [a for a in articles if a.language == "en" and a.text]
    if chosen:
        nlp = (models.parser, models.settings.spacy_batch)
        found = map_chunks(_actions, nlp, chosen, processes_for(models, len(chosen)))
        out.update({a.id: words for a, words in zip(chosen, found, strict=True)})
    return out


def _actions(nlp: tuple[Language, int], articles: Sequence[Article]) -> list[tuple[tuple[int, str], ...]]:
    from spacy.lang.en.stop_words import STOP_WORDS

    from ..quotes.extract import REPORTING_VERBS

    common = STOP_WORDS | REPORTING_VERBS
    docs = nlp[0].pipe((a.text for a in articles), batch_size=nlp[1], disable=["parser"])
    out = []
    for doc in docs:
        words = ((w.idx, w.lemma_.lower()) for w in doc if w.pos_ in ACTION_POS)
        out.append(tuple((at, lemma) for at, lemma in words if lemma not in common and lemma.isalpha()))
    return out
