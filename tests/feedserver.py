"""A local HTTP server for the watcher's tests: feeds, sitemaps and pages that the test
changes as its simulated day goes on, with the misbehaviours a watcher meets (timeouts,
garbage, 429, billion laughs, endless bodies and redirects, a byte a second). 127.0.0.1
only; started and stopped by the tests."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Called instead of sending ``body`` (misbehaving routes).
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class FeedServer:
    """``routes[path]`` is what GET path answers; ``hits`` counts requests per path and
    ``not_modified`` the 304s; POSTs (webhooks) are kept in ``posted``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.posted: list[dict[str, Any]] = []
        self.webhook_failures = 0  # answer this many webhook POSTs with 500 first
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with server._lock:
                    server.hits[path] += 1
                    route = server.routes.get(path)
                if path == "/robots.txt" and route is None:
                    return self._send(404, b"", "text/plain", {})
                if route is None:
                    return self._send(404, b"no such page", "text/plain", {})
                if route.handler is not None:
                    return route.handler(self)
                tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                if route.status == 200 and self.headers.get("If-None-Match") == tag:
                    with server._lock:
                        server.not_modified[path] += 1
                    return self._send(304, b"", route.content_type, {"ETag": tag})
                headers = {"ETag": tag, **route.headers} if route.status == 200 else dict(route.headers)
                self._send(route.status, route.body, route.content_type, headers)

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(size) or b"null")
                with server._lock:
                    fail = server.webhook_failures > 0
                    server.webhook_failures -= int(fail)
                    if not fail:
                        server.posted.append(body)
                self._send(500 if fail else 204, b"", "text/plain", {})

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if body and self.command != "HEAD":
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- content -----------------------------------------------------------------------

    def page(self, path: str, title: str, text: str, published: str | None = None) -> str:
        """An article page at ``path``; returns its URL."""
        meta = f'<meta property="article:published_time" content="{published}">' if published else ""
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
        html = (
            f"<!doctype html><html><head><title>{escape(title)}</title>{meta}</head>"
            f"<body><article><h1>{escape(title)}</h1>{paragraphs}</article></body></html>"
        )
        self.routes[path] = Route(html.encode())
        return self.base + path

    def rss(self, path: str, items: list[tuple[str, str, str]], title: str = "feed") -> str:
        """An RSS 2.0 feed of (url, title, RFC 3339 date) items; returns its URL."""
        entries = "".join(
            f"<item><title>{escape(t)}</title><link>{escape(u)}</link><pubDate>{_rfc822(d)}</pubDate></item>"
            for u, t, d in items
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'
        self.routes[path] = Route(body.encode(), "application/rss+xml")
        return self.base + path

    def news_sitemap(self, path: str, items: list[tuple[str, str, str]]) -> str:
        entries = "".join(
            f"<url><loc>{escape(u)}</loc><news:news><news:title>{escape(t)}</news:title>"
            f"<news:publication_date>{d}</news:publication_date></news:news></url>"
            for u, t, d in items
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
        )
        self.routes[path] = Route(body.encode(), "application/xml")
        return self.base + path


def _rfc822(iso: str) -> str:
    import datetime as dt

    return format_datetime(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")))


def slow_body(handler: BaseHTTPRequestHandler, seconds: float = 30.0) -> None:
    """A 200 that sends a byte a second."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    ends = time.monotonic() + seconds
    try:
        while time.monotonic() < ends:
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(1.0)
    except OSError:
        pass


def endless_body(handler: BaseHTTPRequestHandler, limit: int = 2**30) -> None:
    """A 200 that streams up to ``limit`` bytes (1 GiB) as fast as it can."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    chunk = b"<rss>" + b"x" * 65531
    sent = 0
    try:
        while sent < limit:
            handler.wfile.write(chunk)
            sent += len(chunk)
    except OSError:
        pass


def hang(handler: BaseHTTPRequestHandler, seconds: float = 30.0) -> None:
    """No answer at all for ``seconds`` (a feed that times out)."""
    time.sleep(seconds)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
)
