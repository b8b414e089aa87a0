"""GET /console and GET /console/{proxy+}: the brand console's static files (console/ at the repo
root, shipped in this function's code as `static/`). No authorizer and nothing but files: the
console signs in and reads its data through /auth and /v1 on the same origin, like any client.

Every answer carries the console's Content-Security-Policy and `nosniff`. Files are not
fingerprinted (no build step), so they are served `no-cache` with a strong ETag: a browser asks
again each time and gets a body-less 304 while the file is unchanged. Standard library only: the
cold start is one directory read, not the domain layer."""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

STATIC = (Path(__file__).parent / "static").resolve()
PREFIX = "/console"
INDEX = "index.html"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def uploads_origin(env: Mapping[str, str]) -> str | None:
    """Where creators' draft files are read from (the API's signed URLs): the local stack's S3 front
    (`UPLOADS_ENDPOINT_URL`), else the bucket's regional virtual host, as roster.adapters.uploads
    signs them; None without an uploads bucket."""
    if endpoint := env.get("UPLOADS_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    bucket, region = env.get("UPLOADS_BUCKET"), env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    return f"https://{bucket}.s3.{region}.amazonaws.com" if bucket and region else None


def csp(origin: str | None) -> str:
    """Images and videos from the console itself or the uploads bucket; nothing else off-site."""
    media = f"'self' {origin}" if origin else "'self'"
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {media} data:; "
        f"media-src {media}; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


@lru_cache(maxsize=1)  # read once per cold start, on the first request (not at import)
def security_headers() -> dict[str, str]:
    return {"Content-Security-Policy": csp(uploads_origin(os.environ)), **SECURITY_HEADERS}


TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
TEXT = (".html", ".js", ".css", ".svg", ".json", ".txt")
GZIP_FROM = 1024  # smaller files gain less than gzip's own header and a decode cost


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str
    text: bool
    gzipped: bytes | None = None  # the same file gzipped (level 9), for browsers that accept it

    @property
    def gzip_etag(self) -> str:
        """A strong ETag names one representation: the gzipped one has its own."""
        return self.etag[:-1] + '-gz"'


def load(relative: str) -> StaticFile | None:
    """The file at `relative` under static/, or None if there is none or the path leaves it."""
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] == "/" or any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    path = (STATIC / Path(*parts)).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        return None
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=128)  # keyed by mtime and size too: an edited file (make run) is read again
def _read(path: Path, mtime_ns: int, size: int) -> StaticFile:
    body = path.read_bytes()
    suffix = path.suffix.lower()
    ctype = TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    text = suffix in TEXT
    # An HTTP API does not compress answers: the function does, once per file per container (mtime
    # 0 keeps the bytes the same from one container to the next).
    packed = gzip.compress(body, 9, mtime=0) if text and len(body) >= GZIP_FROM else None
    return StaticFile(body, ctype, etag, text=text, gzipped=packed)


def _answer(status: int, headers: dict[str, str], body: bytes = b"", text: bool = True) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**security_headers(), **headers},
        "body": body.decode() if text else base64.b64encode(body).decode(),
        "isBase64Encoded": not text,
    }


def _not_found() -> dict[str, Any]:
    return _answer(
        404, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, b"Not found\n"
    )


def relative_path(raw_path: str) -> str:
    """`/console`, `/console/` → index.html; `/console/js/main.js` → js/main.js (percent-decoded,
    so `%2e%2e` is the `..` that `load` refuses)."""
    path = unquote(raw_path)
    rest = path[len(PREFIX) :] if path.startswith(PREFIX) else "\0"
    if rest in ("", "/"):
        return INDEX
    return rest[1:] if rest.startswith("/") else "\0"


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    http = (event.get("requestContext") or {}).get("http") or {}
    if http.get("method", "GET") not in ("GET", "HEAD"):
        return _answer(405, {"Allow": "GET, HEAD", "Content-Type": "text/plain; charset=utf-8"}, b"")
    raw = event.get("rawPath") or http.get("path") or ""
    found = load(relative_path(raw))
    if found is None:
        return _not_found()
    request_headers = event.get("headers") or {}
    packed = found.gzipped is not None and _accepts_gzip(request_headers.get("accept-encoding", ""))
    headers = {
        "Content-Type": found.content_type,
        "Cache-Control": "no-cache",
        "ETag": found.gzip_etag if packed else found.etag,
    }
    if found.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    asked = request_headers.get("if-none-match", "")
    if headers["ETag"] in (tag.strip() for tag in asked.split(",")):
        return _answer(304, headers)
    if packed and found.gzipped is not None:
        return _answer(200, headers | {"Content-Encoding": "gzip"}, found.gzipped, text=False)
    return _answer(200, headers, found.body, text=found.text)


def _accepts_gzip(value: str) -> bool:
    """Whether Accept-Encoding takes gzip (`gzip`, `gzip;q=0.8`, `*`), and not with q=0."""
    for part in value.lower().split(","):
        name, _, params = part.partition(";")
        if name.strip() not in ("gzip", "*"):
            continue
        q = params.strip()
        if not q.startswith("q="):
            return True
        try:
            return float(q[2:]) > 0
        except ValueError:
            return False
    return False
