"""`make bench`: cold-start import cost and warm per-request cost of the brand API, each beside a
baseline measured in the same run (this machine is noisy; ratios travel better than milliseconds).

AWS is moto in-process, so the warm figures are Roster's own work (event parsing, auth gate,
validation, serialization, the DAL) plus moto's, not DynamoDB latency.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "performance.md"


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def cold_imports(rounds: int = 7) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}"}
    programs = {
        "python -c pass (baseline)": "pass",
        "import boto3 (baseline)": "import boto3",
        "api handler module": (
            "import importlib.util as u; s=u.spec_from_file_location('a','functions/api/app.py');"
            "m=u.module_from_spec(s); s.loader.exec_module(m)"
        ),
        "authorizer module": (
            "import importlib.util as u; s=u.spec_from_file_location('a','functions/authorizer/app.py');"
            "m=u.module_from_spec(s); s.loader.exec_module(m)"
        ),
    }
    out: dict[str, list[float]] = {k: [] for k in programs}
    for _ in range(rounds):  # interleaved, so drift hits every program alike
        for name, code in programs.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
            out[name].append((time.perf_counter() - start) * 1000)
    return out


def warm_requests(n: int = 300) -> dict[str, list[float]]:
    from moto import mock_aws

    from local import template as tpl
    from local.gateway import Gateway, Route
    from local.lambdas import load_handler
    from roster import auth
    from roster.deps import deps, reset

    os.environ.update(
        {
            "TABLE_NAME": "roster-bench-Table",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    reset()
    with mock_aws():
        import boto3

        template = tpl.load()
        names = tpl.Names(prefix="roster-bench")
        tpl.create_tables(boto3.client("dynamodb"), template, names)
        specs = {s.logical_id: s for s in tpl.functions(template, names, tpl.parameters(template))}
        api, authorizer = load_handler(specs["ApiFunction"]), load_handler(specs["AuthorizerFunction"])
        gw = Gateway(
            [
                Route("ANY", "/v1/{proxy+}", "ApiFunction", api, True),
                Route("GET", "/health", "ApiFunction", api, False),
            ],
            authorizer,
        )
        brand, key = auth.create_brand(deps().stores.brands, "Bench")
        brand_id = brand.id
        headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
        body = json.dumps(
            {
                "name": "Bench",
                "objective": "trial",
                "start_date": "2027-01-01",
                "end_date": "2027-02-01",
                "budget": {"amount": 1000, "currency": "USD"},
            }
        ).encode()
        _, _, created = gw.handle("POST", "/v1/campaigns", headers, body)
        cid = json.loads(created)["id"]
        for _ in range(20):
            gw.handle("POST", "/v1/campaigns", headers, body)
        cases: dict[str, Callable[[], Any]] = {
            "GET /health, no auth, no AWS (baseline)": lambda: gw.handle("GET", "/health", {}, b""),
            "same two moto GetItems, no handler (baseline)": lambda: (
                deps().stores.brands.key_by_hash(auth.hash_key(key)),
                deps().stores.campaigns.require(brand_id, cid),
            ),
            "GET /v1/campaigns/{id}": lambda: gw.handle("GET", f"/v1/campaigns/{cid}", headers, b""),
            "GET /v1/campaigns?limit=20": lambda: gw.handle("GET", "/v1/campaigns?limit=20", headers, b""),
            "POST /v1/campaigns": lambda: gw.handle("POST", "/v1/campaigns", headers, body),
            "POST /v1/campaigns, invalid body (422)": lambda: gw.handle(
                "POST", "/v1/campaigns", headers, b'{"name":1}'
            ),
        }
        results: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(n):  # interleaved rounds
            for name, fn in cases.items():
                results[name] += timed(fn, 1)
        return results


def table(title: str, label: str, results: dict[str, list[float]], digits: int) -> list[str]:
    lines = [f"## {title}", "", f"| {label} | median ms | p95 ms |", "|---|---:|---:|"]
    for name, samples in results.items():
        med, p95 = summary(samples)
        lines.append(f"| {name} | {med:.{digits}f} | {p95:.{digits}f} |")
    return [*lines, ""]


def main() -> None:
    from bench import console, monitoring, outreach, portal, redirect, webhooks
    from local import moto_patches

    # First, while this process's environment is still its own: it starts its own local stack
    # (a subprocess that inherits the environment) and Chromium.
    console_lines = console.section()
    portal_lines = portal.section()
    # As in the tests and the local stack: moto's own TransactWriteItems copies every table it
    # touches, whole, per call, which would measure moto instead of Roster.
    moto_patches.install()

    monitoring_lines = monitoring.section()
    outreach_lines = outreach.section()
    webhook_lines = webhooks.section()
    redirect_lines = redirect.section()
    cold = cold_imports()
    warm = warm_requests()
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (source: `bench/__main__.py`); rerun it to refresh this page.",
        "Each figure stands beside a baseline measured in the same run, interleaved, because this",
        "machine is shared and noisy: compare ratios, not absolute milliseconds, across runs.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"run at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        *table("Cold start: importing a handler module in a fresh interpreter", "program", cold, 0),
        *table(
            "Warm requests through the gateway emulation, handler and DAL (moto in-process)",
            "request",
            warm,
            2,
        ),
        "Reading it: an authorized `GET /v1/campaigns/{id}` makes two reads (key lookup in the",
        "authorizer, the campaign); the gap to the two-GetItem baseline is Roster's own overhead",
        "(event parsing, auth gate, routing, validation, serialization). An invalid body costs only",
        "the key lookup: it is rejected before the DAL. The list reads 20 items through moto, whose",
        "Query is slow; on Lambda each DynamoDB call costs single-digit milliseconds instead.",
        "",
        "Cold start: beyond boto3 (which Lambda's runtime also has to import), the handler modules",
        "load aws-xray-sdk (the Tracer), Powertools' event handler with its OpenAPI models, and the",
        "pydantic models; `python -X importtime` shows the split. Trimming them (lazy imports, a",
        "slimmer authorizer) is a known, measured follow-up, not yet done.",
        "",
    ]
    lines += ["", *redirect_lines, "", *webhook_lines, "", *monitoring_lines, "", *outreach_lines]
    lines += ["", *console_lines, "", *portal_lines]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
