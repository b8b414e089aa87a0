"""What the moto-backed benchmarks share: the environment, a table from template.yaml, a brand
with an active campaign, and a counter of the DynamoDB requests made."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

PERFORMANCE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"

BENCH_ENV = {
    "TABLE_NAME": "roster-bench-Table",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}


def configure(**extra: str) -> None:
    """Call before `mock_aws()`: settings and every adapter are rebuilt from this environment."""
    from roster.deps import reset

    os.environ.update(BENCH_ENV | extra)
    reset()


def brand_with_campaign(**campaign: Any) -> tuple[str, Any, Counter[str]]:
    """Inside `mock_aws()`: the table, a brand, an active campaign (fields overridable), and a
    Counter that counts every DynamoDB request from then on."""
    import boto3

    from local import template as tpl
    from roster import auth
    from roster.deps import deps
    from roster.models.campaigns import CampaignCreate
    from roster.program import campaigns

    tpl.create_tables(boto3.client("dynamodb"), tpl.load(), tpl.Names(prefix="roster-bench"))
    s = deps().stores
    calls: Counter[str] = Counter()
    s.posts.table.client.meta.events.register(
        "before-call", lambda model, **_: calls.update([f"dynamodb:{model.name}"])
    )
    brand, _ = auth.create_brand(s.brands, "Peak Gear")
    body = {
        "name": "Winter",
        "objective": "awareness",
        "start_date": "2026-11-01",
        "end_date": "2026-12-31",
        "status": "active",
    } | campaign
    created = campaigns.create(s.campaigns, brand.id, CampaignCreate.model_validate(body))
    return brand.id, created, calls


def write_section(heading: str, lines: list[str], out: Path = PERFORMANCE) -> None:
    """Replaces the section under `heading` (up to the next `## `) of docs/performance.md with
    `lines`, or appends them: what each `make bench-<part>` does to its own section."""
    text = out.read_text() if out.exists() else "# Performance\n"
    block = "\n".join(lines)
    if heading in text:
        before, _, rest = text.partition(heading)
        after = rest.split("\n## ", 1)
        text = before + block + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    out.write_text(text)


def stack_api(stack: Any, method: str, path: str, body: Any = None) -> Any:
    """The brand API of a local stack started by the benches (its demo key); raises on >= 300."""
    from tests.stack import API_KEY, request

    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    status, _, out = request(stack.base_url, method, path, body=data, headers=headers)
    if status >= 300:
        raise RuntimeError(f"{method} {path}: {status} {out}")
    return out
