"""The console function (functions/console/app.py): the console's static files with the right
types and headers, a 304 for a known ETag, and nothing outside its files."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    name = "roster_fn_console_under_test"
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / "console" / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


app = _load()


def get(path: str, headers: dict[str, str] | None = None, method: str = "GET") -> dict[str, Any]:
    event = {
        "rawPath": path,
        "headers": headers or {},
        "requestContext": {"http": {"method": method, "path": path}},
    }
    result: dict[str, Any] = app.lambda_handler(event, None)
    return result


def body(result: dict[str, Any]) -> bytes:
    raw = result["body"]
    return base64.b64decode(raw) if result["isBase64Encoded"] else raw.encode()


def test_the_static_files_are_the_console_directory() -> None:
    # functions/console/static is a link to console/, which sam build copies into the package.
    assert (ROOT / "console").resolve() == app.STATIC


@pytest.mark.parametrize("path", ["/console", "/console/"])
def test_the_entry_serves_the_page(path: str) -> None:
    result = get(path)
    assert result["statusCode"] == 200
    assert result["headers"]["Content-Type"] == "text/html; charset=utf-8"
    page = body(result).decode()
    assert '<script type="module" src="/console/js/main.js"></script>' in page
    assert "<script>" not in page and "style=" not in page  # nothing the CSP would refuse


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console/js/main.js", "text/javascript; charset=utf-8"),
        ("/console/css/console.css", "text/css; charset=utf-8"),
        ("/console/favicon.svg", "image/svg+xml"),
        ("/console/index.html", "text/html; charset=utf-8"),
    ],
)
def test_files_have_their_type_and_the_security_headers(path: str, content_type: str) -> None:
    result = get(path)
    headers = result["headers"]
    assert result["statusCode"] == 200
    assert headers["Content-Type"] == content_type
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    assert headers["Cache-Control"] == "no-cache"
    assert headers["ETag"].startswith('"') and headers["ETag"].endswith('"')
    assert body(result) == (ROOT / "console" / path.removeprefix("/console/")).read_bytes()


def test_a_known_etag_gets_304_without_a_body() -> None:
    etag = get("/console/js/main.js")["headers"]["ETag"]
    result = get("/console/js/main.js", {"if-none-match": f'"other", {etag}'})
    assert result["statusCode"] == 304
    assert result["body"] == ""
    assert result["headers"]["ETag"] == etag
    assert "Content-Security-Policy" in result["headers"]


@pytest.mark.parametrize(
    "path",
    [
        "/console/../x",
        "/console/../functions/console/app.py",
        "/console/js/../../template.yaml",
        "/console/%2e%2e/template.yaml",
        "/console/%2E%2E%2Ftemplate.yaml",
        "/console/..%5c..%5ctemplate.yaml",
        "/console//etc/passwd",
        "/console/.hidden",
        "/console/js/%00main.js",
    ],
)
def test_paths_that_leave_the_console_are_404(path: str) -> None:
    result = get(path)
    assert result["statusCode"] == 404
    assert body(result) == b"Not found\n"
    assert result["headers"]["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/console/nope.js", "/console/js", "/console/js/", "/consolex", "/other"])
def test_unknown_files_and_directories_are_404(path: str) -> None:
    assert get(path)["statusCode"] == 404


def test_only_get_and_head() -> None:
    assert get("/console/", method="POST")["statusCode"] == 405
    assert get("/console/", method="HEAD")["statusCode"] == 200


@pytest.mark.parametrize("accept", ["gzip, deflate, br", "br;q=1, gzip;q=0.5", "*"])
def test_text_files_go_gzipped_to_browsers_that_take_it(accept: str) -> None:
    """An HTTP API does not compress: the function does, with its own ETag for that representation."""
    plain = get("/console/js/main.js")
    packed = get("/console/js/main.js", {"accept-encoding": accept})
    assert packed["headers"]["Content-Encoding"] == "gzip" and packed["isBase64Encoded"] is True
    assert gzip.decompress(body(packed)) == body(plain)
    assert len(body(packed)) < len(body(plain)) / 2
    assert packed["headers"]["Vary"] == plain["headers"]["Vary"] == "Accept-Encoding"
    assert packed["headers"]["ETag"] != plain["headers"]["ETag"]
    again = get(
        "/console/js/main.js", {"accept-encoding": accept, "if-none-match": packed["headers"]["ETag"]}
    )
    assert again["statusCode"] == 304 and again["body"] == ""
    # The plain ETag is not the gzipped file's: a cache holding one never gets a 304 for the other.
    assert get("/console/js/main.js", {"if-none-match": packed["headers"]["ETag"]})["statusCode"] == 200


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0", "br", "gzip;q=x"])
def test_others_get_the_file_as_it_is(accept: str) -> None:
    result = get("/console/js/main.js", {"accept-encoding": accept})
    assert "Content-Encoding" not in result["headers"]
    assert body(result) == (ROOT / "console" / "js" / "main.js").read_bytes()
