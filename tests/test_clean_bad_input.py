"""Bad input never crashes: odd bytes, wrong encodings, mojibake, huge files, relative dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manysides.clean import clean
from manysides.clean.metadata import relative_date
from manysides.ingest import ingest
from manysides.model import RawDocument
from manysides.outlets import default_registry


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000))
def test_ingest_and_clean_survive_random_bytes(data: bytes) -> None:
    docs, skipped = ingest(["-"], stdin=data)
    assert len(docs) + len(skipped) >= 1 or not data.strip()
    for s in skipped:
        assert s.reason and "\n" not in s.reason
    for doc in docs:
        for article in clean(doc, default_registry()):
            assert isinstance(article.text, str)


def test_ingest_fixes_mojibake_and_odd_encodings(tmp_path: Path) -> None:
    (tmp_path / "moji.txt").write_text("NATO’s chief said the alliance is “ready”.", encoding="utf-8")
    (tmp_path / "moji2.txt").write_bytes("NATO’s chief said it.".encode().decode("latin-1").encode("utf-8"))
    (tmp_path / "cp1252.txt").write_bytes(
        "The minister’s “plan” was approved by the parliament today.".encode("cp1252")
    )
    docs, skipped = ingest([str(tmp_path)])
    assert not skipped
    texts = {Path(d.source).name: clean(d, default_registry())[0].text for d in docs}
    assert texts["moji2.txt"] == "NATO’s chief said it."  # "NATOâ€™s" repaired by ftfy
    assert "’s “plan”" in texts["cp1252.txt"]


def test_ingest_skips_a_200_mb_file_with_a_reason(tmp_path: Path) -> None:
    big = tmp_path / "dump.txt"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(200 * 1024 * 1024)
    (tmp_path / "ok.txt").write_text("A small article that is fine.")
    docs, skipped = ingest([str(tmp_path)])
    assert [Path(d.source).name for d in docs] == ["ok.txt"]
    assert "200 MB is larger than the 64 MB limit; split the file" in skipped[0].reason  # (limits.input_bytes)


def test_clean_html_with_no_body_is_skipped_not_crashed() -> None:
    doc = RawDocument(
        source="empty.html", content="<html><head><title>x</title></head><body></body></html>", format="html"
    )
    [article] = clean(doc, default_registry())
    assert article.text == ""


@pytest.mark.parametrize(
    ("line", "reference", "expected"),
    [
        ("From 2h ago", "2024-04-04", "2024-04-04"),
        ("3 days ago", "2024-04-04", "2024-04-01"),
        ("Updated yesterday", "2024-04-04", "2024-04-03"),
        ("an hour ago", "2024-04-04", "2024-04-04"),
        ("2 weeks ago", "2024-04-15", "2024-04-01"),
        ("3 days ago", None, None),
        ("no date here", "2024-04-04", None),
    ],
)
def test_relative_dates_count_back_from_the_page_date(line: str, reference: str | None, expected: str | None) -> None:
    assert relative_date(line, reference) == expected


def test_clean_uses_a_relative_date_only_when_the_text_has_no_date() -> None:
    text = (
        "Headline of the blog\nFrom 3 days ago\nThe minister said the plan would be ready next month, officials said."
    )
    doc = RawDocument(source="blog.txt", content=text, format="text", hints={"retrieved": "2024-04-04"})
    assert clean(doc, default_registry())[0].published == "2024-04-01"
    doc = RawDocument(
        source="blog.txt", content="04 April 2024\n" + text, format="text", hints={"retrieved": "2024-05-01"}
    )
    assert clean(doc, default_registry())[0].published == "2024-04-04"
