"""Hostile and odd input (issue: hostile input): each kind found to stop or stall a run now
gets a one-line reason or is read, and the good file beside it is still analysed."""

from __future__ import annotations

import gzip
import json
import os
import resource
import time
from pathlib import Path

import pytest

from manysides.clean import MAX_TEXT_CHARS, clean
from manysides.ingest import MAX_INPUT_BYTES, ingest
from manysides.nlp import Models
from manysides.outlets import default_registry
from manysides.segment import segment
from manysides.settings import Settings

GOOD = "NATO marked its 75th anniversary on Thursday in Brussels, its chief said."


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD)
    return path


def test_hostile_a_fifo_is_refused_and_the_good_file_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    docs, skipped = ingest([str(_good(tmp_path)), str(fifo)])
    assert time.monotonic() - started < 5
    assert [Path(d.source).name for d in docs] == ["good.txt"]
    assert [(Path(s.source).name, "not a regular file" in s.reason) for s in skipped] == [("pipe.txt", True)]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_hostile_devices_are_refused_at_once(device: str, tmp_path: Path) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist on this system")
    started = time.monotonic()
    docs, skipped = ingest([device, str(_good(tmp_path))])
    assert time.monotonic() - started < 5 and len(docs) == 1
    assert "not a regular file" in skipped[0].reason


def test_hostile_a_gzip_bomb_stops_at_the_limit_with_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        block = b"a" * 2**20
        for _ in range(MAX_INPUT_BYTES // 2**20 + 8):
            fh.write(block)
    assert bomb.stat().st_size < 2**20  # a small file that inflates past the limit
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    docs, skipped = ingest([str(bomb), str(_good(tmp_path))])
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(docs) == 1 and "inflates past" in skipped[0].reason
    assert grown_mb < 3 * MAX_INPUT_BYTES / 2**20  # stopped at the limit, not at the end of the stream


def test_hostile_concatenated_and_cut_gzip(tmp_path: Path) -> None:
    both = tmp_path / "two.txt.gz"
    both.write_bytes(gzip.compress(b"NATO marked its anniversary. ") + gzip.compress(GOOD.encode()))
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(GOOD.encode() * 50)[:-30])
    docs, skipped = ingest([str(both), str(cut)])
    assert [d.content for d in docs] == ["NATO marked its anniversary. " + GOOD]
    assert "cut short" in skipped[0].reason or "not a valid gzip" in skipped[0].reason


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"], ids=["utf16-bom", "utf16le", "utf16be", "utf32-bom"]
)
def test_hostile_utf16_and_utf32_text_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(GOOD.encode(encoding))  # "utf-16"/"utf-32" write a BOM, the others none
    docs, skipped = ingest([str(path)])
    assert not skipped and docs[0].content.lstrip("\ufeff") == GOOD


def _jsonl(tmp_path: Path, *lines: str) -> tuple[list[str], list[str]]:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    docs, skipped = ingest([str(path)])
    return [f"{d.source.rsplit('#', 1)[1]} {json.dumps(d.hints, sort_keys=True)}" for d in docs], [
        f"{s.source.rsplit('#', 1)[1]} {s.reason}" for s in skipped
    ]


def test_hostile_jsonl_fields_of_the_wrong_type(tmp_path: Path) -> None:
    text = json.dumps(GOOD)
    docs, skipped = _jsonl(
        tmp_path,
        f'{{"text": {text}, "title": 42, "url": 12345, "byline": "A. Writer"}}',
        f'{{"text": {text}, "title": ["a", "list"]}}',
        f'{{"text": {text}, "byline": 7}}',
        f'{{"text": {text}, "credits": {{"x": 1}}}}',
        f'{{"text": {text}, "id": {"9" * 5000}}}',
        "[" * 100_000 + "]" * 100_000,
    )
    assert docs == ['L1 {"byline": ["A. Writer"], "title": "42", "url": "12345"}']
    reasons = dict(s.split(" ", 1) for s in skipped)
    assert "'title'" in reasons["L2"] and "'byline'" in reasons["L3"] and "'credits'" in reasons["L4"]
    assert "too long" in reasons["L5"] and "nested too deeply" in reasons["L6"]


def test_hostile_jsonl_unicode_line_breaks_and_lone_surrogates(tmp_path: Path) -> None:
    breaks = [
        json.dumps(f"Line one{sep}still the same record: {GOOD}", ensure_ascii=False) for sep in "\u2028\u2029\x85"
    ]
    docs, skipped = _jsonl(
        tmp_path, *(f'{{"text": {t}}}' for t in breaks), f'{{"text": {json.dumps(GOOD)}, "title": "\\ud800 bad"}}'
    )
    assert not skipped and len(docs) == 4  # three records with Unicode line breaks, none split
    assert '"title": "\\ufffd bad"' in docs[3]


def test_hostile_a_huge_single_line_is_cut_with_a_reason_not_an_error() -> None:
    from manysides.model import RawDocument

    line = ("word " * (MAX_TEXT_CHARS // 2)).strip()  # one line, twice the limit
    [article] = clean(RawDocument(source="long.txt", content=line, format="text"), default_registry())
    assert len(article.text) <= MAX_TEXT_CHARS
    assert any("character limit" in r.reason for r in article.removed)
    [done] = segment([article], Models(Settings()))  # spaCy's sentencizer accepts what is left
    assert done.sentences


EVIL_OUTLET = '<img src=x onerror="alert(1)">'
EVIL_TITLE = "Title \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \u202eevil\r"


def _evil_report() -> object:
    from dataclasses import replace

    from small_report import small_report

    report = small_report()
    articles = tuple(
        replace(a, outlet=EVIL_OUTLET if a.outlet == "Reuters" else a.outlet, title=EVIL_TITLE) for a in report.articles
    )
    return replace(report, articles=articles)


def test_hostile_markdown_passes_no_html_from_input() -> None:
    from markdown_it import MarkdownIt

    from manysides.render import render_markdown

    markdown = render_markdown(_evil_report())  # type: ignore[arg-type]
    assert EVIL_OUTLET not in markdown and "\x1b" not in markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "<img" not in html and "onerror" in html  # the words are shown, as text


def test_hostile_terminal_gets_no_control_sequences_from_input() -> None:
    from manysides.render import render_terminal

    text = render_terminal(_evil_report())  # type: ignore[arg-type]
    assert "Title" in text and "red" in text and "link" in text
    assert not any(c in text for c in "\x1b\x07\r\u202e")


def test_hostile_a_reused_id_with_other_text_is_named_as_such(tmp_path: Path) -> None:
    from manysides.outlets import default_registry
    from manysides.pipeline import clean_documents

    path = tmp_path / "ids.jsonl"
    path.write_text(
        json.dumps({"id": "a1", "text": GOOD}) + "\n" + json.dumps({"id": "a1", "text": GOOD + " More."}) + "\n"
    )
    docs, _ = ingest([str(path)])
    kept, skipped = clean_documents(docs, default_registry(), Settings())
    assert [a.id for a in kept] == ["a1"]
    assert "same id 'a1'" in skipped[0].reason and "own id" in skipped[0].reason


def test_hostile_limits_are_settings_enforced_where_input_is_read(tmp_path: Path) -> None:
    from manysides.pipeline import _read, clean_documents
    from manysides.settings import load_settings

    config = tmp_path / "tight.toml"
    config.write_text("[limits]\ninput_bytes = 4096\narticle_chars = 1000\n")
    tight = load_settings(config, env={})
    (tmp_path / "big.txt").write_text(GOOD * 100)  # about 7 KB
    (tmp_path / "long.jsonl").write_text(json.dumps({"text": " ".join([GOOD] * 30)}) + "\n")
    docs, skipped = _read([str(tmp_path / "big.txt"), str(tmp_path / "long.jsonl")], None, None, None, tight)
    assert [Path(s.source).name for s in skipped] == ["big.txt"] and "limits.input_bytes" in skipped[0].reason
    [article], _ = clean_documents(docs, default_registry(), tight)
    assert len(article.text) <= 1000 and any("limits.article_chars" in r.reason for r in article.removed)


@pytest.mark.parametrize("name", ["[/0]", "[/]", "[red]styled[/red]", "[link=http://x.example]x[/link]"])
def test_hostile_rich_markup_in_input_is_shown_as_text(name: str) -> None:
    """Found by make fuzz (221,338 inputs): an outlet named "[/0]" crashed the terminal
    summary, since rich parsed table cells as markup."""
    from dataclasses import replace

    from manysides.render import render_terminal
    from small_report import small_report

    report = small_report()
    report = replace(report, articles=tuple(replace(a, outlet=name) for a in report.articles))
    assert name in render_terminal(report)
