"""Fuzzing the parts that read strangers' text: readers, cleaning, segmentation, renderers.

A few hundred examples per property in `make test` (replayed identically under CI);
`make fuzz` runs the same properties far longer (FUZZ_EXAMPLES per property) and prints how
many inputs were tried and what crashed. Inputs that once crashed are kept in
tests/crashes/ and replayed here on every run.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manysides.clean import clean
from manysides.errors import InputError
from manysides.ingest import ingest
from manysides.ingest.readers import read_jsonl
from manysides.model import Article, RawDocument
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.render import render_html, render_markdown, render_terminal
from manysides.render.terminal import CONTROL
from manysides.segment import segment
from manysides.settings import Settings
from small_report import small_report

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
CRASHES = Path(__file__).resolve().parent / "crashes"
MODELS = Models(Settings())
TRIED = Path(os.environ["FUZZ_COUNT"]) if os.environ.get("FUZZ_COUNT") else None

#: Text that looks like what pages hold: words, quotes, markup, odd Unicode, control bytes.
ODD = st.sampled_from(
    ["“", "”", "«", "»", '"', "'", "\u2028", "\u00a0", "\u200b", "\ufeff", "\x00", "\x1b", "\r", "\t"]
)
PIECE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["NATO", "Reuters", " said ", ". ", "\n\n", "<p>", "</p>", "<script>", "&amp;", "Kyiv", ":"]),
    ODD,
)
TEXTISH = st.lists(PIECE, max_size=60).map("".join)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["id", "url", "outlet", "title", "published", "language", "byline", "credits", "text", "html"]
RECORD = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), JSON_VALUE | TEXTISH, max_size=8)


SCRIPTS = render_html(small_report()).count("<script")


def _count() -> None:
    if TRIED is not None:
        with TRIED.open("a") as fh:
            fh.write("1\n")


def _analyse_text(source: str, data: bytes) -> None:
    """Read, clean and segment one input; anything but a one-line reason is a crash."""
    docs, skipped = ingest(["-"], stdin=data)
    assert all(s.reason and "\n" not in s.reason for s in skipped)
    for doc in docs:
        for article in clean(doc, default_registry()):
            [done] = segment([article], MODELS)
            for s in done.sentences:
                assert done.text[s.start : s.end] == s.text


@FUZZ
@given(st.lists(RECORD, max_size=5), st.sampled_from(["\n", "\r\n"]))
def test_fuzz_jsonl_records_never_crash_the_reader(records: list[dict[str, object]], newline: str) -> None:
    _count()
    text = newline.join(json.dumps(r) for r in records) + newline
    try:
        found = list(read_jsonl("f.jsonl", text))
    except InputError:
        return
    for item in found:
        assert isinstance(item, RawDocument | InputError)
        if isinstance(item, RawDocument):
            assert isinstance(item.content, str) and item.content.strip()
            json.dumps(item.hints)  # hints stay plain data


@FUZZ
@given(TEXTISH, st.sampled_from(["text", "html"]))
def test_fuzz_cleaning_and_segmenting_never_crash(text: str, kind: str) -> None:
    _count()
    content = f"<html><body><article>{text}</article></body></html>" if kind == "html" else text
    _analyse_text("x", content.encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_random_bytes_never_crash_ingest(data: bytes) -> None:
    _count()
    _analyse_text("x", data)


@FUZZ
@given(TEXTISH, TEXTISH)
def test_fuzz_renderers_keep_input_inert(title: str, outlet: str) -> None:
    _count()
    report = small_report(evil=title)
    report = replace(report, articles=tuple(replace(a, outlet=outlet or a.outlet) for a in report.articles))
    terminal = render_terminal(report)
    assert not CONTROL.search(terminal.replace("\n", ""))
    markdown = render_markdown(report)
    assert "<script>" not in markdown
    assert render_html(report).count("<script") == SCRIPTS  # only the report's own script block


def _crash_files() -> list[Path]:
    return sorted(p for p in CRASHES.glob("*") if p.is_file()) if CRASHES.is_dir() else []


@pytest.mark.parametrize("path", _crash_files(), ids=lambda p: p.name)
def test_fuzz_crash_corpus_stays_fixed(path: Path) -> None:
    """Inputs that once stopped a run (issue: hostile input), replayed through ingest,
    cleaning and segmentation under their own file name (the extension picks the reader)."""
    docs, skipped = ingest([str(path)])
    assert docs or skipped
    assert all(s.reason and "\n" not in s.reason for s in skipped)
    for doc in docs:
        for article in clean(doc, default_registry()):
            assert isinstance(segment([article], MODELS)[0], Article)
