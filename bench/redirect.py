"""The redirect's figures (issue 3): request counts, cold start ratio, warm handler time, cost."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from roster.store.clicks import Click, RedirectRecord

ROOT = Path(__file__).resolve().parent.parent

# us-east-1 list prices used for the cost figure (check before quoting; they change):
PRICES = {
    "http_api_per_million": 1.00,  # API Gateway HTTP API, first 300M requests a month
    "lambda_request_per_million": 0.20,
    "lambda_gb_second_arm64": 0.0000133334,
    "dynamodb_write_per_million": 0.625,  # on-demand write request units
    "dynamodb_read_per_million": 0.125,  # on-demand read request units
}
REDIRECT_MEMORY_GB = 256 / 1024
ASSUMED_WRITE_MS = 5.0  # a DynamoDB single-item write from Lambda in-region, typical p50
CONSUMER_BATCH = 1000  # clicks per aggregator invocation at volume (BatchSize)

BASELINE = "import boto3; boto3.client('dynamodb')"
REDIRECT = (
    "import importlib.util as u; s=u.spec_from_file_location('a','functions/redirect/app.py');"
    "m=u.module_from_spec(s); s.loader.exec_module(m); m.redirector()"
)

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
RECORD: RedirectRecord = json.loads(
    (ROOT / "tests" / "events" / "redirect_record.json").read_text()
)  # a redirect record as the links API writes it


def cold_start(rounds: int = 15) -> dict[str, list[float]]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
        "TABLE_NAME": "bench",
        "VISITOR_SALT": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    out: dict[str, list[float]] = {"baseline": [], "redirect": []}
    for _ in range(rounds):
        for name, code in (("baseline", BASELINE), ("redirect", REDIRECT)):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
            out[name].append((time.perf_counter() - start) * 1000)
    return out


class MemoryStore:
    def __init__(self) -> None:
        self.visits: dict[str, int] = {}

    def redirect_record(self, code: str) -> RedirectRecord | None:
        return RECORD.copy() if code == "maya1" else None

    def record_visit(
        self, click: Click, *, epoch: int, day: str, visitor: str, ttl: int, window: int
    ) -> str | None:
        key = f"{click['code']}#{visitor}#{day}"
        if self.visits.get(key, -(10**9)) >= epoch - window:
            return "earlier"
        self.visits[key] = epoch
        return None


def warm(n: int = 10_000) -> dict[str, list[float]]:
    from roster.links.redirect import Redirector, RedirectSettings
    from roster.store.clicks import ClickStore

    r = Redirector(cast(ClickStore, MemoryStore()), RedirectSettings("bench", b"salt"))
    r.handle(_event("203.0.113.0", CHROME))  # warm the link cache
    results: dict[str, list[float]] = {"counted click": [], "bot click": []}
    for i in range(n):
        for name, ua in (("counted click", CHROME), ("bot click", "facebookexternalhit/1.1")):
            event = _event(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", ua)
            start = time.perf_counter()
            r.handle(event)
            results[name].append((time.perf_counter() - start) * 1000)
    return results


def _event(ip: str, ua: str, method: str = "GET") -> dict[str, Any]:
    return {
        "pathParameters": {"code": "maya1"},
        "headers": {"user-agent": ua},
        "requestContext": {"http": {"method": method, "sourceIp": ip}},
    }


def request_counts() -> dict[str, Counter[str]]:
    """DynamoDB requests per redirect on a warm container, counted on moto (botocore events)."""
    import boto3
    from moto import mock_aws

    from local import template as tpl
    from roster.links.redirect import Redirector, RedirectSettings
    from roster.store import keys
    from roster.store.clicks import ClickStore
    from roster.store.table import Table, serialize

    with mock_aws():
        names = tpl.Names(prefix="bench")
        tpl.create_tables(boto3.client("dynamodb", region_name="us-east-1"), tpl.load(), names)
        client = boto3.client("dynamodb", region_name="us-east-1")
        table = names.physical("Table")
        client.put_item(
            TableName=table,
            Item=serialize({keys.PK: keys.redirect_pk("maya1"), keys.SK: keys.redirect_sk(), **RECORD}),
        )
        calls: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.update([model.name]))
        r = Redirector(ClickStore(Table(table, client)), RedirectSettings(table, b"salt"))
        r.handle(_event("203.0.113.0", CHROME))
        out = {}
        for name, event in (
            ("counted click", _event("203.0.113.1", CHROME)),
            ("repeat within the hour", _event("203.0.113.1", CHROME)),
            ("bot / preview", _event("203.0.113.2", "Twitterbot/1.0")),
            ("HEAD", _event("203.0.113.3", CHROME, "HEAD")),
        ):
            calls.clear()
            r.handle(event)
            out[name] = Counter(calls)
        return out


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def section() -> list[str]:
    counts = request_counts()
    cold = cold_start()
    hot = warm()
    base, red = statistics.median(cold["baseline"]), statistics.median(cold["redirect"])
    p50 = pct(hot["counted click"], 0.5)
    billed_ms = max(1, round(p50 + ASSUMED_WRITE_MS + 0.5))
    per_click = {
        "HTTP API request": PRICES["http_api_per_million"],
        "redirect Lambda request": PRICES["lambda_request_per_million"],
        f"redirect Lambda duration ({billed_ms} ms x 256 MB)": billed_ms
        / 1000
        * REDIRECT_MEMORY_GB
        * PRICES["lambda_gb_second_arm64"]
        * 1e6,
        "visit write (hot path)": PRICES["dynamodb_write_per_million"],
        "click record write (stream consumer, batched)": PRICES["dynamodb_write_per_million"],
        "aggregator: one ~2 s, 512 MB invocation + 3 counter updates per 1,000-click batch": (
            PRICES["lambda_request_per_million"]
            + 3 * PRICES["dynamodb_write_per_million"]
            + 2000 / 1000 * 0.5 * PRICES["lambda_gb_second_arm64"] * 1e6
        )
        / CONSUMER_BATCH,
    }
    floor = (
        PRICES["http_api_per_million"]
        + PRICES["lambda_request_per_million"]
        + PRICES["dynamodb_write_per_million"]
    )
    lines = [
        "## Redirect (`GET /r/{code}`)",
        "",
        "### DynamoDB requests per redirect, warm container (counted on moto with botocore events)",
        "",
        "| redirect | requests |",
        "|---|---|",
        *(f"| {k} | {', '.join(f'{n} {op}' for op, n in v.items()) or 'none'} |" for k, v in counts.items()),
        "",
        "A counted click is one `UpdateItem` (the visit record, conditional on no counted visit by the",
        "same visitor on that link in the last hour) and no read; a repeat is the same conditional",
        "write failing, and returns the first click's id from the failure; bots and HEAD cost nothing.",
        "The cold path adds one `GetItem` per link per container per minute.",
        "",
        f"### Cold start: {len(cold['redirect'])} fresh processes each, interleaved",
        "",
        "| program | median ms | p95 ms |",
        "|---|---:|---:|",
        f"| baseline: `import boto3` + DynamoDB client | {base:.0f} | {pct(cold['baseline'], 0.95):.0f} |",
        f"| redirect: import handler + build its Redirector | {red:.0f} | {pct(cold['redirect'], 0.95):.0f} |",
        "",
        f"**Ratio {red / base:.2f}x** (target <= 1.25x): the redirect imports no Powertools and no pydantic.",
        "",
        f"### Warm handler time, link cached, DynamoDB replaced by an in-memory fake ({len(hot['counted click']):,} requests each)",
        "",
        "| path | p50 ms | p99 ms |",
        "|---|---:|---:|",
        *(f"| {k} | {pct(v, 0.5):.3f} | {pct(v, 0.99):.3f} |" for k, v in hot.items()),
        "",
        "(target p50 <= 0.25 ms for a counted click)",
        "",
        "### Cost per million counted clicks (AWS list prices, us-east-1)",
        "",
        "| part | USD per million clicks |",
        "|---|---:|",
        *(f"| {k} | {v:.3f} |" for k, v in per_click.items()),
        f"| **total** | **{sum(per_click.values()):.2f}** |",
        f"| floor: one HTTP API request + one Lambda request + one write | {floor:.2f} |",
        "",
        f"Prices: {', '.join(f'{k} {v}' for k, v in PRICES.items())}. Lambda duration is the measured warm p50",
        f"plus an assumed {ASSUMED_WRITE_MS:.0f} ms DynamoDB write, rounded up to the 1 ms billing unit. The second",
        "write is the 400-day click record the stream consumer keeps for attribution; streams reads by",
        "Lambda are free. Repeat clicks cost one write unit; bot clicks cost no DynamoDB at all.",
        "",
    ]
    return lines
