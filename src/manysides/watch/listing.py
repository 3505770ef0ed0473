"""What a watched source lists: the items of an RSS/Atom feed or a (news) sitemap, read
safely (no entity expansion, no external entities: defusedxml refuses them before the feed
parser sees the bytes), and URLs put in one canonical form for dedup.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from ..errors import UnknownFormat
from ..ingest.web import looks_like_feed

#: Query parameters that only track the reader; dropped from canonical URLs.
TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ito", "at_medium", "at_campaign")
#: Items read from one listing at most (a feed of a million items is cut here).
MAX_ITEMS = 1000
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass(frozen=True)
class Item:
    """One listed item: its canonical URL, what the listing says of it, and a fingerprint
    that changes when the listing says the item changed (its date, else its title)."""

    url: str
    title: str | None = None
    published: str | None = None
    fingerprint: str = ""
    #: A sitemap index lists sitemaps, not articles.
    sitemap: bool = False


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(TRACKING)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def kind_of(data: bytes) -> str:
    """feed, sitemap or page, from the first bytes of a listing."""
    if looks_like_feed(data):
        return "feed"
    head = data[:4096].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    return "page"


def read_listing(source: str, data: bytes, kind: str) -> list[Item]:
    """The items of a feed or sitemap (at most MAX_ITEMS). Raises an InputError naming
    the source when the bytes are not a listing of that kind or are hostile XML."""
    try:
        root = SafeTree.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnknownFormat(source, f"the listing declares XML entities ({type(exc).__name__}); refused") from None
    except SafeTree.ParseError as exc:
        if kind == "sitemap":
            raise UnknownFormat(source, f"not a readable sitemap ({exc})") from None
        root = None  # feedparser reads many broken feeds: let it try
    if kind == "sitemap":
        return _sitemap(source, root)
    return _feed(source, data)


def _feed(source: str, data: bytes) -> list[Item]:
    import feedparser

    feed = feedparser.parse(data)
    if feed.bozo and not feed.entries:
        raise UnknownFormat(source, "not a readable RSS or Atom feed; check the URL")
    items = []
    for entry in feed.entries[:MAX_ITEMS]:
        link = entry.get("link")
        if not link or not str(link).startswith(("http://", "https://")):
            continue
        with warnings.catch_warnings():  # feedparser warns when updated_parsed falls back to published_parsed
            warnings.simplefilter("ignore", DeprecationWarning)
            first = entry.get("published_parsed") or entry.get("updated_parsed")
            last = entry.get("updated_parsed") or first
        published = time.strftime("%Y-%m-%dT%H:%M:%SZ", first) if first else None
        updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", last) if last else None
        title = entry.get("title")
        # The item changed when its update time did (else its summary or title).
        mark = updated or (entry.get("summary") or "")[:2000] or title or ""
        items.append(Item(canonical_url(link), title, published, _hash(mark)))
    return items


def _sitemap(source: str, root: object) -> list[Item]:
    from xml.etree.ElementTree import Element

    if not isinstance(root, Element):
        raise UnknownFormat(source, "not a readable sitemap")
    index = root.tag.endswith("sitemapindex")
    items = []
    for node in list(root)[:MAX_ITEMS]:
        loc = node.findtext(f"{SITEMAP_NS}loc") or node.findtext("loc")
        if not loc or not loc.strip().startswith(("http://", "https://")):
            continue
        lastmod = node.findtext(f"{SITEMAP_NS}lastmod") or node.findtext("lastmod")
        news = node.find(f"{NEWS_NS}news")
        title = news.findtext(f"{NEWS_NS}title") if news is not None else None
        published = news.findtext(f"{NEWS_NS}publication_date") if news is not None else None
        published = (published or lastmod or "").strip() or None
        items.append(Item(canonical_url(loc), title, published, _hash((lastmod or published or "").strip()), index))
    return items


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:16]
