"""Stage 1, ingest: paths, folders, globs and stdin to ``RawDocument``s.

Bad inputs never stop the run: each becomes a ``Skipped`` with a one-line reason.
Documents come out sorted by source, so the input order never changes the report.
"""

from __future__ import annotations

import codecs
import glob
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import EmptyInput, InputError, UnknownFormat, UnreadableInput
from ..model import RawDocument, Skipped
from .fetch import Fetcher
from .manifest import MANIFEST_NAME, Manifest, load_manifest
from .readers import READERS, Reader, reader_for_extension, register_reader, sniff
from .web import PageLink, looks_like_feed, read_feed, read_warc

__all__ = [
    "MANIFEST_NAME",
    "READERS",
    "Fetcher",
    "Manifest",
    "ingest",
    "load_manifest",
    "register_reader",
]

#: Inputs larger than this are skipped: no article is this long, a dump is.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def ingest(
    paths: Iterable[str],
    manifest: Manifest | None = None,
    stdin: bytes | None = None,
    fetcher: Fetcher | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
) -> tuple[list[RawDocument], list[Skipped]]:
    """Read every input. Returns the documents (sorted by source) and what was skipped.

    URLs are fetched, and so are the items of RSS/Atom feeds (one level: a feed's links are
    read as articles, never as further feeds). ``max_bytes`` bounds one input, also while
    it is decompressed (``limits.input_bytes``).
    """
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher()
    docs: list[RawDocument] = []
    skipped: list[Skipped] = []
    for item in _expand(paths, skipped, stdin, max_bytes):
        if isinstance(item, PageLink):
            _fetch_link(item, fetcher, docs, skipped, manifest, follow_feeds=True)
        else:
            _collect(_read_one(item[0], item[1], max_bytes=max_bytes), fetcher, docs, skipped, manifest)
    if own_fetcher:
        fetcher.close()
    docs.sort(key=lambda d: _source_key(d.source))
    skipped.sort(key=lambda s: _source_key(s.source))
    return docs, skipped


def _collect(
    items: Iterator[RawDocument | InputError | PageLink],
    fetcher: Fetcher,
    docs: list[RawDocument],
    skipped: list[Skipped],
    manifest: Manifest | None,
    extra_hints: dict[str, object] | None = None,
    follow_feeds: bool = True,
) -> None:
    try:
        for item in items:
            if isinstance(item, InputError):
                skipped.append(Skipped(item.source, item.reason))
            elif isinstance(item, PageLink):
                if follow_feeds:
                    _fetch_link(item, fetcher, docs, skipped, manifest, follow_feeds=False)
                else:
                    skipped.append(Skipped(item.url, "a feed inside a feed is not followed; give its URL directly"))
            else:
                doc = replace(item, hints={**(extra_hints or {}), **item.hints}) if extra_hints else item
                docs.append(_apply_manifest(doc, manifest))
    except InputError as exc:
        skipped.append(Skipped(exc.source, exc.reason))


def _fetch_link(
    link: PageLink,
    fetcher: Fetcher,
    docs: list[RawDocument],
    skipped: list[Skipped],
    manifest: Manifest | None,
    follow_feeds: bool,
) -> None:
    try:
        url, body, content_type = fetcher.fetch(link.url)
    except InputError as exc:
        skipped.append(Skipped(exc.source, exc.reason))
        return
    hints = {**link.hints, "url": url, **({"retrieved": fetcher.retrieved} if fetcher.retrieved else {})}
    items = _read_one(url, body, content_type=content_type)
    _collect(items, fetcher, docs, skipped, manifest, extra_hints=hints, follow_feeds=follow_feeds)


def _source_key(source: str) -> tuple[str, int]:
    # "file.jsonl#L10" sorts after "file.jsonl#L9".
    base, _, line = source.partition("#L")
    return base, int(line) if line.isdigit() else 0


def _expand(
    paths: Iterable[str], skipped: list[Skipped], stdin: bytes | None, max_bytes: int = MAX_INPUT_BYTES
) -> Iterator[tuple[str, bytes] | PageLink]:
    for raw in paths:
        if raw.startswith(("http://", "https://")):
            yield PageLink(raw)
            continue
        if raw == "-":
            yield "<stdin>", stdin if stdin is not None else sys.stdin.buffer.read()
            continue
        for path in resolve_paths(raw, skipped):
            try:
                yield str(path), _read_bytes(path, max_bytes)
            except InputError as exc:
                skipped.append(Skipped(exc.source, exc.reason))


def resolve_paths(raw: str, skipped: list[Skipped]) -> list[Path]:
    path = Path(raw)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
        files = [p for p in files if p.name != MANIFEST_NAME]
        if not files:
            skipped.append(Skipped(raw, "the folder holds no files; point at a folder of articles"))
        return files
    if path.exists():
        return [path]
    if glob.has_magic(raw):
        matches = sorted(Path(p) for p in glob.glob(raw, recursive=True) if Path(p).is_file())
        if not matches:
            skipped.append(Skipped(raw, "the pattern matches no file; check the pattern and quote it"))
        return matches
    skipped.append(Skipped(raw, "no such file or folder; check the path"))
    return []


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _read_bytes(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A regular file's bytes, at most MAX_INPUT_BYTES (FIFOs and devices are refused: they
    would block or never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableInput(str(path), "not a regular file (a FIFO, device or socket); give a file of articles")
        if info.st_size > limit:
            raise UnreadableInput(str(path), _too_large(info.st_size, limit))
        with path.open("rb") as fh:
            data = fh.read(limit + 1)  # the file may have grown since stat
        if len(data) > limit:
            raise UnreadableInput(str(path), _too_large(len(data), limit))
        return data
    except OSError as exc:
        raise UnreadableInput(
            str(path), f"cannot read the file ({exc.strerror}); check it exists and is readable"
        ) from None


def _too_large(size: int, limit: int) -> str:
    return f"{size / 2**20:g} MB is larger than the {limit / 2**20:g} MB limit; split the file (limits.input_bytes)"


def gunzip(source: str, data: bytes, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Decompress gzip (every member), counting as it goes: a bomb stops at ``limit``
    bytes, not when memory runs out."""
    out = bytearray()
    rest = data
    while rest:
        inflate = zlib.decompressobj(wbits=31)
        try:
            chunk = inflate.decompress(rest, limit + 1 - len(out))
            while chunk:
                out += chunk
                if len(out) > limit:
                    raise UnreadableInput(source, f"inflates past the {limit // 2**20} MB limit; split it or check it")
                chunk = inflate.decompress(inflate.unconsumed_tail, limit + 1 - len(out))
        except zlib.error:
            raise UnreadableInput(source, "not a valid gzip file; decompress it or fix the download") from None
        if not inflate.eof:
            raise UnreadableInput(source, "the gzip file is cut short; download it again")
        rest = inflate.unused_data.lstrip(b"\x00")
    return bytes(out)


def _read_one(
    source: str, data: bytes, content_type: str = "", max_bytes: int = MAX_INPUT_BYTES
) -> Iterator[RawDocument | InputError | PageLink]:
    name = source.lower().split("?")[0]
    if name.endswith(".gz"):
        data = gunzip(source, data, max_bytes)
        name = name[:-3]
    if not data.strip():
        raise EmptyInput(source, "the file is empty; remove it or give it article text")
    if name.endswith(".warc"):
        yield from read_warc(source, data)
        return
    if name.endswith((".rss", ".atom")) or "rss" in content_type or "atom" in content_type or looks_like_feed(data):
        yield from read_feed(source, data)
        return
    web = source.startswith(("http://", "https://"))
    reader = (
        _reader_for_type(content_type) if web else _reader_for(source, Path(name).suffix if source != "<stdin>" else "")
    )
    text = decode(source, data)
    yield from (reader or sniff(text)).read(source, text)


def _reader_for_type(content_type: str) -> Reader | None:
    """The reader for a fetched body's Content-Type; None means sniff the content."""
    if "html" in content_type:
        return READERS["html"]
    if content_type.startswith("text/plain"):
        return READERS["text"]
    return None


def _reader_for(source: str, ext: str) -> Reader | None:
    """The reader for a file extension; None means sniff the content (stdin, no extension)."""
    if not ext:
        return None
    reader = reader_for_extension(ext)
    if reader is None:
        known = ", ".join(sorted(e for r in READERS.values() for e in r.extensions))
        known += ", .rss, .atom, .warc"
        raise UnknownFormat(source, f"unknown format {ext!r}; use one of {known} (or rename the file)")
    return reader


#: Byte-order marks of the UTF encodings that hold NUL bytes (UTF-32 first: its LE mark
#: starts with UTF-16's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(source: str, data: bytes) -> str:
    """UTF-16/32 by their byte-order mark (or UTF-16 without one, by its NUL pattern), UTF-8
    (the common case), then charset detection; other binary data is refused."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableInput(
                    source, f"starts as {encoding.upper()} but does not decode; convert it to UTF-8"
                ) from None
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data[:8192]:
        raise UnknownFormat(source, "binary data, not text; give the article as text, HTML or JSON Lines")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableInput(source, "cannot tell the text encoding; convert the file to UTF-8")
    return str(best)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text written without a mark: NUL in every other byte of a mostly-ASCII head."""
    head = data[:4096]
    if len(head) < 4 or len(data) % 2:
        return None
    for encoding, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _apply_manifest(doc: RawDocument, manifest: Manifest | None) -> RawDocument:
    if manifest is None:
        return doc
    entry = manifest.lookup(doc.source)
    if not entry:
        return doc
    # The input's own record (a JSONL field) is more specific than the manifest.
    return replace(doc, hints={**entry, **doc.hints})
