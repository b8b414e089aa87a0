"""What becomes of an order in a report, and spend against a budget: pure rules."""

from __future__ import annotations

import pytest

from roster.models.common import Money
from roster.models.ledger import EntryKind, LedgerEntry
from roster.models.orders import OrderEvent
from roster.models.webhooks import Provider
from roster.reporting.budget import reached, spend
from roster.reporting.reports import Outcome, _daily, _utc_day, outcome

BASE = {
    "provider": Provider.SHOPIFY,
    "order_id": "1001",
    "currency": "USD",
    "occurred_at": "2027-01-10T12:00:00Z",
}
ORDER = OrderEvent(kind="order", event_key="1001", subtotal=10_000, total=10_800, **BASE)
CANCEL = OrderEvent(kind="cancellation", event_key="1001", **BASE)


def refund(key: str, amount: int, cumulative: bool = False) -> OrderEvent:
    return OrderEvent(kind="refund", event_key=key, refund_amount=amount, cumulative=cumulative, **BASE)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([ORDER], Outcome(10_000, 0, 0, "kept")),
        ([ORDER, refund("r1", 2_500)], Outcome(10_000, 2_500, 0, "partially_refunded")),
        ([ORDER, refund("r1", 2_500), refund("r2", 7_500)], Outcome(10_000, 10_000, 0, "fully_refunded")),
        ([ORDER, refund("r1", 12_000)], Outcome(10_000, 10_000, 0, "fully_refunded")),  # never more
        # Stripe without its refund list: the running total, not a sum of totals
        (
            [ORDER, refund("c1", 3_000, True), refund("c2", 6_000, True)],
            Outcome(10_000, 6_000, 0, "partially_refunded"),
        ),
        ([ORDER, CANCEL], Outcome(10_000, 0, 10_000, "cancelled")),
        ([ORDER, refund("r1", 4_000), CANCEL], Outcome(10_000, 4_000, 6_000, "cancelled")),
        ([ORDER, refund("r1", 0)], Outcome(10_000, 0, 0, "kept")),
    ],
)
def test_outcome(events: list[OrderEvent], expected: Outcome) -> None:
    got = outcome(10_000, events)
    assert got == expected and got.net == expected.gross - expected.refunded - expected.cancelled
    assert got.stands == (expected.fate in ("kept", "partially_refunded"))


def test_refunds_in_the_stores_terms_as_the_ledger_reads_them() -> None:
    gross = OrderEvent(
        kind="refund", event_key="g1", refund_amount=5_400, refund_basis="gross", **BASE
    )  # half of the 10,800 charged, tax and shipping in it: half of the items
    assert outcome(10_000, [ORDER, gross]) == Outcome(10_000, 5_000, 0, "partially_refunded")
    other = OrderEvent(kind="refund", event_key="e1", refund_amount=10_000, **BASE | {"currency": "EUR"})
    assert outcome(10_000, [ORDER, other]).fate == "kept"  # another currency reverses nothing


def test_an_order_of_nothing_refunded_is_refunded_in_full() -> None:
    free = OrderEvent(kind="order", event_key="1001", subtotal=0, total=0, **BASE)
    assert outcome(0, [free, refund("r1", 100)]).fate == "fully_refunded"
    assert outcome(0, [free]).stands
    assert outcome(4_000, []) == Outcome(4_000, 0, 0, "kept")  # the order event not read (yet)


def entry(kind: EntryKind, amount: int, currency: str = "USD", seq: int = 0) -> LedgerEntry:
    return LedgerEntry(
        entry_id=f"x:{kind}:{seq}",
        creator_id="c",
        campaign_id="k",
        provider="shopify",
        order_id="1",
        seq=seq,
        kind=kind,
        amount=amount,
        currency=currency,
        occurred_at="2027-01-10T12:00:00Z",
        hold_until="2027-02-10T12:00:00Z",
        created_at="2027-01-10T12:00:00Z",
    )


def test_spend_per_currency_against_the_budget_in_its_own() -> None:
    entries = [
        entry("commission", 1_000),
        entry("reversal", -400, seq=1),
        entry("adjustment", 50, seq=2),
        entry("fixed_fee", 5_000),
        entry("commission", 700, "EUR"),
    ]
    out = spend(entries, Money(amount=8_000, currency="USD"), currencies=["GBP"])
    assert out["USD"].model_dump() == {
        "fixed_fees": 5_000,
        "commissions": 650,
        "total": 5_650,
        "budget": 8_000,
        "remaining": 2_350,
        "percent_used": 70.62,
    }
    assert (out["EUR"].total, out["EUR"].budget, out["EUR"].percent_used) == (700, None, None)
    assert out["GBP"].total == 0  # asked for (the report has GBP orders), nothing spent
    assert spend([], Money(amount=0, currency="JPY"))["JPY"].percent_used is None


def test_thresholds_are_reached_exactly() -> None:
    assert not reached(7_999, 10_000, 80) and reached(8_000, 10_000, 80)
    assert not reached(9_999, 10_000, 100) and reached(10_000, 10_000, 100)
    assert not reached(0, 0, 100) and reached(1, 0, 100)  # a budget of 0: the first cent is over


@pytest.mark.parametrize(
    ("texts", "day"),
    [
        (("2027-01-10T23:30:00-05:00",), "2027-01-11"),  # a store's local time: the UTC day
        (("2027-01-10T00:10:00+02:00",), "2027-01-09"),
        (("1768089600",), "2026-01-11"),  # Stripe's epoch seconds
        (("2027-01-10 08:00:00",), "2027-01-10"),  # naive: UTC
        (("not a time", "2027-01-12T01:00:00Z"), "2027-01-12"),  # the next one stands in
        (("not a time",), None),
    ],
)
def test_a_day_in_the_series_is_the_utc_day(texts: tuple[str, ...], day: str | None) -> None:
    assert _utc_day(*texts) == day


def test_the_daily_series_lists_every_day_with_zeros() -> None:
    series = _daily(
        ("2027-01-09", "2027-01-11"),
        [{"day": "2027-01-10", "clicks": 4, "unique_clicks": 3}],
        [],
        [
            LedgerEntry(
                entry_id="shopify:1001:0",
                creator_id="c",
                campaign_id="k",
                provider="shopify",
                order_id="1001",
                seq=0,
                kind=kind,
                amount=amount,
                currency="USD",
                occurred_at="2027-01-11T10:00:00Z",
                hold_until="2027-02-11T10:00:00Z",
                created_at="2027-01-12T10:00:00Z",  # booked later: counted on the order's day
            )
            for kind, amount in (("commission", 1_000), ("reversal", -400), ("fixed_fee", 5_000))
        ],
    )
    assert [(str(d.date), d.clicks, d.orders, d.revenue, d.commissions) for d in series] == [
        ("2027-01-09", 0, 0, {}, {}),
        ("2027-01-10", 4, 0, {}, {}),
        ("2027-01-11", 0, 0, {}, {"USD": 600}),  # a fixed fee is spend, not a commission
    ]
