"""Load: a bounded burst at the local stack, each target beside `GET /health` in the same run.

The local stack (`python -m local`, what `make run` runs, moto in its own process) is started as a
subprocess the way the e2e tests start it, set up through the public API (an active campaign with
a 10 % plan, a creator, four tracking links, a promo code, the generic orders integration), and
then sent bursts over loopback HTTP by a pool of THREADS threads, each with one keep-alive
`http.client.HTTPConnection`. Targets:

- `GET /health`: the API function answering without AWS (the baseline);
- `GET /r/{code}` counted: each request a distinct visitor (the redirect's visitor is a salted hash
  of source IP and User-Agent; the source IP is always 127.0.0.1 here, so each request carries its
  own User-Agent);
- the counted click's one write (`ClickStore.record_visit`) sent straight to the stack's moto from
  this process: the redirect's own baseline (the gap is the gateway and the handler);
- `GET /r/{code}` repeat: one visitor, counted once in the warm-up, again and again (not counted);
- `GET /r/{code}` bot: a crawler's User-Agent (no write at all);
- `GET /v1/campaigns` with the stack's API key (the authorizer, then the API: two reads);
- `POST /webhooks/orders/{brand_id}`: a signed generic order, a distinct order each time, so each
  books a commission.

Each target's requests are split into ROUNDS bursts and the rounds interleave the targets, so drift
on this shared machine hits every target alike. Before measuring, one unmeasured burst of
THREADS × 4 requests per target loads every handler copy the pool will use (their cold starts are
not in the figures).

Run alone with `PYTHONPATH=layers/shared:. python -m bench.load` (rewrites the "Load" section of
docs/performance.md), or as part of `make bench`. ROSTER_BENCH_LOAD="500,100" (the default) sets
the requests per target and the webhooks (bookings are the slowest request by far)."""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.common import stack_api, write_section
from roster.conversions.webhook_signatures import sign

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Load: a bounded burst at the local stack"
THREADS = 8
ROUNDS = 4
SECRET = "bench_load_0123456789abcdef0123"
DEFAULT = "500,100"  # requests per target, webhooks (about 2 minutes in all)
COMPARE_SHARE = 4  # the ROSTER_LOCAL_CONCURRENCY=1 run sends a quarter of the requests
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEALTH = "GET /health (baseline)"
POLLER_ERROR = re.compile(r"^(stream|queue) \S+: \S+: ")  # local.lambdas.Poller's line for a failed round
ERROR_LINE = re.compile(r'"level": ?"ERROR"')  # the functions' JSON log lines (Powertools, the redirect's)

Request = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q ≤ 100) of ascending values: the smallest value with
    at least q % of the values at or below it (p50 of 1..4 is 2, p99 of 1..100 is 99)."""
    if not ordered:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {q}")
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Target:
    name: str
    make: Callable[[int], Request]  # request number (unique per target) -> the request
    expect: int  # the status every answer must have
    count: int
    direct: Callable[[int], None] | None = None  # instead of HTTP: a call timed the same way
    code: str | None = None  # a redirect's link: its clicks the stack logged as not recorded are counted
    unrecorded: int = 0
    warm_errors: int = 0  # in the unmeasured warm-up: reported in the checks when any
    samples: list[float] = field(default_factory=list)
    wall: float = 0.0  # seconds spent in this target's bursts
    errors: dict[str, int] = field(default_factory=dict)
    locations: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


class Client:
    """THREADS threads, each with its own keep-alive connection, kept across bursts."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="load")
        self.lock = threading.Lock()

    def _conn(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return conn

    def one(self, target: Target, n: int, record: bool) -> None:
        if target.direct is not None:
            self._direct(target, target.direct, n, record)
            return
        method, path, headers, body = target.make(n)
        conn = self._conn()
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException) as exc:  # counted, never hidden
            conn.close()  # the next request on this thread opens a new connection
            self._error(target, type(exc).__name__, record)
            return
        took = (time.perf_counter() - start) * 1000
        if resp.status != target.expect:
            self._error(target, f"HTTP {resp.status}", record)
        if not record:
            return
        with self.lock:
            target.samples.append(took)
            if location := resp.getheader("location"):
                target.locations.append(location)
            if method == "POST":
                target.bodies.append(payload)

    def _error(self, target: Target, key: str, record: bool) -> None:
        with self.lock:
            if record:
                target.errors[key] = target.errors.get(key, 0) + 1
            else:
                target.warm_errors += 1

    def _direct(self, target: Target, call: Callable[[int], None], n: int, record: bool) -> None:
        start = time.perf_counter()
        try:
            call(n)
        except Exception as exc:  # counted, never hidden
            self._error(target, type(exc).__name__, record)
            return
        took = (time.perf_counter() - start) * 1000
        if record:
            with self.lock:
                target.samples.append(took)

    def burst(self, target: Target, numbers: range, record: bool = True) -> None:
        """Sends requests `numbers` of `target`, THREADS at a time, and waits for all of them."""
        todo = iter(numbers)
        take = threading.Lock()

        def work() -> None:
            while True:
                with take:
                    n = next(todo, None)
                if n is None:
                    return
                self.one(target, n, record)

        start = time.perf_counter()
        for future in [self.pool.submit(work) for _ in range(THREADS)]:
            future.result()
        if record:
            target.wall += time.perf_counter() - start

    def close(self) -> None:
        def drop() -> None:
            if conn := getattr(self.local, "conn", None):
                conn.close()

        for future in [self.pool.submit(drop) for _ in range(THREADS)]:
            future.result()
        self.pool.shutdown()


def setup(stack: Any) -> dict[str, str]:
    """What the targets need, made through the public API: the webhook's path, the links' codes."""
    today = datetime.now(UTC).date()
    url = stack_api(stack, "PUT", "/v1/integrations/orders", {"secret": SECRET})["webhook_url"]
    campaign = stack_api(
        stack,
        "POST",
        "/v1/campaigns",
        {
            "name": "Load bench",
            "objective": "conversions",
            "status": "active",
            "start_date": (today - timedelta(days=1)).isoformat(),
            "end_date": (today + timedelta(days=60)).isoformat(),
            "budget": {"amount": 50_000_000, "currency": "USD"},
            "commission": {"plan": {"percent_bps": 1000}},
            "allowed_domains": ["shop.example.com"],
        },
    )
    creator = stack_api(stack, "POST", "/v1/creators", {"name": "Load Bench", "email": "load@bench.example"})
    ids = {"campaign_id": campaign["id"], "creator_id": creator["id"]}
    for code in ("load-counted", "load-repeat", "load-bot", "load-direct"):
        stack_api(
            stack, "POST", "/v1/links", ids | {"code": code, "destination": "https://shop.example.com/x"}
        )
    stack_api(stack, "POST", "/v1/promo-codes", ids | {"code": "LOADBENCH"})
    hook = "/" + url.split("//", 1)[1].split("/", 1)[1]
    return ids | {"hook": hook, "brand_id": hook.rstrip("/").rsplit("/", 1)[1]}


def direct_write(moto_port: int, paths: dict[str, str]) -> Callable[[int], None]:
    """The counted click's one write (`ClickStore.record_visit`, a new visitor each time, on a link of
    its own), sent from this process straight to the stack's moto: the redirect's cost without the
    gateway and the handler. Its stream records reach the click aggregator as a real click's do."""
    import boto3
    from botocore.config import Config

    from roster.clock import from_epoch
    from roster.links.redirect import click_id
    from roster.store.clicks import VISIT_TTL_SECONDS, Click, ClickStore
    from roster.store.table import Table

    local = threading.local()
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})  # a failure shows, not a retry

    def call(n: int) -> None:
        store: ClickStore | None = getattr(local, "store", None)
        if store is None:  # a session per thread: boto3's default session is not thread-safe
            client = boto3.session.Session().client(
                "dynamodb",
                endpoint_url=f"http://127.0.0.1:{moto_port}",
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
                config=config,
            )
            store = local.store = ClickStore(Table("roster-local-Table", client))
        epoch = int(time.time())
        visitor = hashlib.sha256(f"direct {n}".encode()).hexdigest()[:32]
        day = time.strftime("%Y-%m-%d", time.gmtime(epoch))
        click: Click = {
            # as the redirect makes them (any salt: nothing reads this visit back)
            "click_id": click_id(b"bench", paths["brand_id"], "load-direct", visitor, day),
            "code": "load-direct",
            "brand_id": paths["brand_id"],
            "campaign_id": paths["campaign_id"],
            "creator_id": paths["creator_id"],
            "at": from_epoch(epoch),
            "country": None,
            "referrer_host": None,
            "user_agent": f"{BROWSER} direct {n}",
        }
        store.record_visit(
            click, epoch=epoch, day=day, visitor=visitor, ttl=epoch + VISIT_TTL_SECONDS, window=3600
        )

    return call


def _order(n: int) -> bytes:
    subtotal = 2_000 + (n * 37) % 9_000
    order = {
        "id": f"LOAD-{n}",
        "currency": "USD",
        "created_at": datetime.now(UTC).isoformat(),
        "subtotal": subtotal,
        "total": subtotal,
        "discount_codes": ["LOADBENCH"],
        "customer": {"email": f"buyer{n}@bench.example"},
        "line_items": [{"sku": "BOOT", "quantity": 1, "amount": subtotal}],
    }
    return json.dumps({"id": f"evt_load_{n}", "type": "order.created", "order": order}).encode()


def _signed(hook: str, n: int) -> Request:
    body = _order(n)
    headers = {"Roster-Signature": sign(SECRET, body), "Content-Type": "application/json"}
    return "POST", hook, headers, body


def targets(
    paths: dict[str, str], write: Callable[[int], None], requests: int, webhooks: int
) -> list[Target]:
    from tests.stack import API_KEY

    auth = {"Authorization": f"Bearer {API_KEY}"}
    return [
        Target(HEALTH, lambda n: ("GET", "/health", {}, None), 200, requests),
        Target(
            "redirect, counted (a new visitor each)",
            lambda n: ("GET", "/r/load-counted", {"User-Agent": f"{BROWSER} v{n}"}, None),
            302,
            requests,
            code="load-counted",
        ),
        Target(
            "its one write alone, straight to moto (baseline)",
            lambda n: ("", "", {}, None),
            200,
            requests,
            direct=write,
        ),
        Target(
            "redirect, repeat (one visitor again)",
            lambda n: ("GET", "/r/load-repeat", {"User-Agent": BROWSER}, None),
            302,
            requests,
            code="load-repeat",
        ),
        Target(
            "redirect, bot",
            lambda n: ("GET", "/r/load-bot", {"User-Agent": CRAWLER}, None),
            302,
            requests,
            code="load-bot",
        ),
        Target("GET /v1/campaigns (API key)", lambda n: ("GET", "/v1/campaigns", auth, None), 200, requests),
        Target(
            "signed order webhook (a new order each)",
            lambda n: _signed(paths["hook"], n),
            200,
            webhooks,
        ),
    ]


def load(stack: Any, paths: dict[str, str], requests: int, webhooks: int) -> tuple[list[Target], float, int]:
    """Warm-up, then ROUNDS interleaved rounds of one burst per target. Returns the targets with
    their samples, the whole measured wall time, and how many lines the stack had printed before."""
    client = Client(stack.base_url)
    runs = targets(paths, direct_write(stack.moto_port, paths), requests, webhooks)
    warm = THREADS * 4
    try:
        for target in runs:  # numbers above any measured one: distinct visitors and orders stay distinct
            target_warm = range(10**7, 10**7 + warm)
            client.burst(target, target_warm, record=False)
        mark = len(stack.output)  # the warm-up's log lines are before this
        start = time.perf_counter()
        for r in range(ROUNDS):
            for target in runs:
                share = target.count // ROUNDS + (1 if r < target.count % ROUNDS else 0)
                first = sum(
                    target.count // ROUNDS + (1 if i < target.count % ROUNDS else 0) for i in range(r)
                )
                client.burst(target, range(first, first + share))
        return runs, time.perf_counter() - start, mark
    finally:
        client.close()


def checks(stack: Any, runs: list[Target], mark: int) -> list[str]:
    """What the answers and the stack's log show beyond the status: how many clicks of each link the
    redirect could not write (it fails open: a 302 either way, the click logged for replay), whether
    every counted visitor got its own click id and the repeat visitor always the one of its first
    visit, and what each order's webhook answered."""
    logged = [line for line in stack.output[mark:] if "click not recorded" in line]
    for target in runs:
        if target.code:
            target.unrecorded = sum(f'"code": "{target.code}"' in line for line in logged)

    def rids(target: Target) -> list[str]:
        return [parse_qs(urlsplit(loc).query).get("rid", [""])[0] for loc in target.locations]

    notes = []
    counted = next(t for t in runs if t.name.startswith("redirect, counted"))
    repeat = next(t for t in runs if t.name.startswith("redirect, repeat"))
    hook = next(t for t in runs if t.name.startswith("signed order"))
    c = rids(counted)
    notes.append(f"counted: {len(set(c)):,} distinct click ids in {len(c):,} redirects")
    r = rids(repeat)
    notes.append(f"repeat: {len(set(r)):,} distinct click id(s) in {len(r):,} redirects")
    outcomes: dict[str, int] = {}
    for raw in hook.bodies:
        try:
            answer = json.loads(raw)
            key = "duplicate" if answer.get("duplicate") else str(answer.get("status"))
        except ValueError:
            key = "unreadable"
        outcomes[key] = outcomes.get(key, 0) + 1
    notes.append("webhook answers: " + ", ".join(f"{v:,} {k}" for k, v in sorted(outcomes.items())))
    notes += [f"{t.warm_errors:,} errors in the warm-up of {t.name}" for t in runs if t.warm_errors]
    failed = [line for line in stack.output if POLLER_ERROR.match(line) or line.startswith("Traceback")]
    notes.append(f"stream or queue delivery errors and tracebacks in the stack's log: {len(failed):,}")
    errors = [line for line in stack.output if ERROR_LINE.search(line)]
    notes.append(f"ERROR-level log lines: {len(errors):,}")
    return notes


def run(requests: int, webhooks: int, concurrency: str) -> tuple[list[Target], float, list[str]]:
    from tests.stack import start_stack

    stack = start_stack({"ROSTER_LOCAL_CONCURRENCY": concurrency})
    try:
        paths = setup(stack)
        runs, wall, mark = load(stack, paths, requests, webhooks)
        return runs, wall, checks(stack, runs, mark)
    finally:
        stack.stop()


def _errors(target: Target) -> str:
    if not target.errors:
        return "0"
    return ", ".join(f"{v:,} {k}" for k, v in sorted(target.errors.items()))


def rows(runs: list[Target]) -> list[str]:
    base = percentile(sorted(next(t for t in runs if t.name == HEALTH).samples), 50)
    out = []
    for t in runs:
        ordered = sorted(t.samples)
        lost = f"{t.unrecorded:,}" if t.code else "–"
        if not ordered:
            out.append(f"| {t.name} | {t.count:,} | – | – | – | {_errors(t)} | {lost} | – | – |")
            continue
        p50, p99 = percentile(ordered, 50), percentile(ordered, 99)
        out.append(
            f"| {t.name} | {t.count:,} | {p50:.1f} | {p99:.1f} | {ordered[-1]:.1f} | {_errors(t)} | {lost} "
            f"| {p50 / base:.1f}× | {len(ordered) / t.wall:,.0f} |"
        )
    return out


TABLE_HEAD = [
    "| target | requests | p50 ms | p99 ms | max ms | errors | clicks not recorded | p50 × /health | requests/s |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|",
]


def _lost(runs: list[Target]) -> tuple[int, str]:
    lost = sum(t.unrecorded for t in runs if t.code)
    sent = sum(len(t.samples) for t in runs if t.code and t.code != "load-bot")
    return lost, f"{lost:,} of {sent:,}"


def _p50(runs: list[Target], prefix: str) -> float:
    return percentile(sorted(next(t for t in runs if t.name.startswith(prefix)).samples), 50)


def _rate(runs: list[Target], single: list[Target], prefix: str) -> str:
    """Requests/s of one target at concurrency 4 as a multiple of those at concurrency 1."""

    def rate(targets: list[Target]) -> float:
        t = next(t for t in targets if t.name.startswith(prefix))
        return len(t.samples) / t.wall

    return f"{rate(runs) / rate(single):.1f}×"


def reading(runs: list[Target], single: list[Target]) -> list[str]:
    """The prose under the tables, its figures from this run."""
    health, bot = _p50(runs, HEALTH), _p50(runs, "redirect, bot")
    counted, write = _p50(runs, "redirect, counted"), _p50(runs, "its one write")
    lost, lost_text = _lost(runs)
    lost_single, lost_single_text = _lost(single)
    lines = [
        f"Reading it (concurrency 4): a bot's redirect, which writes nothing, takes {bot / health:.1f}× "
        f"`/health`. A counted click takes {counted / write:.1f}× its one write sent to moto directly (the "
        "baseline row below it): moto runs writes one at a "
        "time under one lock (`local/moto_patches.py`) and its stream feeds the click aggregator in the "
        "same interpreter, so under the burst each write waits behind the others (DynamoDB serves writes "
        "in parallel, in single-digit milliseconds). A repeat is a conditional write that fails (no stream "
        "record, nothing to aggregate). `GET /v1/campaigns` is the authorizer's key read and the API's "
        'Query; a new order\'s webhook is several requests with a transaction (see "Store webhooks"). '
        f"With one environment per function (concurrency 1) a target's requests queue for it; with four, "
        f"requests/s are {_rate(runs, single, 'redirect, counted')} for counted clicks, "
        f"{_rate(runs, single, 'GET /v1/campaigns')} for `GET /v1/campaigns` and "
        f"{_rate(runs, single, 'signed order')} for webhooks those at concurrency 1. The work is mostly "
        "CPU in one interpreter, so four environments cannot do four times as much; what they buy is "
        "that events of one function run at once, as on Lambda, so races can happen over HTTP.",
        "",
    ]
    if lost or lost_single:
        lines += [
            f"Clicks not recorded (counted and repeat redirects): {lost_text} at concurrency 4, "
            f"{lost_single_text} at concurrency 1. The redirect gives its click write a tight time budget "
            "(`CLICK_WRITE` in `roster/links/redirect.py`) and fails open; moto's writes, one at a time "
            "under this burst, take longer than that budget, so on the local stack a burst sends clicks "
            "to the replay log that DynamoDB would have written. A repeat visitor whose write failed "
            "gets a new click id (the distinct ids in the checks).",
            "",
        ]
    else:
        lines += [f"Clicks not recorded: none ({lost_text} at concurrency 4, {lost_single_text} at 1).", ""]
    return lines


def section() -> list[str]:
    raw = os.environ.get("ROSTER_BENCH_LOAD", DEFAULT)
    requests, webhooks = (int(x) for x in raw.split(","))
    started, load_before = time.perf_counter(), os.getloadavg()
    runs, wall, notes = run(requests, webhooks, "4")
    one_req, one_hooks = max(ROUNDS, requests // COMPARE_SHARE), max(ROUNDS, webhooks // COMPARE_SHARE)
    single, single_wall, single_notes = run(one_req, one_hooks, "1")
    took, load_after = time.perf_counter() - started, os.getloadavg()
    print(f"bench load: {took:.0f} s", file=sys.stderr)
    lines = [
        HEADING,
        "",
        f"Local stack (`python -m local`, moto in its process) on loopback HTTP: {THREADS} threads, each "
        f"with one keep-alive connection, send each target's requests in {ROUNDS} bursts, and the rounds "
        "interleave the targets (so `GET /health`, the baseline, is measured between the others, in the "
        "same run). Latency is the client's, from sending the request to the last byte of the answer. "
        "It is loopback on moto in one Python process (the gateway, every function, moto, the stream "
        "and queue pollers share one interpreter, on a shared 2-core machine): the ratios to `/health` "
        "matter, not the milliseconds. Before measuring, one unmeasured burst of "
        f"{THREADS * 4} requests per target loads the handler copies (their cold starts are not here). "
        "Errors: an answer other than the target's status (200; 302 for the redirect) or a connection "
        "error, each counted. Clicks not recorded: redirects that answered 302 but whose click write "
        "failed, so the redirect failed open and logged the click for replay (`click not recorded` in "
        "the stack's log, counted per link).",
        "",
        f"### ROSTER_LOCAL_CONCURRENCY=4 (the default): {sum(len(t.samples) for t in runs):,} requests "
        f"in {wall:.0f} s",
        "",
        *TABLE_HEAD,
        *rows(runs),
        "",
        "Checks on the same answers: " + "; ".join(notes) + ".",
        "",
        f"### ROSTER_LOCAL_CONCURRENCY=1 (one event at a time per function): "
        f"{sum(len(t.samples) for t in single):,} requests in {single_wall:.0f} s",
        "",
        *TABLE_HEAD,
        *rows(single),
        "",
        "Checks: " + "; ".join(single_notes) + ".",
        "",
        *reading(runs, single),
        f"Reproduce: `make bench-load` (this section alone; `ROSTER_BENCH_LOAD={requests},{webhooks}` "
        f"sets the requests per target and the webhooks; the concurrency-1 run sends a quarter of each). "
        f"It took {took:.0f} s here, both stacks' start-up included; load average (1 min) "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after, on {os.cpu_count()} cores. Fewer requests "
        "than the 2,000 per target first planned: counted clicks and authenticated GETs run at about 50 "
        "a second on moto here, so 2,000 of each (and a quarter of that at concurrency 1) would take the "
        "section past three minutes. The "
        "HandlerPool's peak (environments busy at once) lives in the stack's process and is not served "
        "over HTTP, so it is not reported.",
        "",
    ]
    return lines


def main() -> None:
    lines = section()
    write_section(HEADING, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
