"""Refunds in each store's terms, bounds on configured money, and when orders stop earning."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from roster.conversions import order_parsers
from roster.conversions.commissions import refunded_items, target
from roster.models.campaigns import Campaign, CampaignCreate
from roster.models.commissions import CommissionPlan, CommissionSettings
from roster.models.orders import LineItem, OrderEvent
from roster.models.promo_codes import PromoCode
from roster.models.webhooks import Provider
from roster.program import campaigns
from tests.conftest import load_json

TEN_PERCENT = CommissionPlan(percent_bps=1000)


def net(events: list[OrderEvent], plan: CommissionPlan = TEN_PERCENT) -> int:
    goal = target(events, plan)
    assert goal is not None
    return goal.net


# -- Store payloads: a charge of 10,800 = 10,000 of items + 800 of tax and shipping ------------------


def shopify_order() -> dict[str, Any]:
    order: dict[str, Any] = load_json("shopify_order_create.json")
    order["line_items"] = [
        order["line_items"][0] | {"quantity": 1, "price": "100.00", "discount_allocations": []}
    ]
    return order | {"current_subtotal_price": "100.00", "current_total_price": "108.00", "total_tax": "3.00"}


def shopify_refund(subtotal: str, tax: str = "0.00") -> dict[str, Any]:
    refund: dict[str, Any] = load_json("shopify_refund_create.json")
    (line,) = refund["refund_line_items"]
    money = {"shop_money": {"amount": subtotal, "currency_code": "USD"}}
    refund["refund_line_items"] = [line | {"subtotal": subtotal, "total_tax": tax, "subtotal_set": money}]
    return refund


def stripe_session() -> dict[str, Any]:
    event: dict[str, Any] = load_json("stripe_checkout_session_completed.json")
    event["data"]["object"] |= {
        "amount_subtotal": 10_000,
        "amount_total": 10_800,
        "total_details": {"amount_discount": 0, "amount_shipping": 500, "amount_tax": 300},
    }
    return event


def stripe_refund(*amounts: int, currency: str = "eur") -> dict[str, Any]:
    event: dict[str, Any] = load_json("stripe_charge_refunded.json")
    charge = event["data"]["object"]
    charge |= {"amount": 10_800, "amount_refunded": sum(amounts)}
    charge["refunds"]["data"] = [
        charge["refunds"]["data"][0] | {"id": f"re_{i}", "amount": a, "currency": currency}
        for i, a in enumerate(amounts)
    ]
    return event


def woo_order(*refunds: str) -> dict[str, Any]:
    order: dict[str, Any] = load_json("woocommerce_order_updated.json")
    order["line_items"] = [order["line_items"][0] | {"quantity": 1, "subtotal": "100.00", "total": "100.00"}]
    order |= {"total": "108.00", "shipping_total": "5.00", "total_tax": "3.00"}
    order["refunds"] = [{"id": 900 + i, "reason": "", "total": t} for i, t in enumerate(refunds)]
    return order


def test_half_refunds_from_each_store_reverse_exactly_half_the_commission() -> None:
    shopify = order_parsers.parse(Provider.SHOPIFY, "orders/create", shopify_order())
    shopify += order_parsers.parse(Provider.SHOPIFY, "refunds/create", shopify_refund("50.00", tax="1.50"))
    stripe = order_parsers.parse(Provider.STRIPE, "", stripe_session())
    stripe += order_parsers.parse(Provider.STRIPE, "", stripe_refund(5_400))
    woo = order_parsers.parse(Provider.WOOCOMMERCE, "order.updated", woo_order("-54.00"))
    for events in (shopify, stripe, woo):
        assert net(events[:1]) == 1000
        assert net(events) == 500, events[0].provider
    assert [e.refund_basis for e in (shopify[1], stripe[1], woo[1])] == ["items", "gross", "gross"]


def test_full_and_repeated_refunds() -> None:
    shopify = order_parsers.parse(Provider.SHOPIFY, "orders/create", shopify_order())
    full = order_parsers.parse(Provider.SHOPIFY, "refunds/create", shopify_refund("100.00", tax="3.00"))
    assert net(shopify + full) == 0
    stripe = order_parsers.parse(Provider.STRIPE, "", stripe_session())
    assert net(stripe + order_parsers.parse(Provider.STRIPE, "", stripe_refund(10_800))) == 0
    assert net(stripe + order_parsers.parse(Provider.STRIPE, "", stripe_refund(2_700, 2_700))) == 500
    assert net(order_parsers.parse(Provider.WOOCOMMERCE, "order.updated", woo_order("-54.00", "-54.00"))) == 0
    # The same charge delivered again later, with one more refund: refunds dedupe on their ids.
    later = order_parsers.parse(Provider.STRIPE, "", stripe_refund(2_700, 2_700, 5_400))
    assert net(stripe + later) == 0


def test_stripe_charge_without_its_refund_list_is_a_running_total() -> None:
    stripe = order_parsers.parse(Provider.STRIPE, "", stripe_session())
    deliveries = []
    for refunded in (2_700, 5_400):
        event = stripe_refund(refunded)
        del event["data"]["object"]["refunds"]  # API versions from 2022-11-15 leave it out
        deliveries += order_parsers.parse(Provider.STRIPE, "", event)
    assert all(e.cumulative for e in deliveries)
    assert net(stripe + deliveries) == 500  # 5,400 in all, not 8,100


def test_shipping_only_and_tax_only_refunds_reverse_nothing() -> None:
    order = order_parsers.parse(Provider.SHOPIFY, "orders/create", shopify_order())
    (shipping,) = order_parsers.parse(
        Provider.SHOPIFY, "refunds/create", load_json("shopify_refund_shipping.json")
    )
    assert (shipping.refund_amount, shipping.currency, shipping.refund_lines) == (0, "USD", [])
    (tax,) = order_parsers.parse(Provider.SHOPIFY, "refunds/create", shopify_refund("0.00", tax="3.00"))
    assert tax.refund_amount == 0
    assert net(order + [shipping, tax]) == 1000
    # Refunded shipping as API 2024-10 sends it: refund_shipping_lines, no order adjustment.
    newer = load_json("shopify_refund_shipping.json")
    newer["refund_shipping_lines"] = [
        {"id": 1, "subtotal_amount_set": {"shop_money": {"amount": "5.00", "currency_code": "USD"}}}
    ]
    del newer["order_adjustments"], newer["transactions"]
    (event,) = order_parsers.parse(Provider.SHOPIFY, "refunds/create", newer)
    assert (event.refund_amount, event.currency) == (0, "USD")


def test_refunds_in_another_currency_are_refused_or_reverse_nothing() -> None:
    with pytest.raises(order_parsers.UnknownShape, match="refund re_0 is in USD but its order in EUR"):
        order_parsers.parse(Provider.STRIPE, "", stripe_refund(5_400, currency="usd"))
    generic = load_json("orders_generic_created.json") | {"type": "order.refunded"}
    generic["refund"] = {"id": "rf1", "amount": 100, "created_at": "2027-01-11T12:00:00Z", "currency": "EUR"}
    with pytest.raises(order_parsers.UnknownShape, match="rf1 is in EUR but its order in USD"):
        order_parsers.parse(Provider.ORDERS, "order.refunded", generic)
    refund = shopify_refund("50.00")
    refund["refund_line_items"].append(
        copy.deepcopy(refund["refund_line_items"][0])
        | {"subtotal_set": {"shop_money": {"currency_code": "CAD"}}}
    )
    with pytest.raises(order_parsers.UnknownShape, match=r"several currencies \(CAD, USD\)"):
        order_parsers.parse(Provider.SHOPIFY, "refunds/create", refund)
    # A refund stored in another currency than the order's (nothing in one payload showed it).
    order = order_parsers.parse(Provider.SHOPIFY, "orders/create", shopify_order())
    (cad,) = order_parsers.parse(Provider.SHOPIFY, "refunds/create", shopify_refund("50.00"))
    assert net(order + [cad.model_copy(update={"currency": "CAD"})]) == 1000


def test_refunded_lines_reverse_at_their_own_rate() -> None:
    order = order_parsers.parse(Provider.SHOPIFY, "orders/create", load_json("shopify_order_create.json"))
    plan = CommissionPlan(percent_bps=500, sku_rates_bps={"TRAIL-9": 2000})
    # TRAIL-9: 2 x 199 - 20 = 378.00 at 20 % = 7,560; SOCK-M 20.00 at 5 % = 100.
    assert net(order, plan) == 7660
    # The refund names the TRAIL-9 line (189.00 of its 378.00): half of its 7,560 goes back.
    (refund,) = order_parsers.parse(
        Provider.SHOPIFY, "refunds/create", load_json("shopify_refund_create.json")
    )
    assert refund.refund_lines[0].line_id == "866550311766439020"
    assert net([*order, refund], plan) == 7660 - 3780
    # Without line data the same amount is a share of the subtotal: 18,900 / 39,800 of 7,660.
    assert net([*order, refund.model_copy(update={"refund_lines": []})], plan) == 7660 - 3638
    socks = refund.model_copy(
        update={"refund_lines": [LineItem(sku="SOCK-M", quantity=1, amount=2000)], "refund_amount": 2000}
    )
    assert net([*order, socks], plan) == 7660 - 100


def test_gross_refund_share_of_an_order_with_shipping() -> None:
    """WooCommerce's fixture: items 45.00, total 48.95, refund 12.50 → 12.50/48.95 of the items."""
    events = order_parsers.parse(
        Provider.WOOCOMMERCE, "order.updated", load_json("woocommerce_order_updated.json")
    )
    order, refund = events
    assert (order.subtotal, order.total, refund.refund_amount) == (4500, 4895, 1250)
    assert refunded_items(order, events) * 4895 == 1250 * 4500
    assert net(events) == 450 - 115  # 450 x 1250 / 4895 = 114.9, reversed rounding up


# -- Stripe promotion codes --------------------------------------------------------------------------


def test_stripe_promotion_codes_are_read_from_sessions_and_invoices() -> None:
    session = stripe_session()
    obj = session["data"]["object"]
    obj["metadata"] = {}
    obj["discounts"] = [{"coupon": None, "promotion_code": "promo_1QxA2bMaya10"}]
    (order,) = order_parsers.parse(Provider.STRIPE, "", session)
    assert (order.discount_codes, order.promotion_ids) == ([], ["promo_1QxA2bMaya10"])
    # Expanded (e.g. an event fetched with expand[]): the code text is read too.
    obj["discounts"] = [
        {"promotion_code": {"id": "promo_1QxA2bMaya10", "object": "promotion_code", "code": "MAYA10"}}
    ]
    obj["metadata"] = {"promo_code": "LEO15"}
    (order,) = order_parsers.parse(Provider.STRIPE, "", session)
    assert (order.discount_codes, order.promotion_ids) == (["LEO15", "MAYA10"], ["promo_1QxA2bMaya10"])

    (invoice,) = order_parsers.parse(Provider.STRIPE, "", load_json("stripe_invoice_paid.json"))
    assert invoice.promotion_ids == ["promo_1QxC4dMaya10"]  # from `discount`; `discounts` are di_ ids
    assert (invoice.subtotal, invoice.total, invoice.order_id) == (10_000, 10_800, "pi_3QxC4dE5f6G7h8I9")


# -- Bounds on configured money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "plan, where",
    [
        ({"sku_rates_bps": {"TRAIL-9": 1_000_000}}, ("sku_rates_bps", "TRAIL-9")),
        ({"category_rates_bps": {"shoes": -5}}, ("category_rates_bps", "shoes")),
        ({"percent_bps": 10_001}, ("percent_bps",)),
        ({"tiers": [{"percent_bps": 20_000}]}, ("tiers", 0, "percent_bps")),
        ({"cpa": -1}, ("cpa",)),
        ({"cpa": 10**12 + 1}, ("cpa",)),
        ({"new_customer_bonus": 10**15}, ("new_customer_bonus",)),
        ({"cap_per_creator": -100}, ("cap_per_creator",)),
        ({"min_payout": 10**13}, ("min_payout",)),
        ({"tiers": [{"percent_bps": 100, "min_revenue": -1}]}, ("tiers", 0, "min_revenue")),
    ],
)
def test_commission_plans_are_bounded(plan: dict[str, Any], where: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as exc:
        CommissionPlan.model_validate(plan)
    assert [e["loc"] for e in exc.value.errors()] == [where]


def test_rates_and_amounts_at_their_bounds_are_fine() -> None:
    plan = CommissionPlan(percent_bps=10_000, sku_rates_bps={"A": 0, "B": 10_000}, cpa=10**12)
    assert plan.sku_rates_bps == {"A": 0, "B": 10_000}
    with pytest.raises(ValidationError, match="less than or equal to 365"):
        CommissionSettings.model_validate({"accept_orders_days_after_end": 366})
    assert CommissionSettings().accept_orders_days_after_end == 0


@pytest.mark.parametrize("currency", ["XYZ", "ABC", "XXX", "XAU", "HRK"])
def test_currencies_are_iso_4217(currency: str) -> None:
    base = {"name": "x", "objective": "trial", "start_date": "2027-01-01", "end_date": "2027-01-31"}
    with pytest.raises(ValidationError, match="not an ISO 4217 currency code"):
        CampaignCreate.model_validate(base | {"budget": {"amount": 1, "currency": currency}})
    assert CampaignCreate.model_validate(base | {"budget": {"amount": 1, "currency": "jpy"}}).budget


# -- End of earning ----------------------------------------------------------------------------------


def campaign(**extra: Any) -> Campaign:
    return Campaign.model_validate(
        {
            "id": "c1",
            "name": "Spring",
            "objective": "conversions",
            "start_date": "2027-01-01",
            "end_date": "2027-03-31",
            "status": "active",
            "created_at": "2026-12-01T00:00:00Z",
            "updated_at": "2026-12-01T00:00:00Z",
            "version": 1,
        }
        | extra
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_campaigns_earn_until_their_end_date_plus_grace() -> None:
    assert campaigns.not_earning(campaign(), at("2027-03-31T23:59:59")) is None
    assert campaigns.not_earning(campaign(), at("2027-04-01T00:00:00")) == (
        "ordered after the campaign ended on 2027-03-31"
    )
    graced = campaign(commission={"accept_orders_days_after_end": 3})
    assert campaigns.not_earning(graced, at("2027-04-03T23:59:59")) is None
    assert campaigns.not_earning(graced, at("2027-04-04T00:00:00")) == (
        "ordered after the campaign ended on 2027-03-31 and its 3-day grace"
    )


def test_completion_and_cancellation_end_earning_at_their_moment() -> None:
    completed = campaign(status="completed", completed_at="2027-02-10T12:00:00Z")
    assert campaigns.not_earning(completed, at("2027-02-10T11:59:59")) is None
    assert campaigns.not_earning(completed, at("2027-02-10T12:00:00")) == (
        "ordered after the campaign was completed at 2027-02-10T12:00:00Z"
    )
    cancelled = campaign(
        status="cancelled",
        cancelled_at="2027-02-10T12:00:00Z",
        commission={"accept_orders_days_after_end": 30},
    )
    assert campaigns.not_earning(cancelled, at("2027-02-10T11:59:59")) is None
    assert campaigns.not_earning(cancelled, at("2027-02-10T12:00:01")) == (
        "ordered after the campaign was cancelled at 2027-02-10T12:00:00Z"  # no grace after a cancellation
    )
    # Cancelled before the time was recorded: it cannot have changed since, its last update is when.
    legacy = campaign(status="cancelled", updated_at="2027-02-01T00:00:00Z")
    assert campaigns.not_earning(legacy, at("2027-02-02T00:00:00")) is not None


def test_retired_periods_of_a_promo_code() -> None:
    promo = PromoCode(
        code="MAYA10",
        campaign_id="c1",
        creator_id="k1",
        created_at="2027-01-01T00:00:00Z",
        retired_at="2027-03-01T00:00:00Z",
        status="retired",
        retired_periods=[{"start": "2027-01-10T00:00:00Z", "end": "2027-01-20T00:00:00Z"}],
    )
    assert promo.retired_when(at("2027-01-09T23:59:59")) is None
    assert promo.retired_when(at("2027-01-15T00:00:00")) == "2027-01-10T00:00:00Z"
    assert promo.retired_when(at("2027-01-20T00:00:00")) is None
    assert promo.retired_when(at("2027-03-01T00:00:00")) == "2027-03-01T00:00:00Z"
