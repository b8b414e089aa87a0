"""Stub (issue 15): replaced by the real pages."""

from __future__ import annotations

from typing import Any

from roster.deps import Deps
from roster.portal import http
from roster.portal import page as kit


def page(d: Deps, req: http.Request) -> dict[str, Any]:
    return kit.problem(404, "Page not found", "There is no page at this address.")


view = act = submit = page
