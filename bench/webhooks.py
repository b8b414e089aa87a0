"""Webhook figures (issue 4): deliveries per second in-process on moto and AWS requests per order,
next to a baseline of only the bare writes an order needs."""

from __future__ import annotations

import json
import time
from collections import Counter

N = 200


def section() -> list[str]:
    import boto3
    from moto import mock_aws

    from bench.common import brand_with_campaign, configure
    from local import template as tpl
    from roster.conversions import webhooks
    from roster.conversions.webhook_signatures import sign
    from roster.deps import deps
    from roster.links import promo_codes
    from roster.models.creators import CreatorCreate
    from roster.models.promo_codes import PromoCodeCreate
    from roster.program import creators
    from roster.store import keys
    from roster.store.table import serialize

    configure(
        ARCHIVE_BUCKET="roster-bench-webhookarchivebucket",
        SECRETS_PREFIX="/roster/bench",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    with mock_aws():
        brand_id, campaign, _ = brand_with_campaign(
            name="Bench",
            objective="conversions",
            start_date="2027-01-01",
            end_date="2027-12-31",
            commission={"plan": {"percent_bps": 1000}},
        )
        tpl.create_buckets(boto3.client("s3"), tpl.load(), tpl.Names(prefix="roster-bench"))
        wired = deps()
        s = wired.stores
        creator = creators.create(s.creators, brand_id, CreatorCreate(name="Maya", email="maya@example.com"))
        promo_codes.create(
            s, brand_id, PromoCodeCreate(campaign_id=campaign.id, creator_id=creator.id, code="MAYA10")
        )
        secret = "bench_secret_0123456789abcdef"
        wired.secrets.put(brand_id, "orders", secret)

        calls: Counter[str] = Counter()
        for client in {
            id(c): c for c in (s.orders.table.client, wired.secrets.client, wired.archive.client)
        }.values():
            client.meta.events.register(
                "before-call",
                lambda model, **_: calls.update([f"{model.service_model.service_name}:{model.name}"]),
            )

        def body(i: int) -> bytes:
            return json.dumps(
                {
                    "id": f"evt_{i}",
                    "type": "order.created",
                    "order": {
                        "id": f"ORD-{i}",
                        "currency": "USD",
                        "created_at": "2027-01-10T12:00:00Z",
                        "subtotal": 8000,
                        "total": 8750,
                        "discount_codes": ["MAYA10"],
                        "customer": {"email": f"c{i}@example.com", "new_customer": True},
                    },
                }
            ).encode()

        bodies = [body(i) for i in range(N + 1)]
        headers = [{"roster-signature": sign(secret, b)} for b in bodies]
        webhooks.receive(wired, "orders", brand_id, headers[N], bodies[N])  # warm caches
        calls.clear()
        start = time.perf_counter()
        for i in range(N):
            status, result = webhooks.receive(wired, "orders", brand_id, headers[i], bodies[i])
            assert status == 200 and result["status"] == "processed"
        elapsed = time.perf_counter() - start
        per_order = {k: v / N for k, v in sorted(calls.items())}
        dup_calls: Counter[str] = Counter()
        calls.clear()
        webhooks.receive(wired, "orders", brand_id, headers[0], bodies[0])
        dup_calls.update(calls)

        client = s.orders.table.client
        table = s.orders.table.name
        start = time.perf_counter()
        for i in range(N):
            for sk in (f"ORDER#bench#{i}", f"ATTRIBUTION#bench#{i}", f"LEDGER#bench#{i}#000000"):
                client.put_item(
                    TableName=table, Item=serialize({keys.PK: keys.brand_pk(brand_id), keys.SK: sk, "v": i})
                )
        base_elapsed = time.perf_counter() - start

    rows: list[str] = [f"| {k} | {v:.2f} |" for k, v in per_order.items()]
    return [
        "## Store webhooks (`POST /webhooks/{provider}/{brand_id}`)",
        "",
        f"In-process on moto: {N} signed generic orders with a promo code, each verified, archived,",
        "claimed, parsed, stored, attributed and booked (10% commission), the secret cached.",
        "",
        "| | per second | ms per order |",
        "|---|---:|---:|",
        f"| full webhook processing | {N / elapsed:.0f} | {elapsed / N * 1000:.2f} |",
        f"| baseline: the 3 bare PutItems an order needs (event, attribution, ledger entry) | {N / base_elapsed:.0f} | {base_elapsed / N * 1000:.2f} |",
        "",
        "AWS requests per new order:",
        "",
        "| request | per order |",
        "|---|---:|",
        *rows,
        "",
        f"A duplicate delivery makes {sum(dup_calls.values())} requests ({', '.join(f'{n} {k}' for k, n in sorted(dup_calls.items()))}):",
        "the archive put and the failed claim, and nothing else.",
        "Beyond the baseline: the claim and the outcome of the event record, the attribution check,",
        "the promo-code lookup, the code's campaign (does the order still earn: end date, grace,",
        "cancellation), the creator (self-purchase check), the campaign (plan) again for booking,",
        "the order's state item and events for the reconcile (read consistently: they were just",
        "written). Storing the event and appending the entry are each a TransactWriteItems with the",
        "order's state item (2 write units per item instead of 1): that is what lets a booking append",
        "only if no event or entry arrived since it read, so a stale booker can never append last.",
        "Booking takes the attribution the webhook just made instead of reading it again.",
        "moto's Query scans the whole partition, so the in-process time grows with the table;",
        "DynamoDB's does not. moto's TransactWriteItems runs with `local/moto_patches.py` (it",
        "backs up the touched items, not whole tables), as in the tests and the local stack.",
        "",
    ]
