"""A local stand-in for API Gateway HTTP APIs: HTTP request → payload 2.0 event → handler → HTTP.

Routes, authorizer and functions come from template.yaml. Behaviour follows API Gateway's:
unknown route → 404 {"message":"Not Found"}; a protected route without its identity header → 401
{"message":"Unauthorized"}; `isAuthorized: false` → 403 {"message":"Forbidden"}; a handler that
raises → 500 {"message":"Internal Server Error"}. Authorizer results are not cached locally.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from local.lambdas import FakeLambdaContext, Handler

TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|x-www-form-urlencoded|csv)|.*\+json)", re.I)
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    handler: Handler
    needs_auth: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        # A greedy variable matches an empty rest too, as API Gateway's does: `/console/` reaches
        # `/console/{proxy+}`.
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\+\\\}", r"(?P<\1>.*)", re.escape(self.path))
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\}", r"(?P<\1>[^/]+)", pattern)
        m = re.fullmatch(pattern, path)
        return m.groupdict() if m else None

    @property
    def specificity(self) -> tuple[bool, int, bool]:
        """Exact paths before greedy ones, deeper before shallower, a method before ANY."""
        return ("+}" not in self.path, self.path.count("/"), self.method != "ANY")


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


class Gateway:
    def __init__(
        self, routes: list[Route], authorizer: Handler | None, identity_header: str = "authorization"
    ):
        self.routes = sorted(routes, key=lambda r: r.specificity, reverse=True)
        self.authorizer = authorizer
        self.identity_header = identity_header

    def route_for(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    def event(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        route: Route,
        params: dict[str, str],
        source_ip: str,
    ) -> dict[str, Any]:
        url = urlsplit(target)
        query: dict[str, str] = {}
        for k, v in parse_qsl(url.query, keep_blank_values=True):
            query[k] = f"{query[k]},{v}" if k in query else v
        now = time.time()
        textual = not body or TEXT_TYPES.match(headers.get("content-type", ""))
        try:
            text_body = body.decode() if textual else None
        except UnicodeDecodeError:
            text_body = None
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": url.path,
            "rawQueryString": url.query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": headers.get("host", "127.0.0.1"),
                "domainPrefix": "local",
                "http": {
                    "method": method,
                    "path": url.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route.key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "isBase64Encoded": text_body is None,
        }
        if "cookie" in headers:
            event["cookies"] = [c.strip() for c in headers["cookie"].split(";")]
        if query:
            event["queryStringParameters"] = query
        if params:
            event["pathParameters"] = params
        if body:
            event["body"] = text_body if text_body is not None else base64.b64encode(body).decode()
        return event

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(target).path
        found = self.route_for(method, path)
        if found is None:
            return _json(404, {"message": "Not Found"})
        if len(body) > MAX_BODY:
            return _json(413, {"message": "Request Entity Too Large"})
        route, params = found
        event = self.event(method, target, headers, body, route, params, source_ip)
        if route.needs_auth and self.authorizer is not None:
            identity = headers.get(self.identity_header, "")
            if not identity:
                return _json(401, {"message": "Unauthorized"})
            auth_event = {k: v for k, v in event.items() if k not in ("body", "isBase64Encoded")}
            auth_event |= {
                "type": "REQUEST",
                "identitySource": [identity],
                "routeArn": f"arn:aws:execute-api:us-east-1:123456789012:local/$default/{method}{path}",
            }
            try:
                verdict = self.authorizer(auth_event, FakeLambdaContext(function_name="authorizer"))
            except Exception:
                return _json(500, {"message": "Internal Server Error"})
            if not verdict.get("isAuthorized"):
                return _json(403, {"message": "Forbidden"})
            event["requestContext"]["authorizer"] = {"lambda": verdict.get("context") or {}}
        try:
            result = route.handler(event, FakeLambdaContext(function_name=route.function))
        except Exception:
            return _json(500, {"message": "Internal Server Error"})
        return self.response(result)

    @staticmethod
    def response(result: Any) -> tuple[int, dict[str, str], bytes]:
        if not (isinstance(result, dict) and "statusCode" in result):
            return 200, {"content-type": "application/json"}, json.dumps(result).encode()
        headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        if result.get("cookies"):  # payload 2.0: each one its own Set-Cookie header
            headers["set-cookie"] = "\n".join(result["cookies"])
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
        return int(result["statusCode"]), headers, body


def serve(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY: a keep-alive response's last segment goes at once (with Nagle's algorithm
        # and the client's delayed ACK, each response on a reused connection waited ~40 ms).
        disable_nagle_algorithm = True

        def _dispatch(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers: dict[str, str] = {}
            for k, v in self.headers.items():
                key = k.lower()
                headers[key] = f"{headers[key]},{v}" if key in headers else v
            status, out_headers, payload = gateway.handle(
                self.command, self.path, headers, body, self.client_address[0]
            )
            self.send_response(status)
            for k, v in out_headers.items():
                if k == "set-cookie":
                    for one in v.split("\n"):
                        self.send_header(k, one)
                elif k not in ("content-length", "connection"):
                    self.send_header(k, v)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            # Access log without the client address: logs carry no IPs.
            print(
                f"{self.command} {self.path.split('?')[0]} -> {args[1] if len(args) > 1 else ''}", flush=True
            )

    server = _Server((host, port), RequestHandler)
    server.daemon_threads = True
    return server


class _Server(ThreadingHTTPServer):
    """A listen backlog for a burst (the standard library's is 5: a few dozen connections at once
    were reset), as API Gateway takes thousands of connections at once."""

    request_queue_size = 1024
