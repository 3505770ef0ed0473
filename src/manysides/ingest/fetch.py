"""Fetching articles from the web, politely and safely.

- only http and https; at most MAX_REDIRECTS redirects, each target checked again;
- no request to loopback, private, link-local or reserved addresses unless the user
  allows it (``allow_private``): a URL in a feed must not reach into the user's network;
- a timeout per request and a size cap on the body (streamed, cut at the cap);
- a User-Agent that names manysides, and robots.txt honoured (cached per host).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from ..errors import UnreadableInput

USER_AGENT = "manysides/0.1 (+https://github.com/manysides/manysides; news coverage comparison)"
TIMEOUT_S = 15.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass
class Fetcher:
    """One fetching session: an HTTP client, the policy, and the robots.txt cache."""

    allow_private: bool = False
    respect_robots: bool = True
    timeout: float = TIMEOUT_S
    max_bytes: int = MAX_BYTES
    _robots: dict[str, RobotFileParser | None] = field(default_factory=dict)
    _client: httpx.Client | None = None
    retrieved: str | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
            )
        return self._client

    def close(self) -> None:
        """Close the connection pool; the fetcher opens a new one if used again."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def fetch(self, url: str) -> tuple[str, bytes, str]:
        """(final URL, body, content type). Raises UnreadableInput with a reason.

        ``retrieved`` holds the server's Date of the last fetch (ISO day), the reference
        for relative dates ("2h ago") in the page.
        """
        for _ in range(MAX_REDIRECTS + 1):
            self._check(url)
            response = self._get(url)
            if response[0] in (301, 302, 303, 307, 308):
                url = urljoin(url, response[2])
                continue
            status, body, content_type = response
            if status >= 400:
                raise UnreadableInput(url, f"the server answered HTTP {status}; check the URL")
            return url, body, content_type
        raise UnreadableInput(url, f"more than {MAX_REDIRECTS} redirects; give the final URL")

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise UnreadableInput(url, f"only http and https URLs are fetched, not {parts.scheme or 'none'}:")
        if not parts.hostname:
            raise UnreadableInput(url, "the URL has no host; check it")
        if not self.allow_private:
            for address in _addresses(url, parts.hostname, parts.port):
                if not address.is_global:
                    raise UnreadableInput(
                        url, f"{parts.hostname} is a {_kind(address)} address; pass --allow-private to fetch it"
                    )
        if self.respect_robots and not self._robots_allow(url):
            raise UnreadableInput(url, "robots.txt of the site disallows fetching it; respect it or save the page")

    def _get(self, url: str) -> tuple[int, bytes, str]:
        try:
            with self.client.stream("GET", url) as response:
                if response.is_redirect:
                    return response.status_code, b"", response.headers.get("location", "")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        cap = _size(self.max_bytes)
                        raise UnreadableInput(url, f"the page is over the {cap} cap; save it and split it")
                    chunks.append(chunk)
                self.retrieved = _http_day(response.headers.get("date"))
                return response.status_code, b"".join(chunks), response.headers.get("content-type", "")
        except httpx.TimeoutException:
            raise UnreadableInput(url, f"no answer within {self.timeout:.0f} s; try again later") from None
        except httpx.HTTPError as exc:
            raise UnreadableInput(url, f"cannot fetch ({type(exc).__name__}); check the URL and the network") from None

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        if base not in self._robots:
            self._robots[base] = self._load_robots(base)
        robots = self._robots[base]
        return robots is None or robots.can_fetch(USER_AGENT, url)

    def _load_robots(self, base: str) -> RobotFileParser | None:
        try:
            response = self.client.get(f"{base}/robots.txt")
        except httpx.HTTPError:
            return None  # no robots.txt reachable: nothing forbids
        if response.status_code >= 400:
            return None
        parser = RobotFileParser()
        parser.parse(response.text.splitlines())
        return parser


def _http_day(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n:,} bytes"


def _addresses(url: str, host: str, port: int | None) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise UnreadableInput(url, f"cannot resolve {host}; check the host name and the network") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_loopback:
        return "loopback"
    if address.is_private:
        return "private"
    if address.is_link_local:
        return "link-local"
    return "reserved"
