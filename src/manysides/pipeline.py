"""The whole pipeline, in order. Each stage is a plain function from records to records.

1. ingest    paths, folders, globs, stdin, URLs, feeds, WARC -> RawDocument (+ what was skipped)
2. clean     RawDocument -> Articles (one per piece of a page): clean text, removed boilerplate, metadata
3. segment   Article -> Article with sentences (character offsets into the clean text)
4. annotate  Article -> Article with language, named-entity mentions and quotes found in its text
             (3 and 4 are the per-article features: ``features.prepare`` reads them from a
             collection when it holds them, else computes and stores them)
5. index     articles -> CorpusIndex: MinHash signatures; sentence vectors on demand (stored too)
6. cluster   articles + index -> Story list
7. reuse     stories + index -> sentence alignment, Reuse list (who took which sentences
             from whom, what is a common source), originality, independent origins
8. facts     alignment -> Fact list (the fact matrix), omissions and unique facts per article
9. entities  mentions -> Entity list (names linked across articles, with their variants)
10. quotes   articles + entities -> Quote list (who said what) and QuoteGroup list (fidelity)
11. framing  stories + alignment + quotes -> Framing list (word choice, voice); loaded words per article
12. digest   facts + reuse -> each story's checked neutral digest
13. render   Report -> terminal, JSON, HTML (``manysides.render``; the CLI calls it)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .annotate import detect_language
from .clean import clean_corpus
from .cluster import cluster, fixed_stories
from .dates import date_key
from .digest import digests, load_rewriter
from .entities import link_entities
from .errors import NothingToAnalyse
from .facts import fact_matrix
from .features import FeatureCache, prepare, vector_version
from .framing import framing
from .index import build_index
from .ingest import MANIFEST_NAME, Fetcher, Manifest, ingest, load_manifest
from .model import Article, RawDocument, Report, Skipped
from .nlp import Models
from .outlets import Registry, load_registry
from .quotes import find_quotes, group_quotes, quote_embeddings
from .reuse import align_stories, originality, with_origins
from .reuse import compare as compare_stories
from .reuse.versions import version_diff
from .segment import split_sentences
from .settings import Settings, load_settings
from .store import Collection, CollectionError, IngestResult, StorySummary
from .workers import worker_count

Progress = Callable[[str], None]


def compare(
    paths: Iterable[str | Path],
    manifest: str | Path | None = None,
    *,
    settings: Settings | None = None,
    registry: Registry | None = None,
    use_manifest: bool = True,
    models: Models | None = None,
    progress: Progress | None = None,
    stdin: bytes | None = None,
    fetcher: Fetcher | None = None,
) -> Report:
    """Analyse the given inputs and return the report.

    Args:
        paths: files, folders, glob patterns, or "-" for stdin.
        manifest: a manifest TOML file; by default a ``manifest.toml`` in a given folder.
        settings: defaults to ``load_settings()`` (defaults < file < environment).
        registry: outlet registry; defaults to the shipped one.
        use_manifest: False ignores manifests found in folders.
        models: reuse loaded models across calls (notebooks, servers).
        progress: called with the name of each stage as it starts.
        stdin: bytes to read for "-" (defaults to the process's stdin).
        fetcher: how URLs and feed items are fetched (``Fetcher(allow_private=True)`` to
            reach addresses on your own network).

    Returns:
        The ``Report``; ``report.to_json()`` gives the JSON report.

    Raises:
        NothingToAnalyse: every input was skipped (the reasons are in the message).

    Example:
        >>> report = compare(["examples/nato-2024-04-04"])  # doctest: +SKIP
    """
    settings = settings or load_settings()
    registry = registry or load_registry()
    models = models or Models(settings)
    path_list = [str(p) for p in paths]
    found = _manifest(path_list, manifest, use_manifest)
    say = progress or (lambda _stage: None)
    say("ingest")
    docs, skipped = _read(path_list, found, stdin, fetcher, settings)
    return analyse(docs, skipped, settings=settings, registry=registry, models=models, progress=say)


def analyse(
    docs: list[RawDocument],
    skipped: list[Skipped],
    *,
    settings: Settings,
    registry: Registry,
    models: Models,
    progress: Progress,
) -> Report:
    progress("clean")
    articles, more_skipped = clean_documents(docs, registry, settings)
    skipped = sorted(skipped + more_skipped, key=lambda s: s.source)
    return analyse_articles(articles, skipped, settings=settings, models=models, progress=progress)


def analyse_articles(
    articles: list[Article],
    skipped: list[Skipped],
    *,
    settings: Settings,
    models: Models,
    progress: Progress,
    groups: Sequence[tuple[str, Sequence[str], Mapping[str, Any]]] | None = None,
    cache: FeatureCache | None = None,
) -> Report:
    """Stages 3-12 on cleaned articles; ``groups`` (story id, article ids, why) skips clustering.

    ``cache`` keeps per-article features (sentences, names, quotes, sentence vectors) between
    runs: what it holds is read instead of computed, and what is computed is written to it.
    """
    if not articles:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in skipped) or "no input given"
        raise NothingToAnalyse(f"nothing could be analysed ({reasons})")
    rewriter = load_rewriter(settings.digest_rewriter)  # a bad setting fails before the work, not after
    progress("features")
    prepared = prepare(articles, models, cache)
    articles, finds = prepared.articles, prepared.finds
    progress("index")
    vector_key = vector_version(settings)
    known = cache.load_vectors([a.id for a in articles], vector_key) if cache is not None else None
    index = build_index(articles, models, known, prepared.actions)
    progress("cluster")
    if groups is not None:
        stories = fixed_stories(articles, groups, index)
    else:
        stories = cluster(articles, index, params=settings.clustering)
    progress("reuse")
    alignments = align_stories(articles, stories, index, settings.align)
    reuse = compare_stories(articles, stories, alignments, settings.reuse, settings.align)
    stories = with_origins(stories, reuse)
    articles = originality(articles, reuse)
    progress("facts")
    facts, articles = fact_matrix(articles, stories, alignments, reuse, settings.facts, settings.align)
    progress("entities")
    entities, mention_entity = link_entities(articles, settings.entities)
    progress("quotes")
    quotes = find_quotes(articles, finds, mention_entity)
    # Renderings in two languages are compared in the multilingual encoder's space.
    quote_vectors = quote_embeddings(quotes, models) if index.multilingual else None
    derived = {r.article_id for r in reuse if r.relation == "derived"}
    quote_groups = group_quotes(quotes, articles, settings.quotes, quote_vectors, derived)
    progress("framing")
    contrasts, articles = framing(articles, stories, alignments, quotes, mention_entity, settings.framing)
    progress("digest")
    stories = digests(articles, stories, facts, reuse, index, models, rewriter, settings.digest, settings.align)
    if cache is not None:
        cache.save_vectors(index.new_vectors(), vector_key)
    return Report(
        articles=tuple(articles),
        stories=tuple(stories),
        reuse=tuple(reuse),
        facts=tuple(facts),
        entities=tuple(entities),
        quotes=tuple(quotes),
        quote_groups=tuple(quote_groups),
        framing=tuple(contrasts),
        skipped=tuple(skipped),
        settings=settings.as_dict(),
        version=_version(),
    )


def ingest_into(
    collection: Collection,
    paths: Iterable[str | Path],
    manifest: str | Path | None = None,
    *,
    settings: Settings | None = None,
    registry: Registry | None = None,
    use_manifest: bool = True,
    models: Models | None = None,
    embeddings: bool = False,
    stdin: bytes | None = None,
    fetcher: Fetcher | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[IngestResult, list[Skipped]]:
    """Read, clean and add the inputs to a collection; its stories are updated as they go.

    Returns what was added and what was skipped (unreadable inputs, pages with no article,
    articles already in the collection by URL or by text). ``embeddings`` makes a new
    collection cluster with article embeddings (an existing one keeps its choice).
    """
    settings = settings or load_settings()
    path_list = [str(p) for p in paths]
    found = _manifest(path_list, manifest, use_manifest)
    docs, skipped = _read(path_list, found, stdin, fetcher, settings)
    return add_documents(
        collection,
        docs,
        skipped,
        settings=settings,
        registry=registry,
        models=models,
        embeddings=embeddings,
        inputs=path_list,
        progress=progress,
    )


def add_documents(
    collection: Collection,
    docs: list[RawDocument],
    skipped: list[Skipped] | None = None,
    *,
    settings: Settings | None = None,
    registry: Registry | None = None,
    models: Models | None = None,
    embeddings: bool = False,
    inputs: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[IngestResult, list[Skipped]]:
    """Clean documents already read (files, a POST, a feed) and add them to the collection."""
    settings = settings or load_settings()
    registry = registry or load_registry()
    skipped = list(skipped or [])
    articles, more = clean_documents(docs, registry, settings)
    known = collection.by_urls([a.url for a in articles if a.url])
    # The language is known from the start: the front page shows and filters on it.
    articles = [replace(a, language=a.language or detect_language(a.text)) for a in articles]
    fresh = [a for a in articles if a.url not in known]
    skipped += more
    versions = 0
    for a in articles:
        if a.url not in known:
            continue
        article_id, _, old_text = known[a.url]
        if " ".join(old_text.split()) == " ".join(a.text.split()):
            skipped.append(Skipped(a.source, f"already in the collection (same URL {a.url}, same text); not added"))
        elif _new_version(collection, article_id, old_text, a, models := models or Models(settings)):
            versions += 1
        else:
            skipped.append(Skipped(a.source, f"new text for {a.url} is another article's already; not kept"))
    embed = None
    models = models or Models(settings)
    if embeddings or collection.uses_embeddings():
        embed = models.embed
    # Every article's multilingual lead: an article in another language, now or later, is
    # compared with it through it (cluster/engine.py, CrossLingual).
    result = collection.add(
        fresh, embed=embed, lead=models.embed_multilingual, dense=embeddings, inputs=list(inputs), progress=progress
    )
    if versions:
        result = replace(result, changes={**result.changes, "updated": versions})
    skipped += list(result.duplicates)
    return result, sorted(skipped, key=lambda s: s.source)


def _new_version(collection: Collection, article_id: str, old_text: str, new: Article, models: Models) -> bool:
    """Keep ``new`` as the latest version of the article with its URL, with what changed."""
    language = new.language or detect_language(new.text)
    before = [s.text for s in split_sentences(old_text, models, language)]
    after = [s.text for s in split_sentences(new.text, models, language)]
    diff = version_diff(before, after)  # its number is the collection's to give
    return collection.add_version(article_id, new, diff.as_dict(), new.source)


def show(
    collection: Collection,
    story: str,
    *,
    settings: Settings | None = None,
    models: Models | None = None,
    progress: Progress | None = None,
) -> Report:
    """The full comparison of one story of a collection (its id, or a unique prefix of it)."""
    settings = settings or load_settings()
    stored = collection.story(story)
    articles = sorted(stored.articles, key=lambda a: (date_key(a.published), a.source, a.id))
    return analyse_articles(
        articles,
        [],
        settings=settings,
        models=models or Models(settings),
        progress=progress or (lambda _stage: None),
        groups=[(stored.id, [a.id for a in articles], stored.why)],
        cache=collection,
    )


def clean_documents(
    docs: list[RawDocument], registry: Registry, settings: Settings
) -> tuple[list[Article], list[Skipped]]:
    articles: dict[str, Article] = {}
    skipped: list[Skipped] = []
    cleaned = clean_corpus(docs, registry, worker_count(len(docs), settings.workers), settings.limits.article_chars)
    for doc, pieces in zip(docs, cleaned, strict=True):
        for article in pieces:
            if not article.text.strip():
                skipped.append(Skipped(doc.source, "no article text left after cleaning; check it is an article page"))
            elif article.id in articles:
                first = articles[article.id]
                reason = (
                    f"same text and name as {first.source}; analysed once"
                    if first.text == article.text
                    else f"same id {article.id!r} as {first.source} but other text; give each article its own id"
                )
                skipped.append(Skipped(article.source, reason))
            else:
                articles[article.id] = article
    return sorted(articles.values(), key=lambda a: (date_key(a.published), a.source, a.id)), skipped


def _read(
    paths: list[str], manifest: Manifest | None, stdin: bytes | None, fetcher: Fetcher | None, settings: Settings
) -> tuple[list[RawDocument], list[Skipped]]:
    """Stage 1 with the ``[limits]`` settings; a fetcher made here is closed here."""
    own = fetcher is None
    fetcher = fetcher or Fetcher.from_limits(settings.limits)
    try:
        return ingest(paths, manifest, stdin=stdin, fetcher=fetcher, max_bytes=settings.limits.input_bytes)
    finally:
        if own:
            fetcher.close()


def _manifest(paths: list[str], manifest: str | Path | None, use_manifest: bool) -> Manifest | None:
    if manifest is not None:
        return load_manifest(manifest)
    if not use_manifest:
        return None
    for p in paths:
        candidate = Path(p) / MANIFEST_NAME
        if candidate.is_file():
            return load_manifest(candidate)
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manysides")
    except PackageNotFoundError:
        return "0.0.0"


def report_code(settings: Settings) -> str:
    """What a stored report depends on besides its story: the package's code and data files
    and the settings (a change of either makes reports again; ``Collection.keep_report``).
    ``workers`` is left out: how many processes made a report does not change it, and a
    server and a batch run with different counts must reuse each other's reports."""
    return _report_code(settings.model_dump_json(exclude={"workers"}))


@lru_cache(maxsize=8)
def _report_code(settings_json: str) -> str:
    import hashlib
    from importlib import resources

    digest = hashlib.sha256(settings_json.encode())
    root = Path(str(resources.files("manysides")))
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".toml", ".json", ".j2", ".css", ".js", ".txt"} and path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def kept_report(
    collection: Collection,
    story_id: str,
    *,
    settings: Settings,
    models: Models,
    summary: StorySummary | None = None,
) -> tuple[str, str, bool]:
    """(HTML, JSON, analysed now) of a story's report for its current version: the one kept
    in the collection (any process may have made it), else analysed now and kept there."""
    from .render import render_html, render_json

    summary = summary or collection.summary(story_id)
    if summary is None:
        raise CollectionError(f"no story {story_id!r} in the collection; list them with `manysides stories`")
    code = report_code(settings)
    stored = collection.stored_report(summary.id, summary.version, code)
    if stored is not None:
        return stored[0], stored[1], False
    report = show(collection, summary.id, settings=settings, models=models)
    html, data = render_html(report), render_json(report)
    collection.keep_report(summary.id, summary.version, code, html, data)
    return html, data, True


def warm(
    collection: Collection, n: int, *, settings: Settings, models: Models, stop: Callable[[], bool] = lambda: False
) -> int:
    """Analyse the ``n`` latest stories that have no report for their version yet (newest
    first), keeping the reports; returns how many were analysed. A story that fails to
    analyse is logged and passed over."""
    import logging

    done = 0
    code = report_code(settings)
    for summary in collection.stories(limit=n):
        if stop():
            break
        if collection.stored_report(summary.id, summary.version, code) is not None:
            continue
        try:
            done += kept_report(collection, summary.id, settings=settings, models=models, summary=summary)[2]
        except Exception as exc:  # one story's failure must not stop the others
            logging.getLogger(__name__).warning("analysing story %s failed: %s", summary.id, exc)
    return done
