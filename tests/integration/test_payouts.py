"""Payouts over HTTP: listing, selection, refusal of an empty payout, clawbacks netted against the
next payout under `min_payout`, and two bookings at once. Orders arrive as signed webhooks; time
is moved by patching `roster.clock.now` (commissions are approved once their hold is over)."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest

from roster import clock
from roster.conversions import payouts
from roster.conversions.webhook_signatures import sign
from roster.deps import deps
from roster.errors import Conflict
from roster.models.ledger import LedgerEntry
from roster.models.payouts import Payout, PayoutSelection
from tests.integration.conftest import CAMPAIGN, CREATOR, Client, member_of, table_snapshot

SECRET = "roster_payouts_test_0123456789abcdef"
# Orders are placed in January 2027 with a 30-day hold: approved from mid-February.
APPROVED = datetime(2027, 3, 1, tzinfo=UTC)
PLAN = {"percent_bps": 1000, "hold_days": 30}  # 10 % of the subtotal, nothing flat


@contextmanager
def clock_at(when: datetime = APPROVED) -> Iterator[None]:
    with mock.patch.object(clock, "now", lambda: when):
        yield


@pytest.fixture
def approved() -> Iterator[None]:
    with clock_at():
        yield


def campaign(client: Client, name: str = "Spring", **plan: Any) -> str:
    body = CAMPAIGN | {"name": name, "status": "active", "commission": {"plan": PLAN | plan}}
    status, created = client.call("POST", "/v1/campaigns", body)
    assert status == 201, created
    return str(created["id"])


def creator(client: Client, name: str = "maya") -> str:
    status, created = client.call(
        "POST", "/v1/creators", CREATOR | {"name": name, "email": f"{name}@example.com"}
    )
    assert status == 201, created
    return str(created["id"])


def code(client: Client, campaign_id: str, creator_id: str, text: str) -> str:
    body = {"campaign_id": campaign_id, "creator_id": creator_id, "code": text}
    status, created = client.call("POST", "/v1/promo-codes", body)
    assert status == 201, created
    return text


def _deliver(client: Client, event: dict[str, Any]) -> None:
    body = json.dumps(event).encode()
    headers = {"content-type": "application/json", "roster-signature": sign(SECRET, body)}
    status, _, raw = client.gateway.handle("POST", f"/webhooks/orders/{client.brand_id}", headers, body)
    assert status == 200 and json.loads(raw)["status"] == "processed", raw


def _order(order_id: str, promo: str, subtotal: int, day: str, currency: str) -> dict[str, Any]:
    return {
        "id": order_id,
        "currency": currency,
        "created_at": f"{day}T12:00:00Z",
        "subtotal": subtotal,
        "total": subtotal,
        "discount_codes": [promo],
        "customer": {"email": f"buyer-{order_id.lower()}@example.com", "new_customer": False},
        "line_items": [],
    }


def order(
    client: Client,
    order_id: str,
    promo: str,
    subtotal: int,
    *,
    day: str = "2027-01-10",
    currency: str = "USD",
) -> None:
    """An order earning 10 % of `subtotal` (the plan above), approved at APPROVED."""
    event = {
        "id": f"evt_{order_id}",
        "type": "order.created",
        "order": _order(order_id, promo, subtotal, day, currency),
    }
    _deliver(client, event)


def cancel(client: Client, order_id: str, promo: str, subtotal: int, *, day: str = "2027-01-10") -> None:
    """Reverses the whole commission; after a payout, that reversal is a clawback."""
    event = {
        "id": f"evt_cancel_{order_id}",
        "type": "order.cancelled",
        "order": _order(order_id, promo, subtotal, day, "USD"),
    }
    _deliver(client, event)


def program(client: Client) -> None:
    assert client.call("PUT", "/v1/integrations/orders", {"secret": SECRET})[0] == 200


def a_payable_balance(client: Client) -> dict[str, str]:
    """One creator with 10.00 USD approved under `clock_at()` (for other suites)."""
    program(client)
    ids = {"campaign": campaign(client), "creator": creator(client, "payable")}
    order(client, "ORD-PAYABLE", code(client, ids["campaign"], ids["creator"], "PAYABLE10"), 10_000)
    return ids


def ledger() -> list[dict[str, Any]]:
    items = [i for i in table_snapshot() if i.get("entity", {}).get("S") == "ledger_entry"]
    return [
        {
            "order": i["order_id"]["S"],
            "amount": int(i["amount"]["N"]),
            "payout": i.get("payout_id", {}).get("S"),
        }
        for i in items
    ]


def payout_items() -> list[dict[str, Any]]:
    return [i for i in table_snapshot() if i.get("entity", {}).get("S") in ("payout", "payout_lock")]


def book(client: Client, body: Any = None) -> dict[str, Any]:
    status, payout = client.call("POST", "/v1/payouts", body)
    assert status == 201, payout
    return dict(payout)


def preview(client: Client, **query: str) -> dict[str, Any]:
    status, body = client.call("GET", "/v1/payouts/preview", query=query or None)
    assert status == 200, body
    return dict(body)


def test_payouts_from_approved_balances(brand_a: Client, approved: None) -> None:
    program(brand_a)
    spring, maya = campaign(brand_a, min_payout=500), creator(brand_a)
    promo = code(brand_a, spring, maya, "MAYA10")
    order(brand_a, "ORD-OLD", promo, 10_000)  # approved
    order(brand_a, "ORD-NEW", promo, 8_000, day="2027-02-20")  # held until 2027-03-22
    line = {
        "creator_id": maya,
        "currency": "USD",
        "campaign_ids": [spring],
        "gross": 1000,
        "clawback": 0,
        "amount": 1000,
        "entries": 1,
    }
    assert preview(brand_a) == {"lines": [line], "totals": {"USD": 1000}, "carried_forward": []}

    payout = book(brand_a)
    assert payout["status"] == "booked" and payout["lines"] == [line] and payout["totals"] == {"USD": 1000}
    assert "does not move money" in payout["note"] and payout["lines_left"] == 0
    assert sorted(ledger(), key=lambda e: e["order"]) == [
        {"order": "ORD-NEW", "amount": 800, "payout": None},
        {"order": "ORD-OLD", "amount": 1000, "payout": payout["id"]},
    ]
    assert preview(brand_a)["lines"] == []

    status, headers, raw = brand_a.gateway.handle(
        "GET", f"/v1/payouts/{payout['id']}.csv", {"authorization": f"Bearer {brand_a.key}"}, b""
    )
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(raw.decode()))) == [
        {
            "payout_id": payout["id"],
            "creator_id": maya,
            "creator_name": "maya",
            "creator_email": "maya@example.com",
            "campaign_ids": spring,
            "currency": "USD",
            "amount": "10.00",
            "amount_minor": "1000",
            "gross_minor": "1000",
            "clawback_minor": "0",
            "entries": "1",
        }
    ]
    assert brand_a.call("GET", "/v1/payouts/nope.csv")[0] == 404


def test_nothing_to_pay_is_refused_and_books_nothing(brand_a: Client, approved: None) -> None:
    before = table_snapshot()
    status, body = brand_a.call("POST", "/v1/payouts")
    assert status == 409 and body["error"]["code"] == "conflict"
    assert body["error"]["message"].startswith("nothing to pay")
    assert table_snapshot() == before

    ids = a_payable_balance(brand_a)
    book(brand_a)
    before = table_snapshot()
    assert brand_a.call("POST", "/v1/payouts")[0] == 409  # nothing is paid twice
    assert brand_a.call("POST", "/v1/payouts", {"creator_ids": ["someone-else"]})[0] == 409
    assert table_snapshot() == before
    with clock_at(datetime(2027, 1, 20, tzinfo=UTC)):  # before the hold ends: only pending
        order(brand_a, "ORD-PENDING", "PAYABLE10", 5_000)
        before = table_snapshot()
        assert brand_a.call("POST", "/v1/payouts", {"campaign_ids": [ids["campaign"]]})[0] == 409
        assert table_snapshot() == before


def test_list_newest_first_and_get_one(brand_a: Client, brand_b: Client, approved: None) -> None:
    program(brand_a)
    spring = campaign(brand_a)
    booked = []
    for name in ("ana", "ben", "cy"):
        who = creator(brand_a, name)
        order(brand_a, f"ORD-{name}", code(brand_a, spring, who, f"{name.upper()}10"), 10_000)
        booked.append(book(brand_a, {"creator_ids": [who]}))

    status, page = brand_a.call("GET", "/v1/payouts", query={"limit": "2"})
    assert status == 200 and [p["id"] for p in page["items"]] == [booked[2]["id"], booked[1]["id"]]
    assert page["items"][0] == {
        "id": booked[2]["id"],
        "created_at": booked[2]["created_at"],
        "status": "booked",
        "totals": {"USD": 1000},
        "line_count": 1,
        "entry_count": 1,
        "actor": booked[2]["actor"],
    }
    assert booked[2]["actor"]["type"] == "api_key" and booked[2]["actor"]["id"]  # who booked it
    rest = brand_a.call("GET", "/v1/payouts", query={"limit": "2", "cursor": page["next_cursor"]})[1]
    assert [p["id"] for p in rest["items"]] == [booked[0]["id"]] and rest["next_cursor"] is None
    assert brand_a.call("GET", "/v1/payouts", query={"cursor": "garbage"})[0] == 400
    assert brand_a.call("GET", "/v1/payouts", query={"limit": "0"})[0] == 422

    status, one = brand_a.call("GET", f"/v1/payouts/{booked[1]['id']}")
    assert status == 200 and one == booked[1]
    assert one["selection"]["creator_ids"] == [booked[1]["lines"][0]["creator_id"]]
    assert brand_a.call("GET", "/v1/payouts/01ZZZZZZZZZZZZZZZZZZZZZZZZ")[0] == 404
    assert brand_b.call("GET", f"/v1/payouts/{booked[1]['id']}")[0] == 404
    assert brand_b.call("GET", "/v1/payouts")[1] == {"items": [], "next_cursor": None}
    status, _, raw = brand_a.gateway.handle(  # `….csv` is not taken for an id
        "GET", f"/v1/payouts/{booked[1]['id']}.csv", {"authorization": f"Bearer {brand_a.key}"}, b""
    )
    assert status == 200 and raw.startswith(b"payout_id,")


def test_a_payout_records_the_member_who_booked_it(brand_a: Client, approved: None) -> None:
    ids = a_payable_balance(brand_a)
    ada = member_of(brand_a, "ada@brand-a.example", "admin", name="Ada Admin")
    me = ada.call("GET", "/v1/me")[1]["member_id"]
    payout = book(ada, {"campaign_ids": [ids["campaign"]]})
    assert payout["actor"] == {"type": "member", "id": me, "name": "Ada Admin"}
    assert ada.call("GET", f"/v1/payouts/{payout['id']}")[1]["actor"] == payout["actor"]
    assert ada.call("GET", "/v1/payouts")[1]["items"][0]["actor"] == payout["actor"]


def test_selection_and_exclusions(brand_a: Client, approved: None) -> None:
    program(brand_a)
    spring, summer = campaign(brand_a, "Spring"), campaign(brand_a, "Summer")
    maya, leo = creator(brand_a, "maya"), creator(brand_a, "leo")
    order(brand_a, "S-MAYA", code(brand_a, spring, maya, "MAYASPRING"), 10_000)  # 1000
    order(brand_a, "U-MAYA", code(brand_a, summer, maya, "MAYASUMMER"), 20_000)  # 2000
    order(brand_a, "S-LEO", code(brand_a, spring, leo, "LEOSPRING"), 30_000)  # 3000
    order(brand_a, "E-LEO", "LEOSPRING", 40_000, currency="EUR")  # 4000 EUR

    def amounts(result: dict[str, Any]) -> dict[tuple[str, str], int]:
        return {(line["creator_id"], line["currency"]): line["amount"] for line in result["lines"]}

    everything = preview(brand_a)
    assert amounts(everything) == {(maya, "USD"): 3000, (leo, "USD"): 3000, (leo, "EUR"): 4000}
    assert everything["totals"] == {"USD": 6000, "EUR": 4000}
    assert [line["campaign_ids"] for line in everything["lines"] if line["creator_id"] == maya] == [
        sorted([spring, summer])
    ]
    assert amounts(preview(brand_a, creator_ids=maya)) == {(maya, "USD"): 3000}
    assert amounts(preview(brand_a, campaign_ids=summer)) == {(maya, "USD"): 2000}
    assert amounts(preview(brand_a, currency="eur")) == {(leo, "EUR"): 4000}
    assert amounts(preview(brand_a, exclude_campaign_ids=summer, exclude_creator_ids=leo)) == {
        (maya, "USD"): 1000
    }
    assert amounts(preview(brand_a, creator_ids=f"{maya},{leo}", currency="USD")) == {
        (maya, "USD"): 3000,
        (leo, "USD"): 3000,
    }

    bad: dict[str, Any]
    for bad in (
        {"creator_ids": [maya], "exclude_creator_ids": [maya]},
        {"creator_ids": []},
        {"currency": "XYZ"},
        {"campaign": spring},
        {"creator_ids": [str(i) for i in range(101)]},
    ):
        status, body = brand_a.call("POST", "/v1/payouts", bad)
        assert status == 422, (bad, body)
    assert brand_a.call("GET", "/v1/payouts/preview", query={"currency": "XYZ"})[0] == 422
    assert (
        brand_a.call("GET", "/v1/payouts/preview", query={"creator_ids": maya, "exclude_creator_ids": maya})[
            0
        ]
        == 422
    )

    payout = book(brand_a, {"currency": "USD", "exclude_campaign_ids": [summer]})
    assert amounts(payout) == {(maya, "USD"): 1000, (leo, "USD"): 3000}
    assert payout["selection"] == {
        "creator_ids": None,
        "campaign_ids": None,
        "currency": "USD",
        "exclude_creator_ids": None,
        "exclude_campaign_ids": [summer],
    }
    assert amounts(preview(brand_a)) == {(maya, "USD"): 2000, (leo, "EUR"): 4000}  # left for later
    assert amounts(book(brand_a, {})) == {(maya, "USD"): 2000, (leo, "EUR"): 4000}


def test_a_clawback_is_shown_carried_and_netted_in_the_next_payout(brand_a: Client, approved: None) -> None:
    program(brand_a)
    spring, summer = campaign(brand_a, "Spring"), campaign(brand_a, "Summer")
    maya = creator(brand_a)
    in_spring, in_summer = (
        code(brand_a, spring, maya, "MAYASPRING"),
        code(brand_a, summer, maya, "MAYASUMMER"),
    )
    order(brand_a, "ORD-1", in_spring, 10_000)
    first = book(brand_a)
    assert first["totals"] == {"USD": 1000}

    cancel(brand_a, "ORD-1", in_spring, 10_000)  # after the payout: 1000 to claw back
    shown = preview(brand_a)
    assert shown["lines"] == [] and shown["totals"] == {}
    assert shown["carried_forward"] == [
        {
            "creator_id": maya,
            "currency": "USD",
            "campaign_ids": [spring],
            "gross": 0,
            "clawback": -1000,
            "amount": -1000,
            "entries": 1,
            "reason": "clawback",
        }
    ]
    before = table_snapshot()
    assert brand_a.call("POST", "/v1/payouts")[0] == 409  # a negative is never paid out
    assert table_snapshot() == before

    order(brand_a, "ORD-2", in_summer, 6_000)  # 600 in another campaign: still 400 owed
    assert preview(brand_a)["carried_forward"][0] | {"campaign_ids": None} == {
        "creator_id": maya,
        "currency": "USD",
        "campaign_ids": None,
        "gross": 600,
        "clawback": -1000,
        "amount": -400,
        "entries": 2,
        "reason": "clawback",
    }
    assert brand_a.call("POST", "/v1/payouts")[0] == 409

    order(brand_a, "ORD-3", in_summer, 9_000)  # +900: 1500 earned, 1000 owed
    line = {
        "creator_id": maya,
        "currency": "USD",
        "campaign_ids": sorted([spring, summer]),
        "gross": 1500,
        "clawback": -1000,
        "amount": 500,
        "entries": 3,
    }
    assert preview(brand_a) == {"lines": [line], "totals": {"USD": 500}, "carried_forward": []}
    second = book(brand_a)
    assert second["lines"] == [line]
    assert sorted((e["order"], e["amount"], e["payout"]) for e in ledger()) == [
        ("ORD-1", -1000, second["id"]),  # the clawback is consumed by the payout that nets it
        ("ORD-1", 1000, first["id"]),
        ("ORD-2", 600, second["id"]),
        ("ORD-3", 900, second["id"]),
    ]
    assert preview(brand_a) == {"lines": [], "totals": {}, "carried_forward": []}


def test_min_payout_applies_to_the_netted_amount(brand_a: Client, approved: None) -> None:
    program(brand_a)
    spring = campaign(brand_a, min_payout=500)
    maya = creator(brand_a)
    promo = code(brand_a, spring, maya, "MAYA10")
    order(brand_a, "ORD-1", promo, 10_000)
    book(brand_a)
    cancel(brand_a, "ORD-1", promo, 10_000)  # -1000
    order(brand_a, "ORD-2", promo, 14_000)  # +1400: 400 net, under the 500 minimum
    assert preview(brand_a)["carried_forward"] == [
        {
            "creator_id": maya,
            "currency": "USD",
            "campaign_ids": [spring],
            "gross": 1400,
            "clawback": -1000,
            "amount": 400,
            "entries": 2,
            "reason": "below_min_payout",
        }
    ]
    assert brand_a.call("POST", "/v1/payouts")[0] == 409
    order(brand_a, "ORD-3", promo, 1_000)  # +100: 500 net
    assert [(line["gross"], line["clawback"], line["amount"]) for line in book(brand_a)["lines"]] == [
        (1500, -1000, 500)
    ]


def test_a_campaign_under_its_minimum_waits_without_holding_back_the_others(
    brand_a: Client, approved: None
) -> None:
    program(brand_a)
    small, big = campaign(brand_a, "Small"), campaign(brand_a, "Big", min_payout=50_000)
    maya = creator(brand_a)
    order(brand_a, "ORD-S", code(brand_a, small, maya, "MAYASMALL"), 10_000)  # 1000, no minimum
    order(brand_a, "ORD-B", code(brand_a, big, maya, "MAYABIG"), 1_000)  # 100, minimum 50000
    shown = preview(brand_a)
    assert [(line["campaign_ids"], line["amount"]) for line in shown["lines"]] == [([small], 1000)]
    assert [(c["campaign_ids"], c["amount"], c["reason"]) for c in shown["carried_forward"]] == [
        ([big], 100, "below_min_payout")
    ]


@pytest.fixture
def owed(brand_a: Client, approved: None) -> int:
    """Seven creators in two campaigns, four of them with a clawback netted in their line (one
    against two positives each smaller than it); returns the eligible USD total."""
    program(brand_a)
    spring, summer = campaign(brand_a, "Spring"), campaign(brand_a, "Summer")
    for n in range(6):
        who = creator(brand_a, f"c{n}")
        first, second = code(brand_a, spring, who, f"SPRING{n}"), code(brand_a, summer, who, f"SUMMER{n}")
        order(brand_a, f"P{n}", first, 10_000)
        if n % 2:
            book(brand_a, {"creator_ids": [who]})
            cancel(brand_a, f"P{n}", first, 10_000)  # a clawback of 1000
        order(brand_a, f"Q{n}", second, 15_000)
    who = creator(brand_a, "split")  # two positives each smaller than the clawback they net
    first, second = code(brand_a, spring, who, "SPRINGX"), code(brand_a, summer, who, "SUMMERX")
    order(brand_a, "PX", first, 10_000)
    book(brand_a, {"creator_ids": [who]})
    cancel(brand_a, "PX", first, 10_000)
    order(brand_a, "QX", second, 6_000)
    order(brand_a, "RX", first, 6_000)
    eligible = preview(brand_a)["totals"]["USD"]
    assert eligible == 3 * 2500 + 3 * 500 + 200
    return int(eligible)


def _race(brand_id: str) -> tuple[list[Payout], list[Conflict]]:
    """Two `payouts.book` in real threads."""
    results: list[Payout | Conflict] = []

    def run() -> None:
        try:
            results.append(payouts.book(deps().stores, brand_id, PayoutSelection()))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    booked = [r for r in results if isinstance(r, Payout)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) + len(refused) == 2
    return booked, refused


def _paid_in(booked: list[Payout], brand_id: str) -> list[LedgerEntry]:
    """Entries marked paid in these payouts, checked against the payouts' own lines: an entry is
    in one payout (its one `payout_id`) and in that payout's line count."""
    ids = {p.id for p in booked}
    paid = [e for e in deps().stores.ledger.for_brand(brand_id) if e.payout_id in ids]
    for p in booked:
        mine = [e for e in paid if e.payout_id == p.id]
        assert len(mine) == sum(line.entries for line in p.lines)
        assert sum(e.amount for e in mine) == sum(p.totals.values())
    return paid


def test_two_bookings_at_once_pay_each_entry_once(brand_a: Client, owed: int) -> None:
    """Forced interleaving: both bookings read the brand's lock as free before either takes it."""
    both_read = threading.Barrier(2, timeout=10)
    lock_holder = deps().stores.payouts.lock_holder

    def read_then_wait(brand_id: str) -> Any:
        held = lock_holder(brand_id)
        both_read.wait()
        return held

    with mock.patch.object(deps().stores.payouts, "lock_holder", read_then_wait):
        booked, refused = _race(brand_a.brand_id)
    assert len(booked) == 1 and [r.message for r in refused] == [payouts.BUSY]
    assert sum(e.amount for e in _paid_in(booked, brand_a.brand_id)) == owed
    assert all(line.amount > 0 for line in booked[0].lines)
    assert brand_a.call("POST", "/v1/payouts")[0] == 409  # everything eligible is paid
    assert not [i for i in payout_items() if i["entity"]["S"] == "payout_lock"]


def test_a_stale_plan_never_pays_a_negative(brand_a: Client, approved: None) -> None:
    """Defence in depth under the lock: a booking whose plan is stale (an entry it planned was
    taken meanwhile) takes positives first and a negative only while its line stays ≥ 0, so the
    clawback it can no longer net stays owed instead of being paid out as a negative."""
    program(brand_a)
    spring, summer = campaign(brand_a, "Spring"), campaign(brand_a, "Summer")
    maya = creator(brand_a)
    in_spring, in_summer = (
        code(brand_a, spring, maya, "MAYASPRING"),
        code(brand_a, summer, maya, "MAYASUMMER"),
    )
    order(brand_a, "ORD-1", in_spring, 10_000)
    book(brand_a)
    cancel(brand_a, "ORD-1", in_spring, 10_000)  # -1000
    order(brand_a, "ORD-2", in_summer, 6_000)  # +600
    order(brand_a, "ORD-3", in_spring, 6_000)  # +600: 200 net
    assert preview(brand_a)["totals"] == {"USD": 200}
    plan = payouts._plan

    def plan_then_lose_one(*args: Any) -> Any:
        planned = plan(*args)
        (taken,) = [e for e in deps().stores.ledger.for_brand(brand_a.brand_id) if e.order_id == "ORD-2"]
        assert deps().stores.ledger.mark_paid(brand_a.brand_id, taken, "another-payout")
        return planned

    with mock.patch.object(payouts, "_plan", plan_then_lose_one):
        payout = book(brand_a)
    assert [
        (line["gross"], line["clawback"], line["amount"], line["entries"]) for line in payout["lines"]
    ] == [(600, 0, 600, 1)]
    assert [(c["amount"], c["reason"]) for c in preview(brand_a)["carried_forward"]] == [(-1000, "clawback")]


def test_a_second_booking_meanwhile_is_refused(brand_a: Client, approved: None) -> None:
    a_payable_balance(brand_a)
    mark_paid = deps().stores.ledger.mark_paid
    refused: list[str] = []

    def meanwhile(*args: Any) -> bool:
        """Another booking starts while this one marks its entries (in-process: the local gateway
        runs one request per function at a time)."""
        with pytest.raises(Conflict) as exc:
            payouts.book(deps().stores, brand_a.brand_id)
        refused.append(exc.value.message)
        return mark_paid(*args)

    with mock.patch.object(deps().stores.ledger, "mark_paid", meanwhile):
        payout = book(brand_a)
    assert payout["totals"] == {"USD": 1000} and refused == [payouts.BUSY]


def test_a_booking_cut_short_is_finished_by_the_next(brand_a: Client, approved: None) -> None:
    program(brand_a)
    spring = campaign(brand_a)
    for name in ("ana", "ben"):
        who = creator(brand_a, name)
        order(brand_a, f"ORD-{name}", code(brand_a, spring, who, f"{name.upper()}10"), 10_000)
    mark_paid = deps().stores.ledger.mark_paid
    calls = {"n": 0}

    def dies_after_one(*args: Any) -> bool:
        calls["n"] += 1
        if calls["n"] > 1:
            raise TimeoutError("the function timed out")
        return mark_paid(*args)

    # A timeout kills the function: nothing after the first mark runs, the lock is not released.
    with (
        mock.patch.object(deps().stores.ledger, "mark_paid", dies_after_one),
        mock.patch.object(deps().stores.payouts, "unlock", lambda *args: None),
        pytest.raises(TimeoutError),
    ):
        payouts.book(deps().stores, brand_a.brand_id)
    (cut,) = brand_a.call("GET", "/v1/payouts")[1]["items"]
    assert cut["status"] == "booking"
    assert brand_a.call("GET", f"/v1/payouts/{cut['id']}.csv")[0] == 409
    assert brand_a.call("POST", "/v1/payouts")[0] == 409  # its lease is still running

    with clock_at(APPROVED + payouts.LOCK_LEASE + timedelta(seconds=1)):
        nxt = book(brand_a)
    finished = brand_a.call("GET", f"/v1/payouts/{cut['id']}")[1]
    assert finished["status"] == "booked" and finished["totals"] == {"USD": 1000}
    assert nxt["totals"] == {"USD": 1000}
    assert {e["payout"] for e in ledger()} == {cut["id"], nxt["id"]}
    csv_status, _, _ = brand_a.gateway.handle(
        "GET", f"/v1/payouts/{cut['id']}.csv", {"authorization": f"Bearer {brand_a.key}"}, b""
    )
    assert csv_status == 200


def test_a_payout_holds_at_most_max_entries(brand_a: Client, approved: None) -> None:
    program(brand_a)
    spring = campaign(brand_a)
    for name in ("ana", "ben", "cy"):
        who = creator(brand_a, name)
        order(brand_a, f"ORD-{name}", code(brand_a, spring, who, f"{name.upper()}10"), 10_000)
    with mock.patch.object(payouts, "MAX_ENTRIES", 2):
        first, second = book(brand_a), book(brand_a)
    assert (len(first["lines"]), first["lines_left"]) == (2, 1)
    assert (len(second["lines"]), second["lines_left"]) == (1, 0)
