from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from roster.conversions.commissions import gross_commission, reconcile, target
from roster.models.commissions import CommissionPlan
from roster.models.orders import LineItem, OrderEvent
from roster.models.webhooks import Provider

BASE = {
    "provider": Provider.SHOPIFY,
    "order_id": "1001",
    "currency": "USD",
    "occurred_at": "2027-01-10T12:00:00Z",
}


def order(subtotal: int = 10_000, **extra: object) -> OrderEvent:
    return OrderEvent(kind="order", event_key="1001", subtotal=subtotal, **BASE | {"total": subtotal} | extra)


def refund(key: str, amount: int, cumulative: bool = False, **extra: object) -> OrderEvent:
    return OrderEvent(
        kind="refund", event_key=key, refund_amount=amount, cumulative=cumulative, **BASE | extra
    )


CANCEL = OrderEvent(kind="cancellation", event_key="1001", **BASE)


def test_gross_commission_rules() -> None:
    assert gross_commission(order(), CommissionPlan(percent_bps=1000)) == 1000
    assert gross_commission(order(), CommissionPlan(cpa=500, percent_bps=250)) == 750
    assert gross_commission(order(new_customer=True), CommissionPlan(new_customer_bonus=300)) == 300
    assert gross_commission(order(new_customer=False), CommissionPlan(new_customer_bonus=300)) == 0
    lines = [
        LineItem(sku="SHOE", quantity=1, amount=8000),
        LineItem(sku="SOCK", category="accessories", quantity=1, amount=2000),
    ]
    plan = CommissionPlan(
        percent_bps=1000, sku_rates_bps={"SHOE": 1500}, category_rates_bps={"accessories": 500}
    )
    assert gross_commission(order(line_items=lines), plan) == 1200 + 100


def test_refunds_prorate_cancellations_reverse_and_orphans_wait() -> None:
    plan = CommissionPlan(percent_bps=1000)
    assert target([refund("r1", 2500)], plan) is None  # refund before its order: nothing yet
    assert target([order(), refund("r1", 2500)], plan).net == 750  # type: ignore[union-attr]
    assert target([order(), refund("r1", 2500), refund("r2", 2500)], plan).net == 500  # type: ignore[union-attr]
    assert target([order(), refund("r1", 99_999)], plan).net == 0  # type: ignore[union-attr]
    assert target([order(), refund("r1", 1)], plan).net == 999  # type: ignore[union-attr]  # reversal rounds up
    assert target([order(), CANCEL], plan).net == 0  # type: ignore[union-attr]
    # Stripe without a refund list: amounts are cumulative, the largest one counts.
    assert target([order(), refund("c:3000", 3000, True), refund("c:5000", 5000, True)], plan).net == 500  # type: ignore[union-attr]


# Refunds in the store's terms: net items or gross money, now and then in a foreign currency.
EVENTS = st.lists(
    st.tuples(st.integers(min_value=1, max_value=4000), st.sampled_from(["items", "gross"]), st.booleans()),
    max_size=3,
).map(
    lambda drawn: [
        refund(f"r{i}", a, refund_basis=basis, currency="EUR" if foreign else "USD")
        for i, (a, basis, foreign) in enumerate(drawn)
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    refunds=EVENTS,
    cancelled=st.booleans(),
    has_order=st.booleans(),
    plan=st.builds(
        CommissionPlan,
        cpa=st.integers(0, 2000),
        percent_bps=st.integers(0, 3000),
        new_customer_bonus=st.integers(0, 500),
    ),
    schedule=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=25),
)
def test_any_interleaving_duplication_or_reordering_books_the_same_ledger(
    refunds: list[OrderEvent], cancelled: bool, has_order: bool, plan: CommissionPlan, schedule: list[int]
) -> None:
    placed = [order(new_customer=True, total=10_800)] if has_order else []
    events = placed + refunds + ([CANCEL] if cancelled else [])
    if not events:
        return

    def run(deliveries: list[OrderEvent]) -> list[int]:
        stored: dict[tuple[str, str], OrderEvent] = {}
        ledger: list[int] = []
        for event in deliveries:
            stored[(event.kind, event.event_key)] = event  # a duplicate delivery stores nothing new
            amount = reconcile(ledger, target(stored.values(), plan))
            if amount:
                ledger.append(amount)
        return ledger

    in_order = run(events)
    # Deliver in the order the schedule says, with repeats, then make sure everything came once.
    shuffled = [events[i % len(events)] for i in schedule] + events[::-1]
    chaos = run(shuffled)
    assert sum(chaos) == sum(in_order)
    final = target(events, plan)
    assert sum(chaos) == (final.net if final else 0)
    assert all(x != 0 for x in chaos)


def test_tier_rates() -> None:
    from roster.models.commissions import Tier

    plan = CommissionPlan(
        percent_bps=500,
        tiers=[
            Tier(min_orders=0, percent_bps=1000),
            Tier(min_orders=50, percent_bps=1500),
            Tier(min_revenue=1_000_000, percent_bps=1200),
        ],
    )
    assert plan.rate_bps(0, 0) == 1000 and plan.rate_bps(49, 0) == 1000 and plan.rate_bps(50, 0) == 1500
    assert plan.rate_bps(10, 2_000_000) == 1200
    assert CommissionPlan(percent_bps=500).rate_bps(100, 0) == 500
    assert target([order()], plan, prior_orders=50).gross == 1500  # type: ignore[union-attr]
    assert target([order()], plan, prior_orders=50, cap_left=400).net == 400  # type: ignore[union-attr]
    assert target([order()], plan, cap_left=-5).net == 0  # type: ignore[union-attr]
