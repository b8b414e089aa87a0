"""Fetching other people's URLs (creators' feeds, post pages, platform APIs) safely and politely.

- SSRF: every address a host name resolves to must be public; the connection then goes to the
  address that was checked (no second DNS lookup an attacker could answer differently). Private,
  loopback, link-local, shared, reserved and multicast addresses are refused; loopback only when
  the local-mode setting allows it. An IPv6 address that carries an IPv4 one (NAT64, 6to4,
  Teredo, IPv4-mapped/compatible/translated) is judged by that IPv4 address. Every redirect hop
  is checked again.
- Politeness: a descriptive User-Agent, conditional GET (ETag / Last-Modified → 304), gzip.
- Bounds: a connect/read timeout, an overall deadline, and a maximum body size (also after gzip).
  The deadline is wall-clock across connect, TLS, headers, body and redirects (DNS lookups keep
  the resolver's own timeouts): every socket wait is cut to what is left of it, so a server that
  trickles a byte every 0.2 s (each under the read timeout) cannot hold a monitor worker past it.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Buffer, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

USER_AGENT = "RosterMonitor/1.0 (proof-of-post checker for brand partnerships; +https://roster.dev/bot)"
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}

Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """The URL could not be fetched; the message says why, and is safe to show the brand (it names
    the host, never the full URL, which may carry an API key). `retry_after` is a 429's or 503's
    Retry-After in seconds (None when absent or given as a date), for callers that back off."""

    def __init__(
        self, message: str, *, status: int | None = None, body: bytes = b"", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.retry_after = retry_after


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


def _retry_after(value: str | None) -> float | None:
    """Retry-After's delay-seconds form (RFC 9110 §10.2.3); the HTTP-date form is left to callers'
    own backoff, as a wrong clock on either side would make it meaningless."""
    text = (value or "").strip()
    return float(text) if text.isascii() and text.isdigit() else None


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# IPv6 forms whose packets end at an IPv4 address held in their last 32 bits: IPv4-compatible
# (::/96, RFC 4291), IPv4-translated (::ffff:0:0:0/96, RFC 2765) and the NAT64 well-known prefix
# (64:ff9b::/96, RFC 6052). IPv4-mapped (::ffff:0:0/96) is ipaddress's `ipv4_mapped`.
_TRANSLATED = tuple(ipaddress.ip_network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96"))
# Local-use NAT64 (RFC 8215): where the IPv4 sits depends on the operator's prefix length, and a
# local translator is exactly what reaches private IPv4 networks. Refused whole.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def embedded_ipv4(addr: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: mapped, compatible, translated and NAT64
    (the last 32 bits), 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380: server and
    client). Empty for a plain IPv6 address."""
    if addr.ipv4_mapped:
        return [addr.ipv4_mapped]
    if any(addr in net for net in _TRANSLATED):
        return [ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)]
    if addr.sixtofour:
        return [addr.sixtofour]
    if addr.teredo:
        return list(addr.teredo)
    return []


def _public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> bool:
    if addr.is_loopback:
        return allow_loopback
    return addr.is_global and not addr.is_multicast


def address_allowed(ip: str, *, allow_loopback: bool = False) -> bool:
    """Whether a fetch may connect to `ip`. An IPv6 address that carries an IPv4 one is judged by
    that IPv4 address too (by it alone when the IPv6 form is only a translation of it), so
    `64:ff9b::a9fe:a9fe` is the metadata service 169.254.169.254, and refused like it."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and not addr.is_loopback:
        if addr in _LOCAL_NAT64:
            return False
        inner = embedded_ipv4(addr)
        if not all(_public(v4, allow_loopback) for v4 in inner):
            return False
        if addr.ipv4_mapped or any(addr in net for net in _TRANSLATED):
            return True
    return _public(addr, allow_loopback)


class _Deadline:
    """What is left of one fetch's time: each socket wait gets min(timeout, time left)."""

    def __init__(self, timeout: float, total: float) -> None:
        self.timeout = timeout
        self.total = total
        self.end = time.monotonic() + total
        self.last_wait_cut = False

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(self.why())
        self.last_wait_cut = remaining < self.timeout
        return min(self.timeout, remaining)

    def why(self) -> str:
        """Why a wait timed out: the whole deadline, or one wait's timeout."""
        if self.last_wait_cut or time.monotonic() >= self.end:
            return f"no complete answer within {self.total:g} s"
        return f"nothing received for {self.timeout:g} s"


class _DeadlineSocket:
    """What http.client calls on a connection's socket (sendall, makefile, close), each bounded by
    the deadline (`sendall` as a whole: its timeout covers the whole send). Like a real socket, it
    closes only once the response reading from it is closed too: http.client hands the socket to
    the response when the server says it will close the connection."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self.sock = sock
        self.deadline = deadline
        self.readers = 0
        self.closing = False

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(self.deadline.left())
        self.sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        self.readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def reader_closed(self) -> None:
        self.readers -= 1
        if self.closing and not self.readers:
            self.sock.close()

    def close(self) -> None:
        self.closing = True
        if not self.readers:
            self.sock.close()


class _DeadlineReader(io.RawIOBase):
    """The socket as http.client reads it (status line, headers, body): every read waits at most
    what is left of the deadline, so bytes trickled under the read timeout cannot stretch it."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        self.owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        self.owner.sock.settimeout(self.owner.deadline.left())
        return self.owner.sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self.owner.reader_closed()
        super().close()


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=deadline.timeout)
        self.ip = ip
        self.deadline = deadline

    def _open(self) -> socket.socket:
        return socket.create_connection((self.ip, self.port), self.deadline.left())

    def connect(self) -> None:
        self.sock = _DeadlineSocket(self._open(), self.deadline)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = http.client.HTTPS_PORT  # so the Host header is `host`, not `host:443`

    def __init__(self, host: str, port: int, ip: str, deadline: _Deadline) -> None:
        super().__init__(host, port, ip, deadline)
        self.context = ssl.create_default_context()

    def connect(self) -> None:
        sock = self._open()
        sock.settimeout(self.deadline.left())  # the handshake, as a whole, waits at most this
        tls = self.context.wrap_socket(sock, server_hostname=self.host)
        self.sock = _DeadlineSocket(tls, self.deadline)


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
        deadline = _Deadline(self.timeout, self.timeout * 3)
        headers = {"User-Agent": self.user_agent, "Accept": accept, "Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resp: http.client.HTTPResponse | None = None
        for _ in range(MAX_REDIRECTS + 1):
            conn = self._connect(url, deadline)
            resp = None
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
                        f"HTTP {resp.status} from {parts.hostname}",
                        status=resp.status,
                        body=body,
                        retry_after=_retry_after(resp.getheader("Retry-After"))
                        if resp.status in (429, 503)
                        else None,
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
            except TimeoutError as exc:
                raise FetchError(f"timed out fetching {urlsplit(url).hostname}: {deadline.why()}") from exc
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError(f"{type(exc).__name__} while fetching {urlsplit(url).hostname}") from exc
            finally:
                if resp is not None:  # the response may own the socket (see _DeadlineSocket)
                    resp.close()
                conn.close()
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def _connect(self, url: str, deadline: _Deadline) -> http.client.HTTPConnection:
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
        return cls(parts.hostname, port, addresses[0], deadline)

    def _read(self, resp: http.client.HTTPResponse, deadline: _Deadline) -> bytes:
        declared = resp.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"response larger than {self.max_bytes} bytes")
        chunks, size = [], 0
        while chunk := resp.read(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"response larger than {self.max_bytes} bytes")
            deadline.left()  # raises once the deadline has passed
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
