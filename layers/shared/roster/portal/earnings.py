"""What a creator has earned with a brand, as the creator pages show it: totals per currency
(pending, approved, paid), and months of order lines, newest first.

Read from the creator's ledger entries. An order's commission and its later adjustments and
reversals share the order's hold (it is dated by the order), so everything unpaid of one order has
one status and nets into one line; what was already paid stays its own line, and a reversal booked
after it shows as a negative line (a clawback, netted in the creator's next payout). An order is
named only by the last characters of its id ("#…1234"): never a customer's email or the full id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from roster import clock
from roster.models.ledger import LedgerEntry
from roster.money import exponent
from roster.portal.page import esc

if TYPE_CHECKING:
    from roster.store.registry import Stores

STATUSES = ("pending", "approved", "paid")
STATUS_WORDS = {
    "pending": "Pending (in the return window)",
    "approved": "Approved (in the next payout)",
    "paid": "Paid",
}


@dataclass(frozen=True)
class Money3:
    """One currency's amounts by status, minor units."""

    currency: str
    pending: int
    approved: int
    paid: int


@dataclass(frozen=True)
class Line:
    date: str  # YYYY-MM-DD the order was placed (a fee: when it was booked)
    campaign_id: str
    kind: str  # "commission", "reversal" (net zero or negative: refunded or clawed back), "fixed_fee"
    order_ref: str  # "#…1234"; "" for a fixed fee
    amount: int  # minor units, signed
    currency: str
    status: str  # pending | approved | paid


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    totals: list[Money3]
    lines: list[Line]


@dataclass(frozen=True)
class Earnings:
    totals: list[Money3]
    months: list[Month]


def order_ref(order_id: str) -> str:
    """The last four characters of an order's id, or less when it is short: enough for a creator
    to tell orders apart, nothing that identifies the customer (an id that looks like an email
    address shows nothing of it)."""
    if "@" in order_id:
        return "#…"
    tail = order_id[-4:] if len(order_id) > 4 else order_id[-2:]
    return f"#…{tail}"


def for_creator(
    stores: Stores,
    brand_id: str,
    creator_id: str,
    *,
    campaign_id: str | None = None,
    now_iso: str | None = None,
) -> Earnings:
    """The creator's earnings with the brand (only this campaign's, with `campaign_id`)."""
    now = now_iso or clock.now_iso()
    entries = [
        e
        for e in stores.ledger.for_creator(brand_id, creator_id)
        if e.creator_id == creator_id and (campaign_id is None or e.campaign_id == campaign_id)
    ]
    return summarize(entries, now)


def summarize(entries: list[LedgerEntry], now_iso: str) -> Earnings:
    """Lines (one per order and status), grouped by month, and the totals of every level."""
    groups: dict[tuple[str, str, str, str], list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        groups[(e.provider, e.order_id, e.currency, e.status(now_iso))].append(e)
    lines: list[tuple[str, Line]] = []
    for (_, order_id, currency, status), part in groups.items():
        first = min(part, key=lambda e: e.seq)
        amount = sum(e.amount for e in part)
        if first.kind == "fixed_fee":
            kind, ref = "fixed_fee", ""
        else:
            reversed_ = any(e.kind == "reversal" for e in part)
            kind, ref = ("reversal" if amount <= 0 and reversed_ else "commission"), order_ref(order_id)
        line = Line(
            date=first.occurred_at[:10],
            campaign_id=first.campaign_id,
            kind=kind,
            order_ref=ref,
            amount=amount,
            currency=currency,
            status=status,
        )
        lines.append((f"{first.occurred_at}#{first.entry_id}#{status}", line))
    lines.sort(key=lambda pair: pair[0], reverse=True)
    by_month: dict[str, list[Line]] = defaultdict(list)
    for _, line in lines:
        by_month[line.date[:7]].append(line)
    months = [Month(month=m, totals=totals(ls), lines=ls) for m, ls in sorted(by_month.items(), reverse=True)]
    return Earnings(totals=totals([line for _, line in lines]), months=months)


def totals(lines: list[Line]) -> list[Money3]:
    """Pending, approved and paid per currency, currencies in alphabetical order."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for line in lines:
        sums[line.currency][line.status] += line.amount
    return [
        Money3(currency=c, pending=s["pending"], approved=s["approved"], paid=s["paid"])
        for c, s in sorted(sums.items())
    ]


def number_text(amount: int, currency: str) -> str:
    """39800 USD → "398.00"; -1500 JPY → "-1,500" (exact: no floats)."""
    digits = exponent(currency)
    return f"{Decimal(amount).scaleb(-digits):,.{digits}f}"


def amount_text(amount: int, currency: str) -> str:
    """39800 USD → "USD 398.00"."""
    return f"{currency} {number_text(amount, currency)}"


def render_totals(money: list[Money3], *, explain: bool = True) -> str:
    """A small table: one row per currency (its code heads the row, the cells are numbers, so four
    columns fit a phone), pending / approved / paid (`explain`: a caption says what each means).
    Its wrapper scrolls sideways if a huge amount does not fit, and is focusable so a keyboard can."""
    if not money:
        return '<p class="muted">Nothing earned yet.</p>'
    head = (
        '<tr><th scope="col">Currency</th><th scope="col" class="num">Pending</th>'
        '<th scope="col" class="num">Approved</th><th scope="col" class="num">Paid</th></tr>'
    )
    rows = "".join(
        f'<tr><th scope="row">{esc(m.currency)}</th>'
        + "".join(
            f'<td class="num">{esc(number_text(v, m.currency))}</td>' for v in (m.pending, m.approved, m.paid)
        )
        + "</tr>"
        for m in money
    )
    caption = (
        '<caption class="muted">Pending: inside the return window. Approved: paid in the next payout. '
        "Paid: in a payout already.</caption>"
        if explain
        else ""
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="group" aria-label="Earnings totals">'
        f'<table class="earnings">{caption}'
        f"<thead>{head}</thead><tbody>{rows}</tbody></table></div>"
    )
