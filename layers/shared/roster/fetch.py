"""Fetching other people's URLs (creators' feeds, post pages, platform APIs) safely and politely.

- SSRF: every address a host name resolves to must be public; the connection then goes to the
  address that was checked (no second DNS lookup an attacker could answer differently). Private,
  loopback, link-local, shared, reserved and multicast addresses are refused; loopback only when
  the local-mode setting allows it. Every redirect hop is checked again.
- Politeness: a descriptive User-Agent, conditional GET (ETag / Last-Modified → 304), gzip.
- Bounds: a connect/read timeout, an overall deadline, and a maximum body size (also after gzip).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

USER_AGENT = "RosterMonitor/1.0 (proof-of-post checker for brand partnerships; +https://roster.dev/bot)"
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}

Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """The URL could not be fetched; the message says why, and is safe to show the brand (it names
    the host, never the full URL, which may carry an API key)."""

    def __init__(self, message: str, *, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200, or 304 when the conditional GET says nothing changed
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_allowed(ip: str, *, allow_loopback: bool = False) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return allow_loopback
    return addr.is_global and not addr.is_multicast


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Fetcher:
    timeout: float = 10.0
    max_bytes: int = 2 * 1024 * 1024
    allow_loopback: bool = False
    user_agent: str = USER_AGENT
    resolver: Resolver = system_resolver

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
    ) -> Response:
        deadline = time.monotonic() + self.timeout * 3
        headers = {"User-Agent": self.user_agent, "Accept": accept, "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            conn = self._connect(url)
            try:
                parts = urlsplit(url)
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                if resp.status in REDIRECTS:
                    location = resp.getheader("Location")
                    if not location:
                        raise FetchError(f"HTTP {resp.status} without a Location")
                    url = urljoin(url, location)
                    continue
                if resp.status == 304:
                    return Response(url, 304, b"", etag, last_modified, "")
                if resp.status != 200:
                    body = resp.read(min(self.max_bytes, 64 * 1024))
                    raise FetchError(
                        f"HTTP {resp.status} from {parts.hostname}", status=resp.status, body=body
                    )
                body = self._read(resp, deadline)
                if (resp.getheader("Content-Encoding") or "").lower() == "gzip":
                    body = self._gunzip(body)
                return Response(
                    url,
                    200,
                    body,
                    resp.getheader("ETag"),
                    resp.getheader("Last-Modified"),
                    (resp.getheader("Content-Type") or "").split(";", 1)[0].strip().lower(),
                )
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError(f"{type(exc).__name__} while fetching {urlsplit(url).hostname}") from exc
            finally:
                conn.close()
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _connect(self, url: str) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("only http and https URLs can be fetched")
        if parts.username or parts.password:
            raise FetchError("URLs with credentials are not fetched")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError("invalid port") from exc
        addresses = self.resolver(parts.hostname, port)
        if not addresses:
            raise FetchError(f"cannot resolve {parts.hostname}")
        refused = [a for a in addresses if not address_allowed(a, allow_loopback=self.allow_loopback)]
        if refused:
            raise FetchError(f"{parts.hostname} resolves to a non-public address; not fetched")
        cls = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        return cls(parts.hostname, port, addresses[0], self.timeout)

    def _read(self, resp: http.client.HTTPResponse, deadline: float) -> bytes:
        declared = resp.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"response larger than {self.max_bytes} bytes")
        chunks, size = [], 0
        while chunk := resp.read(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"response larger than {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError("response too slow")
            chunks.append(chunk)
        return b"".join(chunks)

    def _gunzip(self, body: bytes) -> bytes:
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(body, self.max_bytes + 1)
        except zlib.error as exc:
            raise FetchError("invalid gzip body") from exc
        if len(out) > self.max_bytes or d.unconsumed_tail:
            raise FetchError(f"response larger than {self.max_bytes} bytes once decompressed")
        return out


def fetcher() -> Fetcher:
    """The fetcher the settings describe."""
    from roster.settings import get_settings

    s = get_settings()
    return Fetcher(
        timeout=s.fetch_timeout_seconds, max_bytes=s.fetch_max_bytes, allow_loopback=s.monitor_allow_loopback
    )
