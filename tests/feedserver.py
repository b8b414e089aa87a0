"""A local HTTP server for the monitoring tests: serves fixture feeds, pages and recorded YouTube
API responses on 127.0.0.1, with ETags (answers 304 to If-None-Match) and a log of requests."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Served:
    body: bytes
    content_type: str = "application/xml"
    status: int = 200


@dataclass
class FeedServer:
    routes: dict[str, Served] = field(default_factory=dict)  # path (query ignored) → response
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, path: str, body: bytes, content_type: str = "application/xml", status: int = 200) -> str:
        self.routes[path] = Served(body, content_type, status)
        return self.base + path

    def fixture(self, path: str, name: str, content_type: str = "application/xml") -> str:
        return self.serve(path, (FIXTURES / name).read_bytes(), content_type)

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if urlsplit(p).path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            served = server.routes.get(urlsplit(self.path).path)
            if served is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(served.body).hexdigest()[:16] + '"'
            if served.status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(served.status)
            self.send_header("Content-Type", served.content_type)
            self.send_header("Content-Length", str(len(served.body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(served.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
