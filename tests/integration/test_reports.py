"""Reports a finance team would sign: revenue and conversions net of cancellations and refunds,
self-purchases apart, conversion rate on clicks, spend against the budget, and the budget alerts
raised once each from the stream consumer (batches delivered twice, as Lambda may)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from local.lambdas import FakeLambdaContext
from roster import clock
from roster.conversions.webhook_signatures import sign
from roster.deps import deps
from roster.models.attribution import Attribution
from roster.models.ledger import LedgerEntry
from roster.models.orders import OrderEvent
from roster.models.webhooks import Provider
from tests.integration.conftest import CAMPAIGN, CREATOR, NAMES, Client, table_snapshot
from tests.integration.test_webhooks import SECRETS, deliver

PLAN = {"plan": {"cpa": 200, "percent_bps": 1000, "hold_days": 30}}
BUDGET = {"amount": 10_000, "currency": "USD"}  # USD 100.00


class Stream:
    """The table's stream as the click aggregator's event source mapping delivers it: every item
    written since the last read, through the template's FilterCriteria, to the real handler."""

    def __init__(self) -> None:
        from local import template as tpl
        from local.lambdas import load_handler
        from local.streams import matches, stream_sources

        template = tpl.load()
        (self.source,) = [s for s in stream_sources(template) if s.function == "ClickAggregatorFunction"]
        spec = next(s for s in tpl.functions(template, NAMES, {}) if s.logical_id == self.source.function)
        self.handler, self.matches, self.seen = load_handler(spec), matches, set[str]()

    def read(self) -> list[dict[str, Any]]:
        records = []
        for item in table_snapshot():
            key = json.dumps(item, sort_keys=True)
            if key in self.seen:
                continue
            self.seen.add(key)
            record = {
                "eventName": "INSERT",
                "dynamodb": {"NewImage": item, "SequenceNumber": str(len(self.seen))},
            }
            if any(self.matches(p, record) for p in self.source.patterns):
                records.append(record)
        return records

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = self.handler({"Records": records}, FakeLambdaContext())
        return result


def kinds(records: list[dict[str, Any]]) -> list[str]:
    return sorted({r["dynamodb"]["NewImage"]["entity"]["S"] for r in records})


@pytest.fixture
def setup(brand_a: Client) -> dict[str, Any]:
    assert brand_a.call("PUT", "/v1/integrations/orders", {"secret": SECRETS["orders"]})[0] == 200
    today = clock.now().date()
    campaign = brand_a.call(
        "POST",
        "/v1/campaigns",
        CAMPAIGN
        | {
            "status": "active",
            "commission": PLAN,
            "budget": BUDGET,
            "start_date": (today - timedelta(days=10)).isoformat(),
            "end_date": (today + timedelta(days=60)).isoformat(),
            "kpis": [
                {"metric": "conversions", "target": 8, "by": (today + timedelta(days=60)).isoformat()},
                {"metric": "revenue", "target": 74_000, "by": (today + timedelta(days=60)).isoformat()},
            ],
        },
    )[1]
    maya = brand_a.call("POST", "/v1/creators", CREATOR)[1]
    promo = {"campaign_id": campaign["id"], "creator_id": maya["id"], "code": "MAYA10"}
    assert brand_a.call("POST", "/v1/promo-codes", promo)[0] == 201
    link = {
        "campaign_id": campaign["id"],
        "creator_id": maya["id"],
        "destination": "https://shop.example.com/trail",
        "code": "maya-spring",
    }
    assert brand_a.call("POST", "/v1/links", link)[0] == 201
    return {"campaign": campaign, "maya": maya}


def send(client: Client, event: dict[str, Any]) -> None:
    body = json.dumps(event).encode()
    status, result = deliver(client, "orders", body, {"roster-signature": sign(SECRETS["orders"], body)})
    assert status == 200 and result["status"] == "processed", result


def order(
    order_id: str,
    subtotal: int,
    *,
    currency: str = "USD",
    code: str | None = None,
    click_id: str | None = None,
    email: str = "kim@example.com",
    new_customer: bool | None = None,
) -> dict[str, Any]:
    """total = subtotal (no tax or shipping), so a refund's amount is its net item amount in any
    reading of the store's terms."""
    return {
        "id": order_id,
        "currency": currency,
        "created_at": clock.now_iso(),
        "subtotal": subtotal,
        "total": subtotal,
        "discount_codes": [code] if code else [],
        "click_id": click_id,
        "customer": {"email": email, "new_customer": new_customer},
    }


def created(o: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"evt_{o['id']}", "type": "order.created", "order": o}


def refunded(o: dict[str, Any], refund_id: str, amount: int) -> dict[str, Any]:
    refund = {"id": refund_id, "amount": amount, "created_at": clock.now_iso()}
    return {"id": f"evt_{refund_id}", "type": "order.refunded", "order": o, "refund": refund}


def cancelled(o: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"evt_{o['id']}_cancel", "type": "order.cancelled", "order": o}


def fixed_fee(brand_id: str, setup: dict[str, Any], milestone: str, amount: int) -> None:
    """Booked straight into the ledger: how a fee is earned is the fixed-fee issue's business,
    here only that the ledger holds it."""
    now = clock.now_iso()
    entry = LedgerEntry(
        entry_id=f"fixed_fee:{milestone}:0",
        creator_id=setup["maya"]["id"],
        campaign_id=setup["campaign"]["id"],
        provider="fixed_fee",
        order_id=milestone,
        seq=0,
        kind="fixed_fee",
        amount=amount,
        currency="USD",
        occurred_at=now,
        hold_until=now,
        created_at=now,
    )
    assert deps().stores.ledger.append(brand_id, entry)


def budget_alerts(client: Client) -> list[dict[str, Any]]:
    items = client.call("GET", "/v1/alerts")[1]["items"]
    return sorted((a for a in items if a["kind"].startswith("budget_")), key=lambda a: a["kind"])


def test_report_and_budget_match_a_hand_calculation(
    brand_a: Client, setup: dict[str, Any], published: list[tuple[str, dict[str, Any]]]
) -> None:
    stream = Stream()
    stream.deliver(stream.read())  # the setup's writes: none is a visit or a ledger entry
    rids = []
    for i in range(5):
        status, headers, _ = brand_a.gateway.handle(
            "GET",
            "/r/maya-spring",
            {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"},
            b"",
            source_ip=f"203.0.113.{i}",
        )
        assert status == 302
        rids.append(parse_qs(urlsplit(headers["location"]).query)["rid"][0])  # as a store gets it
    batch = stream.read()
    assert kinds(batch) == ["visit"] and stream.deliver(batch) == {"batchItemFailures": []}
    assert len(set(rids)) == 5

    a = order("ORD-A", 10_000, code="MAYA10", new_customer=True)  # kept
    b = order("ORD-B", 20_000, click_id=rids[0], new_customer=False)  # 5,000 refunded
    c = order("ORD-C", 8_000, click_id=rids[1])  # refunded in full
    d = order("ORD-D", 6_000, code="MAYA10")  # cancelled
    e = order("ORD-E", 5_000, code="MAYA10", email=str(CREATOR["email"]))  # the creator's own
    f = order("ORD-F", 12_000, click_id=rids[2], new_customer=True)  # kept
    g = order("ORD-G", 3_000, currency="EUR", code="MAYA10")  # kept, another currency
    for o in (a, b, c, d, e, f, g):
        send(brand_a, created(o))
    send(brand_a, refunded(b, "rf-b", 5_000))
    send(brand_a, refunded(c, "rf-c", 8_000))
    send(brand_a, cancelled(d))

    # Commissions, 200 + 10 %: A 1,200; B 2,200 less 5,000/20,000 of it = 1,650; C 1,000 then
    # reversed; D 800 then reversed; E nothing (self-purchase); F 1,400; G EUR 500.
    usd_commissions = 1_200 + 1_650 + 0 + 0 + 1_400
    batch = stream.read()
    assert kinds(batch) == ["ledger_entry"]
    assert stream.deliver(batch) == {"batchItemFailures": []}
    assert budget_alerts(brand_a) == []  # USD 42.50 of USD 100.00

    report = brand_a.call("GET", f"/v1/campaigns/{setup['campaign']['id']}/report")[1]
    assert report["clicks"] == 5
    assert report["orders"] == 4  # A, B, F, G: C refunded in full, D cancelled, E the creator's own
    assert report["conversion_rate"] == 0.4  # B and F came by click (A and G by code): 2 / 5
    assert report["new_customer_share"] == round(2 / 3, 4)  # A and F of A, B, F (G unknown)
    assert report["returns"] == {"cancelled": 1, "fully_refunded": 1, "partially_refunded": 1}
    assert report["self_purchases"] == {"orders": 1, "revenue": {"USD": 5_000}}
    assert report["not_commissionable"] == {}
    usd = report["currencies"]["USD"]
    assert usd["gross_revenue"] == 10_000 + 20_000 + 8_000 + 6_000 + 12_000  # E left out
    assert (usd["refunded"], usd["cancelled"]) == (5_000 + 8_000, 6_000)
    assert usd["revenue"] == 10_000 + 15_000 + 12_000 == 37_000
    assert usd["average_order_value"] == 37_000 // 3
    assert usd["commissions"] == {"pending": usd_commissions, "approved": 0, "paid": 0}
    assert usd["spend"] == {
        "fixed_fees": 0,
        "commissions": 4_250,
        "total": 4_250,
        "budget": 10_000,
        "remaining": 5_750,
        "percent_used": 42.5,
    }
    assert usd["earnings_per_click"] == 4_250 / 5 and usd["cost_per_acquisition"] == 4_250 // 3
    eur = report["currencies"]["EUR"]
    assert (eur["revenue"], eur["average_order_value"]) == (3_000, 3_000)
    assert eur["spend"] == {
        "fixed_fees": 0,
        "commissions": 500,
        "total": 500,
        "budget": None,  # the budget is in USD: EUR spend is shown, not counted against it
        "remaining": None,
        "percent_used": None,
    }
    kpis = {k["metric"]: k for k in report["kpis"]}
    assert (kpis["conversions"]["actual"], kpis["conversions"]["progress"]) == (4, 0.5)
    assert (kpis["revenue"]["actual"], kpis["revenue"]["progress"]) == (37_000, 0.5)

    # USD 36.00 of fees: 7,850 = 78.5 % (with the EUR 500 it would pass 80 %: it must not count).
    fixed_fee(brand_a.brand_id, setup, "reel-1", 3_600)
    batch = stream.read()
    for _ in range(2):
        assert stream.deliver(batch) == {"batchItemFailures": []}
    assert budget_alerts(brand_a) == []

    fixed_fee(brand_a.brand_id, setup, "story-1", 400)  # 8,250 = 82.5 %
    batch = stream.read()
    for _ in range(2):  # at-least-once: the same batch again raises nothing new
        assert stream.deliver(batch) == {"batchItemFailures": []}
    (warning,) = budget_alerts(brand_a)
    assert warning["kind"] == "budget_80" and warning["campaign_id"] == setup["campaign"]["id"]
    assert warning["creator_id"] == setup["maya"]["id"] and warning["post_id"] is None
    assert "USD 82.50 spent of USD 100.00" in warning["message"]

    fixed_fee(brand_a.brand_id, setup, "story-2", 2_000)  # 10,250 = 102.5 %
    batch = stream.read()
    for _ in range(2):
        assert stream.deliver(batch) == {"batchItemFailures": []}
    assert [a["kind"] for a in budget_alerts(brand_a)] == ["budget_100", "budget_80"]
    raised = [d["kind"] for kind, d in published if kind == "alert.raised"]
    assert raised == ["budget_80", "budget_100"]  # each published once

    spend = brand_a.call("GET", f"/v1/campaigns/{setup['campaign']['id']}/report")[1]["currencies"]["USD"]
    assert spend["spend"] == {
        "fixed_fees": 6_000,
        "commissions": 4_250,
        "total": 10_250,
        "budget": 10_000,
        "remaining": -250,
        "percent_used": 102.5,
    }
    assert spend["cost_per_acquisition"] == 10_250 // 3
    assert spend["commissions"]["pending"] == 4_250  # fees are spend, not commissions

    creator = brand_a.call("GET", f"/v1/creators/{setup['maya']['id']}/report")[1]
    assert creator["orders"] == 4 and creator["kpis"] == []
    assert creator["currencies"]["USD"]["revenue"] == 37_000
    assert creator["currencies"]["USD"]["spend"]["total"] == 10_250
    assert creator["currencies"]["USD"]["spend"]["budget"] is None  # a creator has no budget


def test_a_failed_budget_check_retries_the_batch_without_counting_clicks_twice(
    brand_a: Client, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = Stream()
    stream.read()
    brand_a.gateway.handle("GET", "/r/maya-spring", {"user-agent": "Mozilla/5.0 Firefox/133.0"}, b"")
    fixed_fee(brand_a.brand_id, setup, "reel-1", 9_000)
    batch = stream.read()
    assert kinds(batch) == ["ledger_entry", "visit"]

    def unavailable(*_: Any) -> None:
        raise RuntimeError("ledger unavailable")

    with monkeypatch.context() as m:
        m.setattr(type(deps().stores.ledger), "for_campaign", unavailable)
        failed = stream.deliver(batch)
    assert failed == {"batchItemFailures": [{"itemIdentifier": batch[0]["dynamodb"]["SequenceNumber"]}]}
    campaign_id = setup["campaign"]["id"]
    assert brand_a.call("GET", f"/v1/campaigns/{campaign_id}/stats")[1]["totals"]["clicks"] == 0
    assert budget_alerts(brand_a) == []

    assert stream.deliver(batch) == {"batchItemFailures": []}  # Lambda's retry
    assert brand_a.call("GET", f"/v1/campaigns/{campaign_id}/stats")[1]["totals"]["clicks"] == 1
    assert [a["kind"] for a in budget_alerts(brand_a)] == ["budget_80"]


def test_not_commissionable_orders_count_and_are_listed_apart(brand_a: Client, setup: dict[str, Any]) -> None:
    """The reason is set by attribution (end of earning, retired codes); the report only reads it."""
    brand_id, campaign_id = brand_a.brand_id, setup["campaign"]["id"]
    now = clock.now_iso()
    for order_id, reason in (
        ("LATE-1", "campaign ended"),
        ("LATE-2", "campaign ended"),
        ("OLD", "code retired"),
    ):
        event = OrderEvent(
            kind="order",
            provider=Provider.ORDERS,
            order_id=order_id,
            event_key=order_id,
            occurred_at=now,
            currency="USD",
            subtotal=4_000,
            total=4_000,
        )
        assert deps().stores.orders.add(brand_id, event, f"orders:evt_{order_id}")
        deps().stores.attributions.put_once(
            brand_id,
            Attribution(
                provider=Provider.ORDERS.value,
                order_id=order_id,
                method="promo_code",
                creator_id=setup["maya"]["id"],
                campaign_id=campaign_id,
                code="MAYA10",
                not_commissionable=reason,
                occurred_at=now,
                currency="USD",
                subtotal=4_000,
                decided_at=now,
            ),
        )
    report = brand_a.call("GET", f"/v1/campaigns/{campaign_id}/report")[1]
    assert report["orders"] == 3 and report["currencies"]["USD"]["revenue"] == 12_000
    assert report["not_commissionable"] == {
        "campaign ended": {"orders": 2, "revenue": {"USD": 8_000}},
        "code retired": {"orders": 1, "revenue": {"USD": 4_000}},
    }
    assert report["currencies"]["USD"]["spend"]["total"] == 0


def test_daily_series_splits_the_totals_by_the_day_each_order_was_placed(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    """Clicks on their day; a conversion and its revenue on the day it was placed, net of what came
    back later (a refund today takes off an order from two days ago there, not today); commissions
    on the order's day as the ledger dates them; the days add up to the totals."""
    stream = Stream()
    stream.deliver(stream.read())
    for i in range(2):
        status, _, _ = brand_a.gateway.handle(
            "GET",
            "/r/maya-spring",
            {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"},
            b"",
            source_ip=f"198.51.100.{i}",
        )
        assert status == 302
    assert stream.deliver(stream.read()) == {"batchItemFailures": []}

    now = clock.now()
    today, yesterday, before = (now.date() - timedelta(days=n) for n in range(3))

    def placed(o: dict[str, Any], days_ago: int) -> dict[str, Any]:
        return o | {"created_at": clock.iso(now - timedelta(days=days_ago))}

    a = placed(order("DAY-A", 10_000, code="MAYA10"), 2)  # 4,000 refunded today
    b = placed(order("DAY-B", 6_000, code="MAYA10"), 2)  # cancelled today
    c = placed(order("DAY-C", 5_000, code="MAYA10"), 1)  # kept
    d = placed(order("DAY-D", 3_000, code="MAYA10", currency="EUR"), 1)  # kept, in EUR
    e = placed(order("DAY-E", 7_000, code="MAYA10", email=str(CREATOR["email"])), 0)  # her own
    f = placed(order("DAY-F", 2_000, code="MAYA10"), 0)  # kept
    for o in (a, b, c, d, e, f):
        send(brand_a, created(o))
    send(brand_a, refunded(a, "rf-day-a", 4_000))
    send(brand_a, cancelled(b))

    path = f"/v1/campaigns/{setup['campaign']['id']}/report"
    report = brand_a.call("GET", path)[1]
    days = {d["date"]: d for d in report["daily"]}
    assert len(report["daily"]) == 30 and report["daily"][-1]["date"] == today.isoformat()
    assert [d["date"] for d in report["daily"]] == sorted(days)
    # Commissions 200 + 10 %: A 1,200 less 4,000/10,000 of it = 720; B reversed; C 700;
    # D EUR 500; E none; F 400.
    assert days[before.isoformat()] == {
        "date": before.isoformat(),
        "clicks": 0,
        "orders": 1,
        "revenue": {"USD": 6_000},
        "commissions": {"USD": 720},
    }
    assert days[yesterday.isoformat()] == {
        "date": yesterday.isoformat(),
        "clicks": 0,
        "orders": 2,
        "revenue": {"EUR": 3_000, "USD": 5_000},
        "commissions": {"EUR": 500, "USD": 700},
    }
    assert days[today.isoformat()] == {
        "date": today.isoformat(),
        "clicks": 2,
        "orders": 1,
        "revenue": {"USD": 2_000},
        "commissions": {"USD": 400},
    }
    assert sum(d["orders"] for d in report["daily"]) == report["orders"] == 4
    assert sum(d["clicks"] for d in report["daily"]) == report["clicks"]
    for currency, figures in report["currencies"].items():
        assert sum(d["revenue"].get(currency, 0) for d in report["daily"]) == figures["revenue"]
        earned = sum(figures["commissions"].values())
        assert sum(d["commissions"].get(currency, 0) for d in report["daily"]) == earned

    first = yesterday.isoformat()
    only = brand_a.call("GET", f"{path}?from={first}&to={first}")[1]
    assert [d["date"] for d in only["daily"]] == [first] and only["orders"] == 4  # totals: all time
    assert brand_a.call("GET", f"{path}?from={today.isoformat()}&to={first}")[0] == 422
    creator = brand_a.call("GET", f"/v1/creators/{setup['maya']['id']}/report?from={first}&to={first}")[1]
    assert creator["daily"] == only["daily"]
