"""The ledger under real concurrency: bookers of one order (its order, refunds and cancellation
delivered at once) run in real threads against moto, with the interleaving of their DynamoDB calls
forced — every one for an order and its refund, random ones (and hypothesis-chosen ones) for three
bookers. Whatever the interleaving, the order's balance is what booking each event once, in time
order, gives."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roster.conversions import attribution, ledger
from roster.conversions.commissions import target
from roster.models.commissions import CommissionPlan
from roster.models.orders import OrderEvent
from roster.models.webhooks import Provider
from roster.store.registry import Stores
from roster.store.table import Table
from tests.conftest import TEST_ENV
from tests.integration.conftest import Client
from tests.integration.interleavings import Schedule, Serial, merges, shuffle_merge
from tests.integration.test_ledger import PLAN, setup

__all__ = ["setup"]  # the fixture, shared with test_ledger

# Each booker's gated calls, in its own order: store its event, read the order's state, read the
# order's events, append. A booker that has nothing to append (or bails out) gives up its turns.
OPS = ("add", "state", "events", "append")
GATED = ("orders.add", "ledger.state", "orders.for_order", "ledger.append")


def order_event(order_id: str, kind: str, key: str, **extra: Any) -> OrderEvent:
    return OrderEvent(
        kind=kind,
        provider=Provider.ORDERS,
        order_id=order_id,
        event_key=key,
        occurred_at="2027-01-10T12:00:00Z",
        currency="USD",
        subtotal=10_000,
        total=10_000,
        discount_codes=["MAYA10"],
        customer_email_hash=None,
        **extra,
    )


def scenario(order_id: str, kinds: str) -> dict[str, OrderEvent]:
    """O: the order, R/S: refunds of 50 % and 10 %, C: its cancellation."""
    made = {
        "O": order_event(order_id, "order", order_id),
        "R": order_event(order_id, "refund", f"{order_id}-r1", refund_amount=5_000),
        "S": order_event(order_id, "refund", f"{order_id}-r2", refund_amount=1_000),
        "C": order_event(order_id, "cancellation", order_id),
    }
    return {k: made[k] for k in kinds}


def gated_stores(schedule: Schedule) -> Stores:
    client: Any = Serial(boto3.client("dynamodb"))
    stores = Stores.for_table(Table(TEST_ENV["TABLE_NAME"], client))
    for path in GATED:
        owner_name, method = path.split(".")
        owner = getattr(stores, owner_name)
        setattr(owner, method, schedule.gate(path, getattr(owner, method)))
    return stores


def booker(stores: Stores, brand_id: str, event: OrderEvent) -> Callable[[], None]:
    """What webhook processing does for one event: store it, attribute an order, book the order."""

    def run() -> None:
        stores.orders.add(brand_id, event, f"src-{event.event_key}")
        decision = attribution.attribute(stores, brand_id, event) if event.kind == "order" else None
        ledger.book(stores, brand_id, event.provider, event.order_id, decision)

    return run


def balance(stores: Stores, brand_id: str, order_id: str) -> list[tuple[int, str, int]]:
    entries = stores.ledger.for_order(brand_id, Provider.ORDERS, order_id)
    return [(e.seq, e.kind, e.amount) for e in sorted(entries, key=lambda e: e.seq)]


def expected(events: dict[str, OrderEvent]) -> int:
    """Booking each event once in time order ends at the target of all of them."""
    goal = target(events.values(), CommissionPlan.model_validate(PLAN["plan"]))
    return goal.net if goal else 0


def run_trial(brand_id: str, order_id: str, kinds: str, turns: list[str]) -> list[tuple[int, str, int]]:
    events = scenario(order_id, kinds)
    schedule = Schedule(turns)
    stores = gated_stores(schedule)
    errors = schedule.run({name: booker(stores, brand_id, e) for name, e in events.items()})
    assert errors == dict.fromkeys(events), errors
    entries = balance(stores, brand_id, order_id)
    assert sum(amount for _, _, amount in entries) == expected(events), (turns, schedule.log, entries)
    assert [seq for seq, _, _ in entries] == list(range(len(entries)))  # no gaps, no doubles
    assert all(amount != 0 for _, _, amount in entries)
    return entries


def test_the_reported_race_books_the_refund(brand_a: Client, setup: dict[str, Any]) -> None:
    """The issue's interleaving: the order's booker reads before the refund is stored, the refund's
    booker books first; the stale booker must not append on top (it used to: 3,980 for 2,090)."""
    turns = ["O", "O", "R", "R", "R", "R", "O"]  # O: add, state | R: add, state, events, append | O: events…
    entries = run_trial(brand_a.brand_id, "RACE-1", "OR", turns)
    gross = 200 + 1_000  # cpa + 10 % of 10,000
    assert sum(a for _, _, a in entries) == gross - gross // 2 == 600


def test_every_interleaving_of_an_order_and_its_refund(brand_a: Client, setup: dict[str, Any]) -> None:
    schedules = list(merges(["O"] * len(OPS), ["R"] * len(OPS)))
    assert len(schedules) == 70
    for n, turns in enumerate(schedules):
        run_trial(brand_a.brand_id, f"ALL-{n}", "OR", turns)


def test_200_random_interleavings_of_order_refund_and_cancellation_bookers(
    brand_a: Client, setup: dict[str, Any]
) -> None:
    rng = random.Random(11)
    for n in range(200):
        kinds = rng.choice(["ORC", "ORS", "ORSC"])
        turns = shuffle_merge(rng, [[k] * len(OPS) for k in kinds])
        run_trial(brand_a.brand_id, f"RND-{n}", kinds, turns)


@pytest.fixture
def trial_ids() -> list[int]:
    return []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.sampled_from(["OR", "ORS", "ORC", "ORSC"]),
    picks=st.lists(st.integers(0, 3), min_size=4, max_size=20),
)
def test_hypothesis_chosen_interleavings(
    brand_a: Client, setup: dict[str, Any], trial_ids: list[int], kinds: str, picks: list[int]
) -> None:
    """The property test of test_commissions (any order of events), extended to interleaved reads:
    hypothesis picks whose turn each gated call is (then shrinks a failure to a short schedule)."""
    trial_ids.append(len(trial_ids))
    turns = [kinds[p % len(kinds)] for p in picks]
    run_trial(brand_a.brand_id, f"HYP-{trial_ids[-1]}", kinds, turns)
