"""Hostile servers and addresses: DNS rebinding, addresses hidden in IPv6 forms, robots.txt
per RFC 9309, and a total deadline per fetch. Servers run on 127.0.0.1, started here."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from manysides.errors import UnreadableInput
from manysides.ingest import Fetcher
from manysides.ingest.fetch import ROBOTS_MAX_BYTES, is_public

PAGE = b"<html><body><article><p>NATO marked its anniversary on Thursday in Brussels.</p></article></body></html>"


class Site:
    """A local server whose answer per path the test sets; it counts the requests it gets."""

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                route = site.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Callable[..., None]:
    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return respond


@pytest.fixture()
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("0.0.0.0", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::5db8:d822", True),
        ("2002:7f00:1::", False),
        ("2001::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
    ],
)
def test_fetch_public_addresses_only(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_fetch_dns_rebinding_cannot_reach_loopback(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name resolves to a public address when checked, then to 127.0.0.1: the
    connection must go to what was checked (or nowhere), never to the local server."""
    site.routes["/page.html"] = answer(200, PAGE, {"Content-Type": "text/html"})
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"] + ["127.0.0.1"] * 20)

    def rebinding(host: str, port: object, *args: object, **kwargs: object) -> list[object]:
        if host == "rebind.example":
            ip = next(answers)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    fetcher = Fetcher(respect_robots=False, timeout=2.0)
    with pytest.raises(UnreadableInput, match=r"not a public address|cannot connect"):
        fetcher.fetch(f"http://rebind.example:{site.port}/page.html")
    assert site.hits == []


def _fetcher() -> Fetcher:
    return Fetcher(allow_private=True, timeout=2.0)


def test_fetch_robots_5xx_or_unreachable_disallows_4xx_allows(site: Site) -> None:
    site.routes["/page.html"] = answer(200, PAGE, {"Content-Type": "text/html"})
    site.routes["/robots.txt"] = answer(500)
    with pytest.raises(UnreadableInput, match=r"robots\.txt"):
        _fetcher().fetch(f"{site.base}/page.html")
    site.routes["/robots.txt"] = answer(404)
    assert _fetcher().fetch(f"{site.base}/page.html")[1] == PAGE


def test_fetch_robots_redirect_is_followed(site: Site) -> None:
    site.routes["/page.html"] = answer(200, PAGE, {"Content-Type": "text/html"})
    site.routes["/robots.txt"] = answer(301, headers={"Location": "/real-robots.txt"})
    site.routes["/real-robots.txt"] = answer(200, b"User-agent: *\nDisallow: /page.html\n")
    with pytest.raises(UnreadableInput, match=r"robots\.txt"):
        _fetcher().fetch(f"{site.base}/page.html")


def test_fetch_robots_is_read_to_500_kib_only(site: Site) -> None:
    site.routes["/page.html"] = answer(200, PAGE, {"Content-Type": "text/html"})
    huge = b"User-agent: *\nAllow: /\n" + b"# padding\n" * (4 * ROBOTS_MAX_BYTES // 10) + b"Disallow: /page.html\n"
    site.routes["/robots.txt"] = answer(200, huge)
    # The rule past the cap is not read: the page may be fetched.
    assert _fetcher().fetch(f"{site.base}/page.html")[1] == PAGE


def test_fetch_a_trickling_server_is_cut_off_by_the_total_deadline(site: Site) -> None:
    def trickle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        try:
            for _ in range(60):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client hung up: what the test wants

    site.routes["/slow.html"] = trickle
    fetcher = Fetcher(allow_private=True, respect_robots=False, timeout=2.0)
    fetcher.deadline = 1.0
    started = time.monotonic()
    with pytest.raises(UnreadableInput, match="took over 1 s"):
        fetcher.fetch(f"{site.base}/slow.html")
    assert time.monotonic() - started < 3.0
