"""The ``manysides`` command. Data goes to stdout, progress and messages to stderr."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import ManysidesError, NothingToAnalyse, SettingsError
from .settings import DEFAULT_DB_URL, Settings, load_settings

if TYPE_CHECKING:
    from .model import Report
    from .outlets import Registry

# The analysis stack (spaCy, ONNX Runtime, SQLAlchemy, ...) is imported inside each command,
# so that `manysides --help` and argument errors answer at once.

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


COLLECTION_EXAMPLES = """\
examples:
  manysides ingest feeds/*.jsonl                      # into ./manysides.db (SQLite)
  manysides ingest https://example.org/feed.rss --db sqlite:///news.db
  manysides ingest folder/ --db postgresql+psycopg://user@localhost/news
  manysides stories --since 2024-04-01 --db sqlite:///news.db
  manysides show s1a2b3c4 --html story.html --db sqlite:///news.db

Re-ingesting an article already in the collection (same text) changes nothing; the same URL
with new text is kept as a new version of its article (the story's timeline shows what changed).
An interrupted ingest keeps every batch it committed and can simply be run again.
"""

WATCH_EXAMPLES = """\
examples:
  manysides watch sources.toml --db sqlite:///news.db          # until Ctrl-C
  manysides watch sources.toml --once                            # one round of what is due (cron)
  manysides serve --db sqlite:///news.db --watch sources.toml    # web app and watcher in one process
  manysides sources --db sqlite:///news.db                       # how each source is doing

sources.toml:
  interval = "5m"                      # default for every source (30s or more)
  [[source]]
  url = "https://example.org/world/rss.xml"
  outlet = "Example"
  type = "feed"                        # feed | sitemap | page (default: detected)
  include = ["/world/"]                # regular expressions over item URLs
  exclude = ["/video/"]

Listings are fetched with conditional GET; one request at a time per host, robots.txt and
its Crawl-delay honoured, 429/503 Retry-After waited out, errors backed off with jitter.
A page fetched again with changed text becomes a new version of its article. The state is
kept in the collection: a restarted watcher neither misses nor fetches twice.
"""

BATCH_EXAMPLES = """\
examples:
  manysides batch cc-news/*.warc.gz --db postgresql+psycopg://localhost/news --workers 8
  manysides batch archive/ --db sqlite:///archive.db --since 2024-01-01 --until 2025-01-01
  manysides batch shards/*.jsonl --db postgresql+psycopg://db/news --scheduler tcp://10.0.0.5:8786

The stages (read, LSH candidates, neighbours, stories, write, analyses) run as Dask tasks
over partition files in --work (a folder every worker sees). The result is an ordinary
collection: `stories`, `show`, `serve` read it, `ingest` continues it. Killed, the same
command goes on from the partitions it finished. Capacity plan: docs/scale.md.
"""

ALERT_EXAMPLES = """\
examples:
  manysides alerts add outlet RT                         # every new RT article
  manysides alerts add person "Dmitry Peskov"            # every new quote of him
  manysides alerts add outlets --threshold 5             # a story reaches 5 outlets
  manysides alerts add quote --webhook https://hooks.example/x   # reworded or misattributed quotes
  manysides alerts list
  manysides alerts test ID                               # what it fires on the latest stories; pings the webhook
  manysides alerts feed ID > alert.atom                  # or GET /alerts/ID/feed.atom from `serve`
  manysides alerts remove ID

kinds: outlet NAME, keyword WORDS, person NAME, outlets (--threshold N), origins (--threshold N),
contradiction, quote, unique, uncredited. Alerts are evaluated by `watch` (and by `serve --watch`)
after each round, fire once per event, and survive restarts.
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
    cmp = _command(sub, "compare", "analyse articles: stories, and who took text from whom", EXAMPLES)
    _input_options(cmp)
    _report_options(cmp)
    cmp.add_argument("--seed", type=int, help="seed of hashing and tie breaks (default 1)")

    db_help = (
        f"database URL of the collection (default {DEFAULT_DB_URL}, or MANYSIDES_DB); e.g. postgresql+psycopg://host/db"
    )
    ing = _command(sub, "ingest", "add articles to a collection and update its stories", COLLECTION_EXAMPLES)
    _input_options(ing)
    ing.add_argument("--db", metavar="URL", help=db_help)
    ing.add_argument(
        "--embeddings",
        action="store_true",
        help="a new collection clusters with article embeddings too (slower; an existing one keeps its choice)",
    )
    ing.add_argument("--wait", type=float, default=60.0, metavar="SECONDS", help="wait for another ingest (default 60)")
    ing.add_argument("--json", metavar="FILE", help="write what was added and skipped as JSON (- for stdout)")
    ing.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")
    ing.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")

    lst = sub.add_parser("stories", help="list the stories of a collection, latest first")
    lst.add_argument("--db", metavar="URL", help=db_help)
    lst.add_argument("--since", metavar="DATE", help="only stories with an article from DATE (YYYY-MM-DD) on")
    lst.add_argument("--limit", type=int, metavar="N", help="at most N stories")
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lst.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")

    shw = sub.add_parser("show", help="compare the articles of one story of a collection")
    shw.add_argument("story", metavar="STORY", help="story id (or a unique prefix of it), from `manysides stories`")
    shw.add_argument("--db", metavar="URL", help=db_help)
    shw.add_argument("--outlets", metavar="FILE", help="your outlet registry TOML, for the outlets' labels")
    _report_options(shw)

    srv = sub.add_parser("serve", help="a web app and JSON API over a collection (http://127.0.0.1:8000)")
    srv.add_argument("--db", metavar="URL", help=db_help)
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    srv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    srv.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")
    srv.add_argument("--workers", type=int, default=1, metavar="N", help="server processes (default 1)")
    srv.add_argument(
        "--warm",
        type=int,
        default=50,
        metavar="N",
        help="keep the N latest stories analysed in the background, so their pages open at once (default 50; 0: "
        "analyse a story when its page is first opened)",
    )

    srv.add_argument("--watch", metavar="SOURCES", help="also watch the sources of this TOML file (see `watch`)")
    srv.add_argument(
        "--allow-private", action="store_true", help="watched URLs may reach loopback and private addresses"
    )

    wat = _command(sub, "watch", "follow feeds, sitemaps and pages: add what they publish, fire alerts", WATCH_EXAMPLES)
    wat.add_argument("sources", metavar="SOURCES", help="TOML file of [[source]] entries (url, outlet, interval ...)")
    wat.add_argument("--db", metavar="URL", help=db_help)
    wat.add_argument("--once", action="store_true", help="one polling round of the sources that are due, then exit")
    wat.add_argument(
        "--allow-private", action="store_true", help="let URLs reach loopback and private addresses (off by default)"
    )
    wat.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")
    wat.add_argument("-q", "--quiet", action="store_true", help="print nothing per round")

    src = sub.add_parser("sources", help="the state of each watched source: last fetch, errors, articles")
    src.add_argument("--db", metavar="URL", help=db_help)
    src.add_argument("--json", action="store_true", help="print JSON instead of a table")

    alr = _command(sub, "alerts", "saved watches: list, add, remove, test; feeds and webhooks", ALERT_EXAMPLES)
    alr.add_argument("action", choices=["list", "add", "remove", "test", "feed"], help="what to do")
    alr.add_argument("args", nargs="*", metavar="ARG", help="add: KIND [TARGET]; remove, test, feed: ALERT-ID")
    alr.add_argument("--db", metavar="URL", help=db_help)
    alr.add_argument("--threshold", type=int, metavar="N", help="for outlets and origins alerts: fire at N")
    alr.add_argument("--webhook", metavar="URL", help="POST each event as JSON to URL (retried with backoff)")
    alr.add_argument("--id", metavar="NAME", help="the alert's id (default: random)")
    alr.add_argument("--base-url", default="http://127.0.0.1:8000", help="links in the Atom feed (feed)")
    alr.add_argument("--json", action="store_true", help="list: print JSON")

    bat = _command(
        sub, "batch", "a large corpus on a Dask cluster: the same stories, into a collection", BATCH_EXAMPLES
    )
    bat.add_argument("paths", nargs="+", metavar="PATH", help="WARC, JSON Lines, text or HTML files, folders, globs")
    bat.add_argument("--db", metavar="URL", required=True, help="the collection to write (PostgreSQL or SQLite URL)")
    where = bat.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (tcp://HOST:8786)")
    where.add_argument(
        "--workers", type=int, default=2, metavar="N", help="else: a local cluster of N worker processes (default 2)"
    )
    bat.add_argument("--since", metavar="DATE", help="only articles published from DATE (YYYY-MM-DD) on")
    bat.add_argument("--until", metavar="DATE", help="only articles published before DATE")
    bat.add_argument(
        "--work",
        metavar="FOLDER",
        help="the run's partition files (default: beside a SQLite file, or ./manysides-batch)",
    )
    bat.add_argument(
        "--analyse",
        type=int,
        metavar="N",
        help="analyse the N largest stories (default: every story of two articles or more; 0: none)",
    )
    bat.add_argument(
        "--span",
        type=float,
        default=7.0,
        metavar="DAYS",
        help="days per time window, the unit of the later stages (default 7; fewer for denser corpora)",
    )
    bat.add_argument("--json", metavar="FILE", help="write what the run did as JSON (- for stdout)")
    bat.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")
    bat.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")

    mdl = sub.add_parser("models", help="build the local ONNX export of the embedding model (make install runs it)")
    mdl.add_argument("action", choices=["build"], help="build: export and quantise once, into the cache")
    mdl.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")
    return parser


def _command(sub: Any, name: str, summary: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its examples."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, epilog=examples, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return parser


def _input_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, glob patterns, URLs, or - for stdin")
    cmd.add_argument("--manifest", metavar="FILE", help="TOML manifest: outlet, url, published per file")
    cmd.add_argument("--no-manifest", action="store_true", help="ignore manifest.toml files in the given folders")
    cmd.add_argument("--outlets", metavar="FILE", help="your outlet registry TOML, extending the shipped one")
    cmd.add_argument(
        "--allow-private", action="store_true", help="let URLs reach loopback and private addresses (off by default)"
    )


def _report_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", metavar="FILE", help="write the JSON report to FILE (- for stdout)")
    cmd.add_argument("--html", metavar="FILE", help="write the HTML report to FILE")
    cmd.add_argument("--md", metavar="FILE", help="write a Markdown summary to FILE (- for stdout)")
    cmd.add_argument("--config", metavar="FILE", help="settings TOML (see data/defaults.toml)")
    cmd.add_argument(
        "--language",
        metavar="CODE",
        help="write the digest in this language (ISO 639-1: en, fr, es, ...; default en): each fact "
        "in a sentence of that language where one exists; citations in any language",
    )
    cmd.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _digest_language(settings: Settings, language: str | None) -> Settings:
    """``--language`` over the settings' ``[digest] language``."""
    if not language:
        return settings
    code = language.strip().lower()
    if not (2 <= len(code) <= 8 and code.replace("-", "").isalpha()):
        raise SettingsError(
            f"--language {language!r} is not a language code; give an ISO 639-1 code such as en, fr, es"
        )
    return settings.model_copy(update={"digest": settings.digest.model_copy(update={"language": code})})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = COMMANDS.get(args.command or "")
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return run(args)
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
    from .ingest import Fetcher
    from .outlets import load_registry
    from .pipeline import compare

    started = time.perf_counter()
    settings = _digest_language(load_settings(args.config, seed=args.seed), args.language)
    registry = load_registry(args.outlets)
    with _progress(args.quiet) as progress:
        report = compare(
            args.paths,
            args.manifest,
            settings=settings,
            registry=registry,
            use_manifest=not args.no_manifest,
            progress=progress,
            fetcher=Fetcher.from_limits(settings.limits, allow_private=args.allow_private),
        )
    elapsed = time.perf_counter() - started
    _write_outputs(report, args, registry)
    if not args.quiet:
        _print_summary(report, elapsed, to_stderr="-" in (args.json, args.md), registry=registry)
    for s in report.skipped:
        _err(f"skipped {s.source}: {s.reason}")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from .ingest import Fetcher
    from .outlets import load_registry
    from .pipeline import ingest_into
    from .store import Collection

    registry = load_registry(args.outlets)
    settings = load_settings(args.config)  # checked before any work
    with (
        Collection(args.db, wait=args.wait, clustering=settings.clustering, workers=settings.workers) as collection,
        _progress(args.quiet) as progress,
    ):
        result, skipped = ingest_into(
            collection,
            args.paths,
            args.manifest,
            settings=settings,
            registry=registry,
            use_manifest=not args.no_manifest,
            embeddings=args.embeddings,
            fetcher=Fetcher.from_limits(settings.limits, allow_private=args.allow_private),
            progress=progress.count if progress is not None else None,
        )
        total = collection.count()
    out = {
        "added": result.added,
        "skipped": [{"source": s.source, "reason": s.reason} for s in skipped],
        "changes": result.changes,
        "stories_joined": result.stories,
        "articles_in_collection": total,
        "seconds": round(result.seconds, 3),
    }
    if args.json == "-":
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    elif args.json:
        _write(Path(args.json), json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    if not args.quiet:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(result.changes.items()) if k != "joined") or "no story changes"
        _err(
            f"manysides: added {result.added} articles to {collection.url} ({len(skipped)} skipped); "
            f"{result.stories} stories received articles ({kinds}); {total} articles in the collection; "
            f"{result.seconds:.1f} s"
        )
        for s in skipped:
            _err(f"skipped {s.source}: {s.reason}")
    return 0


def _stories(args: argparse.Namespace) -> int:
    from .store import Collection

    load_settings(args.config)  # a bad settings file is reported here too, not ignored
    with Collection(args.db) as collection:
        found = collection.stories(since=args.since, limit=args.limit)
    if args.json:
        sys.stdout.write(json.dumps([s.as_dict() for s in found], indent=2, ensure_ascii=False) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .render.terminal import safe

    table = Table("story", "articles", "title", "outlets", "first seen", "last seen", box=None)
    for s in found:
        cells = (s.id, str(s.size), s.title or "", ", ".join(s.outlets), s.first_seen[:16], s.last_seen[:16])
        table.add_row(*(Text(safe(c)) for c in cells))  # never parsed as markup
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
    return 0


def _show(args: argparse.Namespace) -> int:
    from .outlets import load_registry
    from .pipeline import show
    from .store import Collection

    started = time.perf_counter()
    settings = _digest_language(load_settings(args.config), args.language)
    with Collection(args.db) as collection, _progress(args.quiet) as progress:
        report = show(collection, args.story, settings=settings, progress=progress)
    registry = load_registry(args.outlets)
    _write_outputs(report, args, registry)
    if not args.quiet:
        _print_summary(report, time.perf_counter() - started, to_stderr="-" in (args.json, args.md), registry=registry)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import multiprocessing

    import uvicorn

    from .web import create_app
    from .web.background import Background

    settings = load_settings(args.config)  # checked here, before any worker starts
    if args.watch:
        from .watch.sources import load_sources

        load_sources(args.watch)  # a mistake in it is said now, not in the background
    db = args.db or os.environ.get("MANYSIDES_DB", DEFAULT_DB_URL)
    # Warming, watching and alerts run in a process of their own, at a lower priority.
    background = multiprocessing.get_context("spawn").Process(
        target=Background(db, args.config, args.warm, args.watch, args.allow_private).run,
        name="manysides-background",
        daemon=True,
    )
    background.start()
    watching = f", watching {args.watch}" if args.watch else ""
    try:
        if args.workers > 1:
            os.environ["MANYSIDES_DB"] = db
            os.environ["MANYSIDES_DELEGATE"] = "1"
            if args.config:
                os.environ["MANYSIDES_CONFIG"] = args.config
            _err(f"manysides: serving on http://{args.host}:{args.port}/ with {args.workers} workers{watching}")
            uvicorn.run(
                "manysides.web:app_from_environment",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level="warning",
            )
            return 0
        app = create_app(db, settings, delegate=True)
        _err(f"manysides: serving {app.state.collection.url} on http://{args.host}:{args.port}/{watching}")
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
        return 0
    finally:
        background.terminate()
        background.join(timeout=30)


def _models(args: argparse.Namespace) -> int:
    from .embedding import build, cache_dir, model_path

    settings = load_settings(args.config)
    path = model_path(settings.embedding_model)
    for quantized in (False, True):
        done = build(path, quantized)
        print(f"manysides: {done}", file=sys.stderr)
    print(f"manysides: embedding exports are cached in {cache_dir()}", file=sys.stderr)
    return 0


def _write_outputs(report: Report, args: argparse.Namespace, registry: Registry | None = None) -> None:
    """Each output the command line asked for, through the renderer registry (render.RENDERERS)."""
    from .render import RENDERERS

    for flag, renderer in (("json", "json"), ("html", "html"), ("md", "markdown")):
        target = getattr(args, flag, None)
        if not target:
            continue
        text = RENDERERS[renderer](report, registry=registry)
        if target == "-":
            sys.stdout.write(text)
        else:
            _write(Path(target), text)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ManysidesError(f"{path}: cannot write the report ({exc.strerror}); choose a writable path") from None


def _print_summary(report: Report, elapsed: float, to_stderr: bool, registry: Registry | None = None) -> None:
    from rich.console import Console

    from .render.terminal import WIDTH, summary

    console = Console(stderr=to_stderr, width=min(WIDTH, Console().width) if sys.stdout.isatty() else WIDTH)
    console.print(summary(report, elapsed, registry))


class _StageProgress:
    """One line per stage on stderr (rich): a spinner while it runs, its time when done; for
    counted work (an ingest's articles), a bar. Only for a person watching a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> _StageProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._finish()
        self._bar.stop()

    def __call__(self, stage: str) -> None:
        """A new stage starts (the previous one is done)."""
        self._finish()
        self._task = self._bar.add_task(stage, total=None)

    def count(self, done: int, total: int) -> None:
        """Counted progress of the current stage."""
        if self._task is None:
            self._task = self._bar.add_task("ingest", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def _finish(self) -> None:
        if self._task is not None:
            task = self._bar.tasks[-1]
            self._bar.update(self._task, total=task.total or 1, completed=task.total or 1)
            self._task = None


def _progress(quiet: bool) -> AbstractContextManager[Any]:
    if quiet or not sys.stderr.isatty():
        return nullcontext(None)
    return _StageProgress()


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _batch(args: argparse.Namespace) -> int:
    from . import batch

    settings = load_settings(args.config)
    options = batch.BatchOptions(
        workers=args.workers,
        scheduler=args.scheduler,
        since=args.since,
        until=args.until,
        work=args.work,
        analyse=args.analyse,
        span=args.span,
    )
    with _BatchProgress(args.quiet) as progress:
        result = batch.run(
            args.paths,
            args.db,
            settings=settings,
            options=options,
            progress=progress,
            announce=None if args.quiet else (lambda where: _err(f"manysides: {where}")),
        )
    out = json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if args.json == "-":
        sys.stdout.write(out)
    elif args.json:
        _write(Path(args.json), out)
    if not args.quiet:
        reused = sum(s.reused for s in result.stages.values())
        _err(
            f"manysides: {result.articles} articles in {result.stories} stories written to {args.db} "
            f"({result.duplicates} duplicates, {len(result.skipped)} skipped; {result.analysed} stories analysed"
            + (f"; {reused} finished tasks of an earlier run reused" if reused else "")
            + ")"
        )
        for s in result.skipped[:20]:
            _err(f"skipped {s.source}: {s.reason}")
        if len(result.skipped) > 20:
            _err(f"... and {len(result.skipped) - 20} more skipped (--json lists them all)")
    return 0


class _BatchProgress:
    """A rich progress bar per batch stage on stderr (tasks done of the stage's tasks); on a
    terminal only, and never with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self._bar: Any = None
        if quiet or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _BatchProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=total)
        self._bar.update(self._tasks[stage], completed=done, total=total)


def _watch(args: argparse.Namespace) -> int:
    import threading

    from .store import Collection
    from .watch import Watcher
    from .watch.sources import load_sources

    settings = load_settings(args.config)
    sources = load_sources(args.sources)
    with Collection(args.db, clustering=settings.clustering) as collection:
        watcher = Watcher(
            collection,
            sources,
            settings=settings,
            allow_private=args.allow_private,
            on_round=None if args.quiet else _say_round,
        )
        if args.once:
            results = watcher.run_once()
            return 1 if results and all(r.status.startswith("error") for r in results) else 0
        _err(f"manysides: watching {len(sources)} sources into {collection.url} (Ctrl-C stops)")
        watcher.run(threading.Event())
    return 0


def _say_round(results: Sequence[Any]) -> None:
    for r in results:
        news = f", {r.added} added, {r.versions} new versions" if r.added or r.versions else ""
        _err(f"manysides: {r.source}: {r.status}{news}")


def _sources(args: argparse.Namespace) -> int:
    from .store import Collection
    from .watch import states

    with Collection(args.db) as collection:
        found = states(collection)
    if args.json:
        print(json.dumps([s.as_dict() for s in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        _err("manysides: no watched source yet; run `manysides watch SOURCES.toml`")
        return 0
    now = time.time()
    for s in found:
        due = "due now" if s.next_due <= now else f"next in {max(s.next_due - now, 0) / 60:.0f} min"
        error = f"; {s.errors} errors in a row: {s.last_error}" if s.errors else ""
        print(
            f"{s.name}\t{s.last_fetch or 'never fetched'}\t{s.last_status or ''}\t{s.articles} articles, "
            f"{s.versions} versions, {s.items} items\t{due}{error}"
        )
    return 0


def _alerts(args: argparse.Namespace) -> int:
    from .store import Collection
    from .watch.alerts import Alerts, story_events_of

    with Collection(args.db) as collection:
        saved = Alerts(collection)
        if args.action == "list":
            found = saved.saved()
            if args.json:
                print(json.dumps([a.as_dict() for a in found], indent=2, ensure_ascii=False))
            for a in [] if args.json else found:
                hook = f" -> {a.webhook}" if a.webhook else ""
                print(f"{a.id}\t{a.kind}\t{a.describe()}{hook}\t{len(saved.events(a.id))} events")
            return 0
        if args.action == "add":
            if not args.args:
                raise SettingsError("say which kind: manysides alerts add KIND [TARGET] (kinds: see --help)")
            target = " ".join(args.args[1:]) or None
            alert = saved.add(args.args[0], target, args.threshold, args.webhook, args.id)
            print(alert.id)
            _err(f"manysides: alert {alert.id}: {alert.describe()}")
            return 0
        if len(args.args) != 1:
            raise SettingsError(f"say which alert: manysides alerts {args.action} ALERT-ID")
        alert_id = args.args[0]
        if args.action == "remove":
            if not saved.remove(alert_id):
                raise SettingsError(f"no alert {alert_id!r}; list them with `manysides alerts list`")
            return 0
        if args.action == "feed":
            print(saved.atom(alert_id, args.base_url))
            return 0
        tested = saved.get(alert_id)  # test: what it would fire on the analysed stories, and a webhook ping
        if tested is None:
            raise SettingsError(f"no alert {alert_id!r}; list them with `manysides alerts list`")
        shown = 0
        for story in collection.stories(limit=50):
            stored = collection.latest_report(story.id)
            for event in story_events_of(tested, story.id, json.loads(stored)) if stored else ():
                print(f"{story.id}\t{event.title}")
                shown += 1
        _err(f"manysides: {shown} events on the 50 latest analysed stories (alerts on new articles fire as they come)")
        if tested.webhook:
            ok = saved.ping(tested)
            _err(f"manysides: webhook {tested.webhook}: {'answered' if ok else 'FAILED'}")
            return 0 if ok else 1
    return 0


COMMANDS.update(
    {
        "compare": _compare,
        "ingest": _ingest,
        "stories": _stories,
        "show": _show,
        "models": _models,
        "serve": _serve,
        "watch": _watch,
        "batch": _batch,
        "sources": _sources,
        "alerts": _alerts,
    }
)
