"""The brand console's figures: time to a usable overview in Chromium on the local stack seeded
with 50 active campaigns, 500 creators and 5,000 orders, beside `GET /health` loaded in the same
browser; the JS + CSS the console loads (raw as served, and gzipped); the /v1 requests of the
overview's first render and of each refresh after it.

Seeding goes through the public API as a brand and its store would: creators, campaigns and promo
codes with the API key, every order a signed store webhook (concurrently), so the orders carry
their attribution, order events and ledger entries exactly as in production.

Run alone with `make bench-console` (rewrites the "Console" section of docs/performance.md), or
as part of `make bench`."""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import stack_api, write_section
from roster.conversions.webhook_signatures import sign

ROOT = Path(__file__).resolve().parent.parent
# A smaller trial run: ROSTER_BENCH_CONSOLE="5,50,200" (campaigns, creators, orders).
CAMPAIGNS, CREATORS, ORDERS = (
    int(n) for n in os.environ.get("ROSTER_BENCH_CONSOLE", "50,500,5000").split(",")
)
RUNS = int(os.environ.get("ROSTER_BENCH_CONSOLE_RUNS", "7"))  # full navigations measured
SECRET = "bench_console_0123456789abcdef0123"
HEADING = "## Console: the overview in Chromium"


def _signed(stack: Any, path: str, payload: dict[str, Any]) -> None:
    from tests.stack import request

    body = json.dumps(payload).encode()
    headers = {"Roster-Signature": sign(SECRET, body), "Content-Type": "application/json"}
    status, _, out = request(stack.base_url, "POST", path, body=body, headers=headers)
    if status != 200:
        raise RuntimeError(f"webhook: {status} {out}")


def seed(stack: Any) -> dict[str, float]:
    """50 active campaigns (budget, KPIs, a 10 % plan), 500 creators, one promo code each (10 per
    campaign), 10 orders per creator spread over the last 30 days. Returns seconds per phase."""
    took: dict[str, float] = {}
    today = datetime.now(UTC).date()
    pool = ThreadPoolExecutor(max_workers=8)
    start = time.perf_counter()
    url = stack_api(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})["webhook_url"]
    hook = "/" + url.split("//", 1)[1].split("/", 1)[1]
    campaign = {
        "objective": "conversions",
        "status": "active",
        "start_date": (today - timedelta(days=30)).isoformat(),
        "end_date": (today + timedelta(days=60)).isoformat(),
        "budget": {"amount": 5_000_000, "currency": "USD"},
        "commission": {"plan": {"percent_bps": 1000}},
        "kpis": [
            {"metric": "conversions", "target": 150, "by": (today + timedelta(days=60)).isoformat()},
            {"metric": "revenue", "target": 1_000_000, "by": (today + timedelta(days=60)).isoformat()},
        ],
    }
    campaigns = list(
        pool.map(
            lambda n: stack_api(
                stack, "POST", "/v1/campaigns", campaign | {"name": f"Bench campaign {n:02d}"}
            ),
            range(CAMPAIGNS),
        )
    )
    creators = list(
        pool.map(
            lambda n: stack_api(
                stack,
                "POST",
                "/v1/creators",
                {"name": f"Bench Creator {n:03d}", "email": f"c{n}@bench.example"},
            ),
            range(CREATORS),
        )
    )
    codes = [f"BENCH{n:03d}" for n in range(CREATORS)]
    list(
        pool.map(
            lambda n: stack_api(
                stack,
                "POST",
                "/v1/promo-codes",
                {
                    "campaign_id": campaigns[n % CAMPAIGNS]["id"],
                    "creator_id": creators[n]["id"],
                    "code": codes[n],
                },
            ),
            range(CREATORS),
        )
    )
    took["campaigns, creators, promo codes"] = time.perf_counter() - start

    now = datetime.now(UTC)

    def order(n: int) -> None:
        subtotal = 2_000 + (n * 37) % 9_000
        placed = now - timedelta(days=n % 30, minutes=n % 600)
        body = {
            "id": f"BENCH-{n}",
            "currency": "USD",
            "created_at": placed.isoformat(),
            "subtotal": subtotal,
            "total": subtotal,
            "discount_codes": [codes[n % CREATORS]],
            "customer": {"email": f"buyer{n}@bench.example"},
            "line_items": [{"sku": "BOOT", "quantity": 1, "amount": subtotal}],
        }
        _signed(stack, hook, {"id": f"evt_bench_{n}", "type": "order.created", "order": body})
        if n % 250 == 249:
            print(f"bench console: {n + 1} orders after {time.perf_counter() - start:.0f} s", file=sys.stderr)

    start = time.perf_counter()
    list(pool.map(order, range(ORDERS)))
    took[f"{ORDERS:,} signed order webhooks (8 at a time)"] = time.perf_counter() - start
    print(f"bench console: seeded in {took}", file=sys.stderr)
    pool.shutdown()
    return took


def _files_loaded(page: Any) -> list[tuple[str, int]]:
    """(path, bytes as transferred in the body) of every JS and CSS file the page loaded."""
    entries = page.evaluate(
        "performance.getEntriesByType('resource').map(e => [new URL(e.name).pathname, e.encodedBodySize])"
    )
    return sorted({(p, n) for p, n in entries if p.endswith((".js", ".css"))})


def _mark(page: Any, name: str, timeout: float = 120) -> float:
    """The performance mark's time from navigation start, once the page has set it (polled from
    here: the console's CSP forbids the eval that page.wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    while True:
        found = page.evaluate(f"performance.getEntriesByName('{name}').map(e => e.startTime)")
        if found:
            return float(found[0])
        if time.monotonic() > deadline:
            raise TimeoutError(f"no performance mark {name} after {timeout} s")
        time.sleep(0.02)


def _overview(page: Any, base: str) -> tuple[float, float]:
    page.goto(f"{base}/console/#/overview")
    return _mark(page, "overview-charts"), _mark(page, "overview-ready")


def measure(stack: Any, member: tuple[str, str]) -> dict[str, Any]:
    from playwright.sync_api import Request, sync_playwright

    from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS

    out: dict[str, Any] = {"health": [], "charts": [], "ready": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.goto(f"{stack.base_url}/console/")
        page.get_by_label("Email").fill(member[0])
        page.get_by_label("Password").fill(member[1])
        page.get_by_role("button", name="Sign in").click()
        _mark(page, "overview-ready")
        out["files"] = _files_loaded(page)  # the first, cold load: every file sent in full

        first: list[float] = []

        def seen(request: Request) -> None:
            if "/v1/" in request.url:
                first.append(time.monotonic())

        page.on("request", seen)
        for _ in range(RUNS):  # interleaved with the baseline, a full navigation each time
            page.goto(f"{stack.base_url}/health")
            page.wait_for_load_state("load")
            out["health"].append(
                float(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            )
            first.clear()
            charts, ready = _overview(page, stack.base_url)
            out["charts"].append(charts)
            out["ready"].append(ready)
        out["first_render"] = len(first)
        # The refreshes after it: 31 s hold five quick ones and the first slow one (at 30 s).
        first.clear()
        page.wait_for_timeout(31_500)
        stamps = sorted(first)
        bursts: list[int] = []
        for i, t in enumerate(stamps):
            if i == 0 or t - stamps[i - 1] > 2:
                bursts.append(0)
            bursts[-1] += 1
        out["refreshes"] = bursts
        browser.close()
    return out


def _gzip(path: str) -> int:
    local = ROOT / path.lstrip("/")
    return len(gzip.compress(local.read_bytes(), 9)) if local.is_file() else 0


def section() -> list[str]:
    from tests.stack import start_stack

    load_before = os.getloadavg()
    stack = start_stack()
    try:
        member = next(
            (m.group(1), m.group(2))
            for line in stack.output
            if (m := re.search(r"Demo member \(\w+\): (\S+)\s+password: (\S+)", line))
        )
        took = seed(stack)
        figures = measure(stack, member)
    finally:
        stack.stop()
    load_after = os.getloadavg()
    health = statistics.median(figures["health"])
    charts = statistics.median(figures["charts"])
    ready = statistics.median(figures["ready"])
    files = figures["files"]
    raw = sum(n for _, n in files)
    packed = sum(_gzip(p) for p, _ in files)
    refreshes = figures["refreshes"]
    fast = refreshes[:-1] if len(refreshes) > 1 else refreshes
    lines = [
        HEADING,
        "",
        f"Local stack (`python -m local`, moto) seeded through the public API with {CAMPAIGNS} active "
        f"campaigns, {CREATORS:,} creators (one promo code each, ten per campaign) and {ORDERS:,} "
        "orders, each a signed store webhook (attributed, with its events and ledger entries), "
        "placed over the last 30 days. Seeding took "
        + "; ".join(f"{name} {s:.0f} s" for name, s in took.items())
        + ".",
        "",
        f"Chromium (`/usr/bin/chromium`, the browser tests' launch flags), signed in as the demo "
        f"member, 1280×800; {RUNS} full navigations each, interleaved: `/health` (load event), then "
        "`/console/#/overview` until its performance marks. Times from navigation start; the "
        "console's files revalidated from the HTTP cache after the first load, as for a returning "
        "member.",
        "",
        "| page | median ms | min ms | max ms | × baseline |",
        "|---|---:|---:|---:|---:|",
        f"| `GET /health` (baseline) | {health:.0f} | {min(figures['health']):.0f} | "
        f"{max(figures['health']):.0f} | 1.0 |",
        f"| overview usable: the charts drawn (`overview-charts`) | {charts:.0f} | "
        f"{min(figures['charts']):.0f} | {max(figures['charts']):.0f} | {charts / health:.1f} |",
        f"| overview complete: cards, approvals too (`overview-ready`) | {ready:.0f} | "
        f"{min(figures['ready']):.0f} | {max(figures['ready']):.0f} | {ready / health:.1f} |",
        "",
        f"Target: usable overview ≤ 1,000 ms — {'met' if charts <= 1000 else 'NOT met'} "
        f"({charts:.0f} ms). Load average (1/5/15 min) before: "
        f"{' / '.join(f'{x:.1f}' for x in load_before)}, after: {' / '.join(f'{x:.1f}' for x in load_after)} "
        f"on {os.cpu_count()} cores.",
        "",
        f"JS + CSS: {len(files)} files, {raw / 1000:.1f} KB as served (the local HTTP API sends them "
        f"uncompressed), {packed / 1000:.1f} KB gzipped (level 9, as a CDN would send them). "
        f"Target ≤ 250 KB: {'met' if packed <= 250_000 else 'NOT met'} gzipped, "
        f"{'met' if raw <= 250_000 else 'NOT met'} as served.",
        "",
        f"/v1 requests: {figures['first_render']} for the first render (1 campaign list, 12 card "
        f"reports, 3 for alerts and webhooks, {CAMPAIGNS} collaboration lists for content awaiting "
        f"approval); then per refresh: {', '.join(str(n) for n in refreshes)} (the quick ones every "
        f"5 s: {max(fast) if fast else 0} at most — the chosen campaign's report, alerts, failed "
        "and processing webhooks; the last, at 30 s, the slow one that rereads the list, the cards "
        "and the approvals).",
        "",
        "Reading it: the overview is usable once it has the campaign list and the chosen "
        "campaign's report (the charts are drawn from its `daily` series); the cards and the "
        "approvals come after. A report reads every order of the campaign with its events (one "
        "Query per order, `reporting/reports.py`), so its time grows with the campaign's orders. "
        "moto's Query now reads only the partition (`local/moto_patches.py`), but in the "
        "single-table design the brand's partition holds everything the brand has stored, so on "
        "the local stack each Query still costs in proportion to the brand; on DynamoDB a Query "
        "costs single-digit milliseconds whatever the partition holds. Per-day counters kept at "
        "booking time would make the series one Query. Each page's module is loaded on its first "
        "visit and the console function gzips its files, so the overview transfers only its own "
        "code, compressed.",
        "",
    ]
    return lines


if __name__ == "__main__":
    result = section()
    write_section(HEADING, result)
    print("\n".join(result))
    sys.exit(0)
