"""Fetching articles from the web, politely and safely.

- only http and https; at most MAX_REDIRECTS redirects, each target checked again;
- no request to an address that is not public (loopback, private, link-local, multicast,
  reserved, and IPv4 ones hidden in IPv6: mapped, NAT64, 6to4) unless the user allows it
  (``allow_private``): a URL in a feed must not reach into the user's network. The host is
  resolved once, at connection time, and the connection goes to the address that was
  checked (``_CheckedBackend``), so a name that re-resolves elsewhere (DNS rebinding)
  cannot slip through; TLS still names the host;
- a timeout per read, a total deadline per fetch (a server trickling a byte a second is
  cut off), and a size cap on the body (streamed, cut at the cap);
- a User-Agent that names manysides, and robots.txt honoured per RFC 9309 (cached per
  host): redirects followed (up to 5), 4xx = no rules, 5xx or unreachable = nothing may be
  fetched, at most ROBOTS_MAX_BYTES read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from ..errors import UnreadableInput
from ..settings import LimitsSettings

USER_AGENT = "manysides/0.1 (+https://github.com/manysides/manysides; news coverage comparison)"
TIMEOUT_S = 15.0
#: Whole fetch, connection to last byte.
DEADLINE_S = 60.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
#: RFC 9309 2.5: crawlers must read at least 500 KiB of a robots.txt; more is ignored.
ROBOTS_MAX_BYTES = 500 * 1024
#: IPv6 prefix that carries an IPv4 address in its last 32 bits (NAT64, RFC 6052).
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NOT_PUBLIC = "is not a public address"


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally reachable by IANA's special-purpose registries (``is_global``), not
    multicast, and for IPv6 forms that embed an IPv4 address, that address public too."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.teredo is not None:
            return False
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host once and connects to an address that passed the check."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        allowed = [a for a in addresses if self.allow_private or is_public(a)]
        if not allowed:
            raise httpcore.ConnectError(f"{host} ({addresses[0]}) {NOT_PUBLIC}; pass --allow-private to fetch it")
        return super().connect_tcp(str(allowed[0]), port, timeout, local_address, socket_options)


#: Response headers an Answer keeps (validators for conditional GET, redirects, rate limits).
KEPT_HEADERS = ("etag", "last-modified", "location", "retry-after", "date", "content-type")


@dataclass(frozen=True)
class Answer:
    """A response: status, the URL that gave it, its body (empty for 304 and redirects),
    content type, and the KEPT_HEADERS it carried (lower-case names)."""

    status: int
    url: str
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


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

    deadline: float = DEADLINE_S
    robots_bytes: int = ROBOTS_MAX_BYTES

    @classmethod
    def from_limits(cls, limits: LimitsSettings, allow_private: bool = False) -> Fetcher:
        """A fetcher with the ``[limits]`` settings' timeout, deadline and size caps."""
        return cls(
            allow_private=allow_private,
            timeout=limits.fetch_timeout,
            max_bytes=limits.page_bytes,
            deadline=limits.fetch_deadline,
            robots_bytes=limits.robots_bytes,
        )

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            transport = httpx.HTTPTransport()
            # The pool's connections go through the checking backend (httpx has no public
            # hook for it; httpcore's ConnectionPool reads this attribute for each connection).
            transport._pool._network_backend = _CheckedBackend(self.allow_private)
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}, transport=transport
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
        answer = self.get(url)
        if answer.status >= 400:
            raise UnreadableInput(answer.url, f"the server answered HTTP {answer.status}; check the URL")
        return answer.url, answer.body, answer.content_type

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        """One GET with the fetcher's rules, redirects followed (each target checked again);
        any status is returned (304 for a conditional GET, 429 ...), only failures to fetch
        raise UnreadableInput. ``headers``: extra request headers (If-None-Match ...)."""
        for _ in range(MAX_REDIRECTS + 1):
            self._check(url)
            answer = self._get(url, headers=headers)
            if answer.status in (301, 302, 303, 307, 308):
                url = urljoin(url, answer.headers.get("location", ""))
                continue
            return replace(answer, url=url)
        raise UnreadableInput(url, f"more than {MAX_REDIRECTS} redirects; give the final URL")

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise UnreadableInput(url, f"only http and https URLs are fetched, not {parts.scheme or 'none'}:")
        if not parts.hostname:
            raise UnreadableInput(url, "the URL has no host; check it")
        if not self.allow_private:
            for address in _addresses(url, parts.hostname, parts.port):
                if not is_public(address):
                    raise UnreadableInput(
                        url, f"{parts.hostname} is a {_kind(address)} address; pass --allow-private to fetch it"
                    )
        if self.respect_robots and not self._robots_allow(url):
            raise UnreadableInput(url, "robots.txt of the site disallows fetching it; respect it or save the page")

    def _get(self, url: str, cap: int | None = None, headers: dict[str, str] | None = None) -> Answer:
        """One request, no redirect followed; the body cut at ``cap`` bytes when given, else
        refused past ``max_bytes``; the whole exchange within ``deadline`` seconds."""
        limit = cap if cap is not None else self.max_bytes
        ends = time.monotonic() + self.deadline
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                kept = {k.lower(): v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
                if response.is_redirect or response.status_code == 304:
                    return Answer(response.status_code, url, b"", "", kept)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    if time.monotonic() > ends:
                        raise UnreadableInput(url, f"the page took over {self.deadline:.0f} s to arrive; try later")
                    size += len(chunk)
                    if size > limit:
                        if cap is not None:
                            chunks.append(chunk[: len(chunk) - (size - limit)])
                            break
                        raise UnreadableInput(url, f"the page is over the {_size(limit)} cap; save it and split it")
                    chunks.append(chunk)
                self.retrieved = _http_day(response.headers.get("date"))
                content_type = response.headers.get("content-type", "")
                return Answer(response.status_code, url, b"".join(chunks), content_type, kept)
        except httpx.TimeoutException:
            raise UnreadableInput(url, f"no answer within {self.timeout:.0f} s; try again later") from None
        except httpx.ConnectError as exc:
            if NOT_PUBLIC in str(exc):
                raise UnreadableInput(url, str(exc)) from None
            raise UnreadableInput(url, f"cannot connect ({exc}); check the URL and the network") from None
        except httpx.HTTPError as exc:
            raise UnreadableInput(url, f"cannot fetch ({type(exc).__name__}); check the URL and the network") from None

    def crawl_delay(self, url: str) -> float:
        """The site's robots.txt Crawl-delay for manysides, in seconds (0 when none)."""
        parts = urlsplit(url)
        robots = self._robots.get(f"{parts.scheme}://{parts.netloc}")
        delay = robots.crawl_delay(USER_AGENT) if robots is not None else None
        return float(delay or 0)

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        if base not in self._robots:
            self._robots[base] = self._load_robots(base)
        robots = self._robots[base]
        return robots is None or robots.can_fetch(USER_AGENT, url)

    def _load_robots(self, base: str) -> RobotFileParser | None:
        """RFC 9309 2.3.1: redirects followed (up to 5); 4xx = no rules (None); 5xx or
        unreachable = "complete disallow"; the first ROBOTS_MAX_BYTES parsed."""
        url = f"{base}/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            try:
                if not self.allow_private:
                    self._check_address(url)
                answer = self._get(url, cap=self.robots_bytes)
            except UnreadableInput:
                return _disallow_all()
            status, body, location = answer.status, answer.body, answer.headers.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if 400 <= status < 500:
                return None
            if status >= 500:
                return _disallow_all()
            parser = RobotFileParser()
            parser.parse(body.decode("utf-8", errors="replace").splitlines())
            return parser
        return None  # RFC 9309: more than five redirects may be taken as unavailable (4xx)

    def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UnreadableInput(url, "robots.txt redirects off the web; ignored")
        for address in _addresses(url, parts.hostname, parts.port):
            if not is_public(address):
                raise UnreadableInput(url, f"{parts.hostname} {NOT_PUBLIC}")


def _disallow_all() -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(["User-agent: *", "Disallow: /"])
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
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and (address.sixtofour or address in NAT64):
        return "IPv6 form of a non-public IPv4"
    if address.is_loopback:
        return "loopback"
    if address.is_private:
        return "private"
    if address.is_link_local:
        return "link-local"
    return "reserved"
