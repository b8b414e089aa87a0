"""docs/console.md maps every operation of docs/openapi.json to a console page, or marks it
"not yet" or "API only" (issue 14: every brand action is reachable in the console)."""

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


def test_what_the_console_uses_is_marked_yes() -> None:
    table = _table()
    used = {
        ("POST", "/auth/sign-in"),
        ("POST", "/auth/new-password"),
        ("POST", "/auth/refresh"),
        ("POST", "/auth/sign-out"),
        ("GET", "/v1/me"),
        ("GET", "/v1/campaigns"),
        ("POST", "/v1/campaigns"),
        ("PATCH", "/v1/campaigns/{campaign_id}"),
        ("GET", "/v1/campaigns/{campaign_id}/report"),
        ("GET", "/v1/alerts"),
        ("POST", "/v1/alerts/{alert_id}/resolve"),
    }
    assert {op for op in used if table.get(op, ("", ""))[1] != "yes"} == set()
    # Each "yes" is a call the console's code makes (its path's first segment after /v1 or /auth).
    code = "\n".join(p.read_text() for p in (ROOT / "console" / "js").rglob("*.js"))
    for (_, path), (_, state) in table.items():
        if state == "yes":
            literal = path.split("{")[0].rstrip("/").removeprefix("/auth/")
            assert literal in code, f"{path} is marked yes but the console never calls it"
