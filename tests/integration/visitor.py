"""A browser over the gateway emulation, for the creator pages' integration tests: it keeps its
cookies (by name, dropping those set with Max-Age=0), posts urlencoded forms and reads the CSRF
token off the last page it got, as a person's browser would."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from local.gateway import Gateway


class Visitor:
    def __init__(self, gateway: Gateway, ip: str = "203.0.113.7") -> None:
        self.gateway, self.ip = gateway, ip
        self.cookies: dict[str, str] = {}
        self.last = ""

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None, *, raw: bytes | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"accept": "text/html"}
        body = raw or b""
        if fields is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
            body = urlencode(fields).encode()
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, out, payload = self.gateway.handle(method, path, headers, body, self.ip)
        for line in filter(None, out.get("set-cookie", "").split("\n")):
            name, _, rest = line.partition("=")
            if "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = rest.split(";", 1)[0]
        self.last = payload.decode()
        return status, out, self.last

    def get(self, path: str) -> tuple[int, str]:
        status, _, text = self.request("GET", path)
        return status, text

    def csrf(self) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.last)
        assert found, self.last[:500]
        return found.group(1)

    def post(
        self, path: str, fields: dict[str, str], *, csrf: bool = True
    ) -> tuple[int, dict[str, str], str]:
        return self.request("POST", path, ({"csrf": self.csrf()} if csrf else {}) | fields)
