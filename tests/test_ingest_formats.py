from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from manysides.errors import ManifestError
from manysides.ingest import ingest, load_manifest


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def test_ingest_reads_text_html_jsonl_and_gzip(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Plain text article body.")
    write(tmp_path / "b.html", "<html><body><p>Hello</p></body></html>")
    write(tmp_path / "c.jsonl", json.dumps({"id": "x1", "outlet": "AP", "text": "One."}) + "\n")
    write(tmp_path / "d.txt.gz", gzip.compress(b"Gzipped text."))
    docs, skipped = ingest([str(tmp_path)])
    assert skipped == []
    assert [(Path(d.source.partition("#")[0]).name, d.format) for d in docs] == [
        ("a.txt", "text"),
        ("b.html", "html"),
        ("c.jsonl", "text"),
        ("d.txt.gz", "text"),
    ]
    assert docs[2].hints == {"id": "x1", "outlet": "AP"}
    assert docs[3].content == "Gzipped text."


def test_ingest_jsonl_bad_lines_are_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "1", "text": "Good."}),
        "[1, 2]",
        "{not json",
        json.dumps({"id": "3", "title": "no body"}),
        "",
        json.dumps({"id": "4", "html": "<p>Good too.</p>"}),
    ]
    write(tmp_path / "feed.jsonl", "\n".join(lines))
    docs, skipped = ingest([str(tmp_path / "feed.jsonl")])
    assert [d.hints["id"] for d in docs] == ["1", "4"]
    assert docs[1].format == "html"
    reasons = {s.source.rsplit("#", 1)[1]: s.reason for s in skipped}
    assert set(reasons) == {"L2", "L3", "L4"}
    assert "expected a JSON object per line, found list" in reasons["L2"]
    assert "not valid JSON" in reasons["L3"]
    assert 'neither "text" nor "html"' in reasons["L4"]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", "", "empty"),
        ("blank.txt", "  \n\n ", "empty"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "unknown format '.png'"),
        ("binary.txt", b"abc\x00\x01\x02def", "binary data"),
        ("broken.txt.gz", b"not gzip at all", "not a valid gzip file"),
    ],
)
def test_ingest_bad_file_gets_one_line_reason(tmp_path: Path, name: str, data: str | bytes, expected: str) -> None:
    write(tmp_path / "good.txt", "A good article.")
    write(tmp_path / name, data)
    docs, skipped = ingest([str(tmp_path)])
    assert [Path(d.source).name for d in docs] == ["good.txt"]
    assert len(skipped) == 1 and Path(skipped[0].source).name == name
    assert expected in skipped[0].reason and "\n" not in skipped[0].reason


def test_ingest_missing_path_empty_folder_and_unmatched_glob(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    docs, skipped = ingest([str(tmp_path / "nope.txt"), str(tmp_path / "empty"), str(tmp_path / "*.xyz")])
    assert docs == []
    reasons = [s.reason for s in skipped]
    assert any("no such file" in r for r in reasons)
    assert any("folder holds no files" in r for r in reasons)
    assert any("pattern matches no file" in r for r in reasons)


def test_ingest_glob_and_latin1_decoding(tmp_path: Path) -> None:
    write(tmp_path / "x1.txt", "Caf\xe9 de la Paix est ouvert.".encode("latin-1"))
    write(tmp_path / "x2.txt", "Second.")
    docs, skipped = ingest([str(tmp_path / "x*.txt")])
    assert not skipped
    assert docs[0].content.startswith("Café")


def test_ingest_stdin_is_sniffed() -> None:
    docs, _ = ingest(["-"], stdin=b'{"id": "s", "text": "From a pipe."}\n')
    assert docs[0].hints["id"] == "s" and docs[0].source == "<stdin>#L1"
    docs, _ = ingest(["-"], stdin=b"<!doctype html><html><body><p>x</p></body></html>")
    assert docs[0].format == "html"
    docs, _ = ingest(["-"], stdin=b"Just text.")
    assert docs[0].format == "text"


def test_ingest_order_of_inputs_does_not_matter(tmp_path: Path) -> None:
    for n in "cab":
        write(tmp_path / f"{n}.txt", f"Article {n}.")
    first, _ = ingest([str(tmp_path / "c.txt"), str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    second, _ = ingest([str(tmp_path / "b.txt"), str(tmp_path / "c.txt"), str(tmp_path / "a.txt")])
    assert first == second


def test_manifest_gives_outlet_and_jsonl_fields_win(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Body.")
    write(tmp_path / "f.jsonl", json.dumps({"outlet": "Own", "text": "Body."}))
    manifest = write(
        tmp_path / "manifest.toml",
        '[[file]]\npath = "a.txt"\noutlet = "Reuters"\nurl = "https://x.test/a"\n'
        '[[file]]\npath = "f.jsonl"\noutlet = "Manifest"\npublished = "2024-01-02"\n',
    )
    docs, _ = ingest([str(tmp_path)], load_manifest(manifest))
    assert docs[0].hints == {"outlet": "Reuters", "url": "https://x.test/a"}
    assert docs[1].hints == {"outlet": "Own", "published": "2024-01-02"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[file]\nbad", "not valid TOML"),
        ("title = 'x'", "expected [[file]] tables"),
        ("[[file]]\noutlet='x'", "has no path"),
    ],
)
def test_manifest_errors_say_how_to_fix(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "m.toml", text)
    with pytest.raises(ManifestError, match=re.escape(expected)):
        load_manifest(path)
