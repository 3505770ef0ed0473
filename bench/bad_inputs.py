"""The bad-input suite: every kind of hostile or broken input tried beside one good file,
through the real command line, with its outcome, time and peak memory.

    python -m bench.bad_inputs [--kinds NAME ...]

Each kind runs as ``manysides compare good.txt BAD --json OUT --quiet`` in its own process;
the target for each: exit 0 (the good file is analysed), a one-line reason for the bad
input, at most 10 s beyond what two good files take, at most 2 GB peak memory.
``kinds()`` is also what ``tests/test_bad_inputs.py`` checks without the models.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

GOOD = "NATO marked its 75th anniversary on Thursday in Brussels, its secretary general said.\n" * 3
#: (kind, file name, how to make it in a folder)
Maker = Callable[[Path], None]


def _write(name: str, data: bytes | str) -> Maker:
    def make(folder: Path) -> None:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", errors="surrogatepass"))

    return make


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe.txt")


def _gzip_of(name: str, data: bytes) -> Maker:
    return _write(name, gzip.compress(data, 9))


def _jsonl(*records: str) -> bytes:
    return ("\n".join(records) + "\n").encode("utf-8", errors="surrogatepass")


TEXT = json.dumps(GOOD)
LINE_BREAK_RECORDS = [json.dumps({"text": f"A{c}B. {GOOD}"}, ensure_ascii=False) for c in "\u2028\x85"]
SAME_ID_RECORDS = [json.dumps({"id": "x", "text": f"{n}. {GOOD}"}) for n in ("One", "Two")]


def kinds() -> list[tuple[str, str, Maker]]:
    """Every kind of bad input the suite tries: (kind, file name, maker)."""
    return [
        ("empty file", "empty.txt", _write("empty.txt", b"")),
        ("whitespace only", "blank.txt", _write("blank.txt", b" \n\t\n")),
        ("binary bytes", "bin.txt", _write("bin.txt", bytes(range(256)) * 8)),
        ("unknown extension", "data.xyz", _write("data.xyz", GOOD)),
        ("FIFO named .txt", "pipe.txt", _fifo),
        ("single 5 MB line", "line.txt", _write("line.txt", "word " * 1_000_000)),
        ("UTF-16 with BOM", "u16.txt", _write("u16.txt", GOOD.encode("utf-16"))),
        ("UTF-16 without BOM", "u16le.txt", _write("u16le.txt", GOOD.encode("utf-16-le"))),
        ("UTF-32 with BOM", "u32.txt", _write("u32.txt", GOOD.encode("utf-32"))),
        ("latin-1 text", "latin.txt", _write("latin.txt", "Café à Brüssel, the minister said.".encode("latin-1"))),
        ("invalid JSON line", "bad.jsonl", _write("bad.jsonl", b'{"text": "unterminated\n')),
        ("JSON array, not object", "arr.jsonl", _write("arr.jsonl", b"[1, 2, 3]\n")),
        ("no text field", "notext.jsonl", _write("notext.jsonl", b'{"title": "only a title"}\n')),
        ("title a number", "t42.jsonl", _write("t42.jsonl", _jsonl(f'{{"text": {TEXT}, "title": 42}}'))),
        ("title a list", "tlist.jsonl", _write("tlist.jsonl", _jsonl(f'{{"text": {TEXT}, "title": ["a"]}}'))),
        ("url a number", "url.jsonl", _write("url.jsonl", _jsonl(f'{{"text": {TEXT}, "url": 12345}}'))),
        ("byline a number", "by.jsonl", _write("by.jsonl", _jsonl(f'{{"text": {TEXT}, "byline": 7}}'))),
        ("credits a number", "cr.jsonl", _write("cr.jsonl", _jsonl(f'{{"text": {TEXT}, "credits": 7}}'))),
        ("nested 100,000 deep", "deep.jsonl", _write("deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")),
        ("id of 5,000 digits", "bigid.jsonl", _write("bigid.jsonl", _jsonl(f'{{"id": {"9" * 5000}, "text": {TEXT}}}'))),
        (
            "lone surrogate in title",
            "sur.jsonl",
            _write("sur.jsonl", _jsonl(f'{{"text": {TEXT}, "title": "\\ud800"}}')),
        ),
        ("U+2028 inside records", "ls.jsonl", _write("ls.jsonl", _jsonl(*LINE_BREAK_RECORDS))),
        ("same id, other text", "dup.jsonl", _write("dup.jsonl", _jsonl(*SAME_ID_RECORDS))),
        ("gzip cut short", "cut.txt.gz", _write("cut.txt.gz", gzip.compress(GOOD.encode() * 50)[:-30])),
        ("not gzip at all", "fake.txt.gz", _write("fake.txt.gz", b"plain text pretending")),
        ("gzip bomb (1 GiB of text)", "bomb.txt.gz", _gzip_of("bomb.txt.gz", b"all work and no play " * (2**30 // 21))),
        ("gzip of zeros (100 MB)", "zeros.txt.gz", _gzip_of("zeros.txt.gz", b"\0" * (100 * 2**20))),
        ("not a WARC", "bad.warc", _write("bad.warc", b"not a warc at all")),
        ("empty feed", "empty.rss", _write("empty.rss", b"<rss><channel></channel></rss>")),
        (
            "billion laughs feed",
            "laughs.rss",
            _write(
                "laughs.rss",
                b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                + b"".join(
                    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                    for i in range(1, 10)
                )
                + b"]><rss><channel><title>&lol9;</title></channel></rss>",
            ),
        ),
        ("HTML with no body", "nobody.html", _write("nobody.html", b"<html><head><title>x</title></head></html>")),
        (
            "HTML script only",
            "script.html",
            _write("script.html", b"<html><body><script>alert(1)</script></body></html>"),
        ),
        ("control characters", "ctrl.txt", _write("ctrl.txt", "\x1b[31mred\x1b[0m \x07 " + GOOD)),
    ]


def run_one(kind: str, name: str, make: Maker, folder: Path) -> dict[str, object]:
    case = folder / kind.replace(" ", "-").replace(",", "")
    case.mkdir()
    (case / "good.txt").write_text(GOOD)
    make(case)
    out = case / "report.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "manysides",
            "compare",
            str(case / "good.txt"),
            str(case / name),
            "--json",
            str(out),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    reasons = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    analysed = json.loads(out.read_text())["articles"] if out.exists() else []
    return {
        "kind": kind,
        "exit": proc.returncode,
        "seconds": seconds,
        "peak_mb": max(peak, before.ru_maxrss / 1024),
        "articles": len(analysed),
        "outcome": reasons[0].split(": ", 1)[-1] if reasons else ("read" if len(analysed) > 1 else "-"),
        "traceback": "Traceback" in proc.stderr,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", nargs="*", help="only these kinds (by name)")
    args = parser.parse_args()
    chosen = [k for k in kinds() if not args.kinds or k[0] in args.kinds]
    with tempfile.TemporaryDirectory() as tmp:
        # The baseline holds two readable articles, as a bad input that is read does: they form
        # a story, so the sentence model loads (seconds) in both.
        second = _write("good2.txt", GOOD.replace("NATO", "The alliance"))
        baseline = run_one("two good files", "good2.txt", second, Path(tmp))
        print(
            f"bad-input suite: {len(chosen)} kinds, each beside one good file; two good files: "
            f"{baseline['seconds']:.1f} s (+s: beyond that)"
        )
        print(f"{'kind':<28} {'exit':>4} {'s':>6} {'+s':>6} {'articles':>8}  outcome")
        worst = 0.0
        for kind, name, make in chosen:
            r = run_one(kind, name, make, Path(tmp))
            extra = float(r["seconds"]) - float(baseline["seconds"])  # type: ignore[arg-type]
            worst = max(worst, extra)
            flag = "  TRACEBACK" if r["traceback"] else ""
            outcome = str(r["outcome"])[:90]
            print(f"{kind:<28} {r['exit']:>4} {r['seconds']:>6.1f} {extra:>+6.1f} {r['articles']:>8}  {outcome}{flag}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"largest time beyond two good files: {worst:.1f} s; peak memory of any run: {peak:.0f} MB")


if __name__ == "__main__":
    main()
