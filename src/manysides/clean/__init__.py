"""Stage 2, clean: boilerplate out, metadata in.

1. HTML goes through trafilatura (main text and metadata); plain text as it is.
2. Normalise the text (ftfy, spaces, bullets, words glued by a lost line break).
3. Give every line a verdict (``rules.line_reason``), then the rules that need context:
   captions, related links after "Read more", the title and its repeats, repeated blocks,
   and the page footer after the last sentence.
4. Read the metadata the text states (title, date, dateline, byline, credits, outlet).

Every dropped line is kept in ``Article.removed`` with its reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any
from urllib.parse import urldefrag

import ftfy

from ..model import Article, RawDocument, Removed
from ..outlets import Registry
from ..workers import map_chunks
from . import metadata as md
from .corpus import repeated_lines, site_of
from .html import extract_html
from .rules import SITE_SUFFIX, headline_like, is_caption, line_reason
from .split import split_page

#: Lines after these markers that look like headlines are links to other stories.
RELATED_MARKERS = frozenset(
    {
        "read more",
        "related",
        "more on this story",
        "see also",
        "you may also like",
        "related stories",
        "related articles",
    }
)
#: How far into the page the title may sit (non-empty lines), and the most related links after a marker.
TITLE_WINDOW = 8
MAX_RELATED_RUN = 5
#: Lines shorter than this are not treated as repeated blocks ("Share" repeats legitimately).
MIN_REPEAT_CHARS = 20
#: A repeated line outside a run of repeats is dropped only from this length on, one in a
#: run from MIN_RUN_REPEAT_CHARS: lists and recipes repeat their short lines legitimately
#: (benchmark page 5f03fc17), pasted blocks repeat prose (the seed live blog).
MIN_LONE_REPEAT_CHARS = 80
MIN_RUN_REPEAT_CHARS = 60
#: A kept line with at least this many words and sentence punctuation counts as body text.
BODY_MIN_WORDS = 8

#: Characters of text one document may hold by default (``limits.article_chars``): far more
#: than any news article (about 50,000 words), well under spaCy's 1,000,000-character limit
#: per call, and a bound on the time one input costs. Text past it is removed with a
#: reason, never an error.
MAX_TEXT_CHARS = 300_000


def cut_reason(limit: int) -> str:
    return f"past the {limit:,}-character limit of one article (limits.article_chars); split the text into articles"


BULLET = re.compile(r"^[•·▪●◦*]\s*")
GLUED = re.compile(r"(?<=[a-z]{2}[:.!?])(?=[A-Z][a-z])")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


@dataclass
class _Page:
    lines: list[str]
    reasons: list[str | None]
    prefix_removed: dict[int, Removed] = field(default_factory=dict)
    is_outlet: Callable[[str], bool] = lambda _name: False

    def untitled(self, line: str) -> str:
        """The line without a trailing site name ("... | Reuters")."""
        return md.split_title_suffix(line, self.is_outlet)[0]

    def suffix(self, line: str) -> str | None:
        return md.split_title_suffix(line, self.is_outlet)[1]

    def kept(self) -> list[int]:
        return [i for i, r in enumerate(self.reasons) if r is None]


def clean_corpus(
    docs: Sequence[RawDocument], registry: Registry, processes: int = 1, max_chars: int = MAX_TEXT_CHARS
) -> list[list[Article]]:
    """Clean every document, using what repeats across documents of one site as boilerplate.

    The per-document work (HTML to text, normalising, cleaning) runs in ``processes``
    forked workers; what repeats across a site is found in between, over all documents.
    """
    prepared = map_chunks(_prepare, max_chars, list(docs), processes)
    shared = repeated_lines(prepared, _key)
    items = [(d, ls, shared.get(site_of(d) or "", frozenset())) for d, ls in prepared]
    return map_chunks(_clean_chunk, (registry, max_chars), items, processes)


def _prepare(max_chars: int, docs: Sequence[RawDocument]) -> list[tuple[RawDocument, list[str]]]:
    """Each document as text and its normalised lines (normalised once: ftfy is a third of cleaning)."""
    texts = [as_text(d) for d in docs]
    return [(d, _lines(d.content[: 2 * max_chars])) for d in texts]  # the rest is cut in ``clean``


def _clean_chunk(
    context: tuple[Registry, int], items: Sequence[tuple[RawDocument, list[str], frozenset[str]]]
) -> list[list[Article]]:
    registry, max_chars = context
    return [clean(d, registry, boilerplate, lines=lines, max_chars=max_chars) for d, lines, boilerplate in items]


def as_text(doc: RawDocument) -> RawDocument:
    """HTML through trafilatura to its main text, its metadata merged under the doc's own hints."""
    if doc.format != "html":
        return doc
    text, html_meta = extract_html(doc.content)
    return replace(doc, content=text, format="text", hints={**html_meta, **doc.hints})


def clean(
    doc: RawDocument,
    registry: Registry,
    site_boilerplate: frozenset[str] = frozenset(),
    *,
    lines: list[str] | None = None,
    max_chars: int = MAX_TEXT_CHARS,
) -> list[Article]:
    """Turn one raw document into its articles (one per piece of the page; no sentences yet).

    ``site_boilerplate`` holds the keys of lines that repeat across its site's documents
    (``clean_corpus`` computes them); ``lines``, the document's normalised lines when the
    caller has them already.
    """
    doc = as_text(doc)
    hints: dict[str, Any] = dict(doc.hints)
    lines, cut = _within_limit(lines if lines is not None else _lines(doc.content[: 2 * max_chars]), max_chars)
    page = _classify(lines, hints.get("title"), lambda name: registry.by_name(name) is not None)
    for i in cut:
        page.reasons[i] = cut_reason(max_chars)
    for i in page.kept():
        if _key(page.lines[i]) in site_boilerplate:
            page.reasons[i] = "repeated across the site's documents"
    pieces = split_page(page.lines, page.reasons, _is_body)
    page_meta = _metadata(page, range(len(page.lines)))
    articles = []
    for n, piece in enumerate(pieces, start=1):
        _footer(page, piece, last=n == len(pieces))
        if n > 1:
            _piece_title(page, piece)
        source = doc.source if len(pieces) == 1 else f"{doc.source}#part{n}"
        articles.append(_article(source, page, piece, page_meta, hints if n == 1 else _piece_hints(hints, n), registry))
    return articles


def page_reasons(text: str, registry: Registry, title: str | None = None) -> tuple[list[str], list[str | None]]:
    """A page's lines and why each goes (None: kept), as ``clean`` reads them before it
    splits the page: what ``eval.fit_splits`` fits the splitter on."""
    page = _classify(_lines(text), title, lambda name: registry.by_name(name) is not None)
    return page.lines, page.reasons


def _within_limit(lines: list[str], limit: int) -> tuple[list[str], list[int]]:
    """The lines, the one that crosses ``limit`` characters cut there, and the indices of the
    lines past the limit (they are removed with ``cut_reason``)."""
    total, out, cut = 0, list(lines), []
    for i, line in enumerate(out):
        if total >= limit:
            cut.append(i)
        elif total + len(line) > limit:
            keep = limit - total
            out[i], out[i + 1 : i + 1] = line[:keep], [line[keep:]]
            total = limit
        else:
            total += len(line) + 1
    return out, cut


def _relative(page: _Page, piece: range, reference: str | None) -> str | None:
    """A date from "2h ago" against the day the page was retrieved, when nothing better says."""
    for i in piece:
        found = md.relative_date(page.lines[i], reference) if page.reasons[i] == "widget" else None
        if found:
            return found
    return None


def _piece_hints(hints: dict[str, Any], n: int) -> dict[str, Any]:
    """What a page's later pieces inherit from the page's hints: not its title or id; its
    URL with the piece's number as fragment ("...#part2"), so that each piece of one page is
    its own article to the collection, which keeps an article's versions by URL."""
    out = {k: v for k, v in hints.items() if k not in ("title", "id")}
    if out.get("url"):
        out["url"] = f"{urldefrag(str(out['url'])).url}#part{n}"
    return out


def _article(
    source: str,
    page: _Page,
    piece: range,
    page_meta: dict[str, Any],
    hints: dict[str, Any],
    registry: Registry,
) -> Article:
    meta = _metadata(page, piece)
    first = piece.start == 0
    body = "\n\n".join(page.lines[i] for i in piece if page.reasons[i] is None)
    removed = tuple(
        r
        for i in piece
        for r in ([page.prefix_removed[i]] if i in page.prefix_removed else [])
        + ([Removed(page.lines[i], page.reasons[i] or "")] if page.reasons[i] else [])
    )
    # A later piece has its own title and dateline; the page's date and outlet carry over.
    outlet_meta = {**meta, "hints": meta["hints"] + page_meta["hints"]}
    outlet, evidence = _outlet(hints, outlet_meta, registry)
    # "..., Reuters reported." in a later piece of a Reuters page (another outlet's live
    # blog) means the piece restates Reuters. The page's own article keeps a given outlet:
    # Reuters also writes "Reuters reported on Monday" about itself.
    inferred = not first or evidence not in ("given", "url domain")
    if outlet and inferred and re.search(rf"\b{re.escape(outlet)} reported\b", body):
        outlet, evidence = None, f"'{outlet} reported' in the text: it restates {outlet}, it is not {outlet}"
    credits = hints.get("credits") or meta["credits"] or (page_meta["credits"] if first else [])
    return Article(
        id=article_id(source, body, hints.get("id")),
        source=source,
        outlet=outlet,
        url=hints.get("url"),
        title=hints.get("title") or meta["title"] or (None if not first else page_meta["title"]),
        published=_iso_or_none(hints.get("published"))
        or meta["published"]
        or page_meta["published"]
        or _relative(page, piece, _iso_or_none(hints.get("retrieved"))),
        language=hints.get("language"),
        byline=tuple(hints.get("byline") or meta["byline"] or (page_meta["byline"] if first else ())),
        credits=tuple(dict.fromkeys(registry.canonical(c) or c for c in credits)),
        text=body,
        removed=removed,
        outlet_evidence=evidence,
        dateline=meta.get("place"),
    )


def article_id(source: str, text: str, given: Any = None) -> str:
    """Stable id: the input's own id if it has one, else a hash of the text and file name.

    The file name (not the full path) keeps ids equal across working folders.
    """
    if given not in (None, ""):
        return str(given)
    name = PurePath(source.partition("#")[0]).name + source.partition("#")[2]
    return "a" + hashlib.sha1(f"{name}\n{text}".encode()).hexdigest()[:10]


def normalise(text: str) -> str:
    # Keep curly quotes: how an outlet quotes is evidence (issue "Who said what").
    text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    text = INVISIBLE.sub("", text)
    return "\n".join(SPACES.sub(" ", line).strip() for line in text.splitlines())


def _lines(text: str) -> list[str]:
    out = []
    for line in normalise(text).split("\n"):
        line = GLUED.sub(" ", BULLET.sub("", line)).strip()
        if line:
            out.append(line)
    return out


def _classify(lines: list[str], known_title: str | None, is_outlet: Callable[[str], bool]) -> _Page:
    page = _Page(lines=list(lines), reasons=[line_reason(x) for x in lines], is_outlet=is_outlet)
    _strip_glued_navigation(page)
    for i, line in enumerate(page.lines):
        if page.reasons[i] is None:
            page.reasons[i] = _single_line_context(line)
    _captions(page)
    _related_runs(page)
    _title(page, known_title)
    _repeats(page)
    return page


def _single_line_context(line: str) -> str | None:
    if md.is_date_line(line):
        return "date line"
    if md.byline(line):
        return "byline"
    if is_caption(line):
        return "caption"
    return None


def _strip_glued_navigation(page: _Page) -> None:
    for i, line in enumerate(page.lines):
        m = re.match(r"^([A-Z][a-z]+category)(?=[A-Z])", line)
        if m:
            page.prefix_removed[i] = Removed(m.group(1), "navigation")
            page.lines[i] = line[m.end() :]


def _captions(page: _Page) -> None:
    """A line that a caption line starts with is the same caption without its credit."""
    captions = [page.lines[i] for i, r in enumerate(page.reasons) if r == "caption"]
    for i in page.kept():
        line = page.lines[i]
        if len(line) >= 40 and any(c != line and c.startswith(line) for c in captions):
            page.reasons[i] = "caption"


def _related_runs(page: _Page) -> None:
    for i, line in enumerate(page.lines):
        if line.lower().rstrip(":").strip() not in RELATED_MARKERS:
            continue
        j = i + 1
        while j < len(page.lines) and j <= i + MAX_RELATED_RUN:
            if page.reasons[j] is None and headline_like(page.lines[j]):
                page.reasons[j] = "related link"
                j += 1
            else:
                break
    for i in page.kept():
        if headline_like(page.lines[i]) and SITE_SUFFIX.search(page.lines[i]):
            page.reasons[i] = "related link"


def _title(page: _Page, known_title: str | None) -> None:
    title_key = _key(page.untitled(known_title)) if known_title else None
    for i in range(min(len(page.lines), TITLE_WINDOW)):
        line = page.lines[i]
        if page.reasons[i] not in (None, "related link") or not headline_like(line):
            if page.reasons[i] is None and _is_body(line):
                break
            continue
        key = _key(page.untitled(line))
        if title_key is None:
            title_key = key
            page.reasons[i] = "title"
        elif key == title_key:
            page.reasons[i] = "repeated title"
    if title_key is None:
        return
    for i in page.kept():
        if _key(page.untitled(page.lines[i])) == title_key:
            page.reasons[i] = "repeated title"
    if not page.kept():
        # A one-line brief ("The BBC says PM will resign") is its own title and its text:
        # cleaning never empties an article of its only line.
        first = next((i for i, r in enumerate(page.reasons) if r == "title"), None)
        if first is not None:
            page.reasons[first] = None


def _repeats(page: _Page) -> None:
    """Lines seen before on the page: dropped in runs of prose (a block pasted twice), or alone
    when long and not a question (interviews repeat their questions; the benchmark's gold
    keeps them)."""
    seen: set[str] = set()
    kept = page.kept()
    repeat = []
    for n, i in enumerate(kept):
        key = _key(page.lines[i])
        repeat.append(len(key) >= MIN_REPEAT_CHARS and key in seen)
        seen.add(key)
        if n:  # "Kuleba added:" + "Saving ..." come back glued as one line
            seen.add(_key(page.lines[kept[n - 1]] + " " + page.lines[i]))
    for n, i in enumerate(kept):
        in_run = (n > 0 and repeat[n - 1]) or (n + 1 < len(kept) and repeat[n + 1])
        size = len(page.lines[i])
        long_statement = size >= MIN_LONE_REPEAT_CHARS and not page.lines[i].endswith("?")
        if repeat[n] and ((in_run and size >= MIN_RUN_REPEAT_CHARS) or long_statement):
            page.reasons[i] = "repeated block"


def _footer(page: _Page, piece: range, last: bool = True) -> None:
    """Headline-like lines after the last body sentence of a piece are page furniture:
    all of them between two articles of a page; at the end of the page, those that come
    after furniture already removed there ("SHARE THIS ARTICLE", then "Press TV News
    Roku"). Lines straight after the last sentence stay: on the HTML benchmark most short
    ones that an earlier rule took there were the article's own closing list ("- Wales
    (Group E): Second appearance", ticket prices), and keeping them raised F1 in 3 of 5
    folds and lowered it in none (2026-12-01)."""
    kept = [i for i in piece if page.reasons[i] is None]
    body = [i for i in kept if _is_body(page.lines[i])]
    if not body:
        return
    furniture = next((i for i in range(body[-1] + 1, piece.stop) if page.reasons[i] is not None), piece.stop)
    for i in kept:
        if i > body[-1] and headline_like(page.lines[i]) and (not last or i > furniture):
            page.reasons[i] = "page footer"


def _piece_title(page: _Page, piece: range) -> None:
    """The first headline-like line before a piece's first body line is its title."""
    for i in piece:
        if page.reasons[i] is not None:
            continue
        if _is_body(page.lines[i]):
            return
        if headline_like(page.lines[i]):
            page.reasons[i] = "title"
            return


def _is_body(line: str) -> bool:
    return len(line.split()) >= BODY_MIN_WORDS and not headline_like(line)


def _key(text: str) -> str:
    return " ".join(re.sub(r"[\"'“”‘’]", "", text.lower()).split())


def _metadata(page: _Page, piece: range) -> dict[str, Any]:
    year = md.copyright_year("\n".join(page.lines))
    meta: dict[str, Any] = {"title": None, "published": None, "byline": (), "credits": [], "hints": [], "place": None}
    for i in piece:
        _read_line_meta(meta, page, page.lines[i], page.reasons[i])
    if year is None and meta["published"]:
        year = int(meta["published"][:4])
    for i in [i for i in piece if page.reasons[i] is None][:3]:
        place, iso, agency = md.dateline(page.lines[i], year)
        if agency:
            meta["credits"].insert(0, agency)
            meta["hints"].append(("dateline credit", agency))
            meta["place"] = place
            meta["published"] = meta["published"] or iso
            break
    return meta


def _read_line_meta(meta: dict[str, Any], page: _Page, line: str, reason: str | None) -> None:
    if reason == "title" and meta["title"] is None:
        meta["title"] = page.untitled(line)
        if page.suffix(line):
            meta["hints"].append(("title suffix", page.suffix(line)))
    elif reason == "repeated title":
        suffix = page.suffix(line)
        if suffix:
            meta["hints"].append(("title suffix", suffix))
    elif reason == "date line" and meta["published"] is None:
        meta["published"] = md.parse_date(line)
    elif reason == "byline" and not meta["byline"]:
        meta["byline"] = md.byline(line)
    elif reason == "credit":
        agency = md.credit_agency(line)
        if agency:
            meta["credits"].append(agency)
        names = md.reporting_names(line)
        if names and not meta["byline"]:
            meta["byline"] = names
    elif reason == "copyright":
        holder = md.copyright_holder(line)
        if holder:
            meta["hints"].append(("copyright line", holder))
    elif reason == "site notice":
        name = md.self_reference(line)
        if name:
            meta["hints"].append(("self reference", name))


#: Which textual evidence names the outlet, strongest first.
OUTLET_EVIDENCE_ORDER = ("title suffix", "copyright line", "self reference", "dateline credit")


def _outlet(hints: dict[str, Any], meta: dict[str, Any], registry: Registry) -> tuple[str | None, str | None]:
    if hints.get("outlet"):
        return registry.canonical(str(hints["outlet"])), "given"
    by_url = registry.by_url(hints.get("url"))
    if by_url:
        return by_url.name, "url domain"
    if hints.get("sitename"):
        return registry.canonical(str(hints["sitename"])), "page metadata"
    for kind in OUTLET_EVIDENCE_ORDER:
        for found_kind, name in meta["hints"]:
            if found_kind != kind:
                continue
            # A copyright line names a company; only trust it when the registry knows it,
            # or when it is short enough to be a masthead ("InDaily").
            known = registry.by_name(name)
            if known or kind != "copyright line" or len(name.split()) <= 3:
                return (known.name if known else name), kind
    return None, None


def _iso_or_none(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    return md.parse_date(text)
