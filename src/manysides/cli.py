"""The ``manysides`` command. Data goes to stdout, progress and messages to stderr."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ManysidesError, NothingToAnalyse
from .ingest import Fetcher
from .model import Report
from .outlets import load_registry
from .pipeline import compare
from .render import render_html, render_json, render_markdown
from .settings import load_settings

EXAMPLES = """\
examples:
  manysides compare examples/nato-2024-04-04
  manysides compare articles/*.txt --manifest manifest.toml --json out/report.json --html out/report.html
  manysides compare feed.jsonl --json - --quiet | jq '.reuse[] | {article_id, source_id, share}'
  cat page.html | manysides compare -
  manysides compare https://example.org/feed.rss https://example.org/story.html --html out/report.html

inputs: plain text (.txt), HTML (.html, .htm), JSON Lines (.jsonl: one object per line with
id, url, outlet, title, published, and text or html), RSS/Atom feeds (.rss, .atom, or a feed URL:
each item's link is fetched), WARC (.warc, .warc.gz), http(s) URLs, gzip of any of them, folders,
globs, - for stdin. URLs are fetched with robots.txt respected, a timeout and a size cap.
A folder's manifest.toml (outlet, url, published per file) is used unless --no-manifest.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="manysides",
        description="Show how different outlets cover the same event, with evidence down to the sentence.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"manysides {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    cmp = sub.add_parser(
        "compare",
        help="analyse articles: stories, and who took text from whom",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmp.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, glob patterns, or - for stdin")
    cmp.add_argument("--manifest", metavar="FILE", help="TOML manifest: outlet, url, published per file")
    cmp.add_argument("--no-manifest", action="store_true", help="ignore manifest.toml files in the given folders")
    cmp.add_argument("--json", metavar="FILE", help="write the JSON report to FILE (- for stdout)")
    cmp.add_argument("--html", metavar="FILE", help="write the HTML report to FILE")
    cmp.add_argument("--md", metavar="FILE", help="write a Markdown summary to FILE (- for stdout)")
    cmp.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")
    cmp.add_argument("--outlets", metavar="FILE", help="your outlet registry TOML, extending the shipped one")
    cmp.add_argument("--seed", type=int, help="seed of hashing and tie breaks (default 1)")
    cmp.add_argument(
        "--allow-private", action="store_true", help="let URLs reach loopback and private addresses (off by default)"
    )
    cmp.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "compare":
        parser.print_help(sys.stderr)
        return 2
    try:
        return _compare(args)
    except NothingToAnalyse as exc:
        _err(f"manysides: {exc}")
        return 1
    except ManysidesError as exc:
        _err(f"manysides: {exc}")
        return 2
    except KeyboardInterrupt:
        _err("manysides: interrupted")
        return 130


def _compare(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    settings = load_settings(args.config, seed=args.seed)
    registry = load_registry(args.outlets)
    with _progress(args.quiet) as progress:
        report = compare(
            args.paths,
            args.manifest,
            settings=settings,
            registry=registry,
            use_manifest=not args.no_manifest,
            progress=progress,
            fetcher=Fetcher(allow_private=args.allow_private),
        )
    elapsed = time.perf_counter() - started
    _write_outputs(report, args)
    if not args.quiet:
        _print_summary(report, elapsed, to_stderr="-" in (args.json, args.md))
    for s in report.skipped:
        _err(f"skipped {s.source}: {s.reason}")
    return 0


def _write_outputs(report: Report, args: argparse.Namespace) -> None:
    if args.json == "-":
        sys.stdout.write(render_json(report))
    elif args.json:
        _write(Path(args.json), render_json(report))
    if args.html:
        _write(Path(args.html), render_html(report))
    if args.md == "-":
        sys.stdout.write(render_markdown(report))
    elif args.md:
        _write(Path(args.md), render_markdown(report))


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ManysidesError(f"{path}: cannot write the report ({exc.strerror}); choose a writable path") from None


def _print_summary(report: Report, elapsed: float, to_stderr: bool) -> None:
    from rich.console import Console

    from .render.terminal import WIDTH, summary

    console = Console(stderr=to_stderr, width=min(WIDTH, Console().width) if sys.stdout.isatty() else WIDTH)
    console.print(summary(report, elapsed))


class _Status:
    """Stage names on a spinner, on stderr, only for a person watching a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self._status = Console(stderr=True).status("starting")

    def __enter__(self) -> _Status:
        self._status.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._status.stop()

    def __call__(self, stage: str) -> None:
        self._status.update(f"manysides: {stage}")


def _progress(quiet: bool) -> AbstractContextManager[Any]:
    if quiet or not sys.stderr.isatty():
        return nullcontext(None)
    return _Status()


def _err(message: str) -> None:
    print(message, file=sys.stderr)
