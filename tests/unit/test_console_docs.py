"""docs/console.md maps every operation of docs/openapi.json to a console page, or marks it
"API only" (issue 14: every brand action is reachable in the console)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \|[^|]*\| ([^|]+) \| (yes|not yet|API only) \|$")


def _table() -> dict[tuple[str, str], tuple[str, str]]:
    rows = {}
    for line in (ROOT / "docs" / "console.md").read_text().splitlines():
        if m := ROW.match(line):
            rows[(m.group(1), m.group(2))] = (m.group(3).strip(), m.group(4))
    return rows


def test_every_operation_is_mapped_or_marked() -> None:
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text())
    operations = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    table = _table()
    missing = sorted(f"{m} {p}" for m, p in operations - table.keys())
    assert not missing, f"add these operations to docs/console.md: {missing}"
    gone = sorted(f"{m} {p}" for m, p in table.keys() - operations)
    assert not gone, f"docs/console.md lists operations the API no longer has: {gone}"
    unnamed = sorted(f"{m} {p}" for (m, p), (page, _) in table.items() if page in ("", "?"))
    assert not unnamed, f"name the page of: {unnamed}"


# For machines only, each with its reason in the table; anything else a brand can do is a page.
API_ONLY = {
    ("GET", "/health"),  # liveness for monitors
    ("GET", "/v1/links/{code}"),  # one link by code; every link is in its campaign's list
}


def test_every_brand_operation_is_on_a_page() -> None:
    """Issue 14 is done when every brand action the API offers is reachable in the console: no
    operation is "not yet", and only the listed machine operations are "API only"."""
    table = _table()
    not_yet = sorted(f"{m} {p}" for (m, p), (_, state) in table.items() if state == "not yet")
    assert not not_yet, f"operations still without a page: {not_yet}"
    api_only = {op for op, (_, state) in table.items() if state == "API only"}
    assert api_only == API_ONLY, f"API-only operations changed: {sorted(api_only ^ API_ONLY)}"
    # Each "yes" is a call the console's code makes (its path's first segment after /v1 or /auth).
    code = "\n".join(p.read_text() for p in (ROOT / "console" / "js").rglob("*.js"))
    for (_, path), (_, state) in table.items():
        if state == "yes":
            literal = path.split("{")[0].rstrip("/").removeprefix("/auth/")
            assert literal in code, f"{path} is marked yes but the console never calls it"
