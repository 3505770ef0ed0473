from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from manysides.nlp import Models
from manysides.segment import split_sentences
from manysides.settings import Settings

MODELS = Models(Settings())


def test_segment_sentences_index_the_text() -> None:
    text = 'MOSCOW, April 4 (Reuters) - Russia said so. The U.S.-led alliance agreed.\n\nHe said "yes" to it.'
    sentences = split_sentences(text, MODELS)
    assert [s.text for s in sentences] == [
        "MOSCOW, April 4 (Reuters) - Russia said so.",
        "The U.S.-led alliance agreed.",
        'He said "yes" to it.',
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.i for s in sentences] == [0, 1, 2]


def test_segment_opening_quote_starts_the_next_sentence() -> None:
    text = "“Europe needs America,” he stressed on Thursday. “But America also needs Europe,” he added."
    sentences = split_sentences(text, MODELS)
    assert [s.text for s in sentences] == [
        "“Europe needs America,” he stressed on Thursday.",
        "“But America also needs Europe,” he added.",
    ]


def test_segment_never_crosses_a_paragraph_break() -> None:
    text = "Headline without a stop\n\nBody sentence one. Body two"
    assert [s.text for s in split_sentences(text, MODELS)] == [
        "Headline without a stop",
        "Body sentence one.",
        "Body two",
    ]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_segment_offsets_hold_for_any_text(text: str) -> None:
    sentences = split_sentences(text, MODELS)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(sentences))
