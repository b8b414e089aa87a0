"""The creator portal's figures: the server time of a creator's pages beside `GET /health` in the
same run, and each page's size as sent.

On the local stack (`python -m local`, moto), over HTTP, interleaved rounds: `GET /health` (the
API function, no auth, no AWS: the baseline), a collaboration page waiting for the creator
(`/c/{token}`: the collaboration, its brand, campaign, links, promo codes and earnings read from
moto), the contract page, creator home's sign-in page and the application page. Server time is
the time to the last byte of the answer, measured by the client on loopback.

Run alone with `PYTHONPATH=layers/shared:. python -m bench.portal` (rewrites the "Creator portal"
section of docs/performance.md), or as part of `make bench`."""

from __future__ import annotations

import http.client
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import write_section

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Creator portal: server time of the pages"
ROUNDS = 200


def _get(base: str, path: str) -> tuple[float, int, int]:
    """(ms to the last byte, status, body bytes) of one GET on a fresh connection."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    start = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    took = (time.perf_counter() - start) * 1000
    conn.close()
    return took, resp.status, len(body)


def _pages(stack: Any) -> dict[str, str]:
    """The pages measured, set up through the public API as a brand would."""
    from tests.browser.data import SLOW
    from tests.e2e.test_workflows import Flow, call

    flow = Flow(stack, SLOW, name="Bench creator portal")
    (creator_id,) = flow.creators("Pia").values()
    flow.creator(creator_id, "accept")
    flow.creator(creator_id, "accept-terms")
    url = flow.waiting(creator_id, "sign")["creator_url"]
    path = urlsplit(url).path
    pages = {
        "GET /health (baseline)": "/health",
        "collaboration page, waiting for the signature": path,
        "contract page": path + "/contract",
    }
    status, me = call(stack, "GET", "/v1/me")
    brand_id = (me or {}).get("brand_id") if status == 200 else None
    if brand_id:
        pages["creator home, sign-in page"] = f"/h/{brand_id}"
    status, setting = call(stack, "PUT", "/v1/application-page", {"slug": "bench-brand", "enabled": True})
    if status == 200:
        pages["application page"] = "/apply/bench-brand"
    return pages


def section() -> list[str]:
    from tests.stack import start_stack

    stack = start_stack()
    try:
        pages = _pages(stack)
        samples: dict[str, list[float]] = {name: [] for name in pages}
        sizes: dict[str, int] = {}
        for name, path in pages.items():  # warm each function once, as a warm Lambda would be
            _, status, size = _get(stack.base_url, path)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            sizes[name] = size
        for _ in range(ROUNDS):
            for name, path in pages.items():
                samples[name].append(_get(stack.base_url, path)[0])
    finally:
        stack.stop()
    base = statistics.median(samples["GET /health (baseline)"])
    lines = [
        HEADING,
        "",
        f"Local stack (moto), loopback HTTP, a fresh connection per request, {ROUNDS} interleaved rounds "
        "after one warm-up request each. Size: the body as sent (HTML with its inline CSS and script; "
        "no other request is needed to show the page).",
        "",
        "| page | median ms | p95 ms | × /health | bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in samples.items():
        ordered = sorted(values)
        med, p95 = statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]
        lines.append(f"| {name} | {med:.1f} | {p95:.1f} | {med / base:.1f}× | {sizes[name]:,} |")
    lines += [
        "",
        "Reading it: `/health` is the API function answering without touching AWS. A collaboration "
        "page makes three GetItems (the collaboration, its brand, its campaign) and three Queries (the "
        "creator's links, promo codes and ledger entries) (moto in-process: each read costs moto's milliseconds, not "
        "DynamoDB's). Every page is far below the 100 KB budget.",
        "",
    ]
    return lines


def main() -> None:
    lines = section()
    write_section(HEADING, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
