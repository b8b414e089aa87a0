"""Payouts: approved commission balances, booked in batches. Roster records who is owed what and
marks the entries paid; moving the money (bank, PayPal, Tipalti, ...) is out of scope."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from roster import clock, ids
from roster.errors import NotFound
from roster.models.ledger import LedgerEntry
from roster.models.payouts import Payout, PayoutLine, PayoutPreview
from roster.money import exponent
from roster.store.registry import Stores

Group = tuple[str, str, str]  # creator, campaign, currency


def _approved(stores: Stores, brand_id: str) -> dict[Group, list[LedgerEntry]]:
    now = clock.now_iso()
    groups: dict[Group, list[LedgerEntry]] = defaultdict(list)
    for entry in stores.ledger.for_brand(brand_id):
        if entry.status(now) == "approved":
            groups[(entry.creator_id, entry.campaign_id, entry.currency)].append(entry)
    return groups


def _eligible(stores: Stores, brand_id: str) -> dict[Group, list[LedgerEntry]]:
    minimums: dict[tuple[str, str], int] = {}
    out = {}
    for (creator_id, campaign_id, currency), entries in sorted(_approved(stores, brand_id).items()):
        if (campaign_id, creator_id) not in minimums:
            try:
                plan = stores.campaigns.get(brand_id, campaign_id).commission.for_creator(creator_id)
                minimums[(campaign_id, creator_id)] = plan.min_payout
            except NotFound:
                minimums[(campaign_id, creator_id)] = 0
        total = sum(e.amount for e in entries)
        if total > 0 and total >= minimums[(campaign_id, creator_id)]:
            out[(creator_id, campaign_id, currency)] = entries
    return out


def _totals(lines: list[PayoutLine]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.currency] += line.amount
    return dict(totals)


def preview(stores: Stores, brand_id: str) -> PayoutPreview:
    lines = [
        PayoutLine(
            creator_id=k[0], campaign_id=k[1], currency=k[2], amount=sum(e.amount for e in v), entries=len(v)
        )
        for k, v in _eligible(stores, brand_id).items()
    ]
    return PayoutPreview(lines=lines, totals=_totals(lines))


def book(stores: Stores, brand_id: str) -> Payout:
    """Marks every eligible entry paid in a new payout. An entry another payout took first is left
    out, so nothing is ever paid twice."""
    payout_id = ids.new_id()
    lines = []
    for (creator_id, campaign_id, currency), entries in _eligible(stores, brand_id).items():
        taken = [e for e in entries if stores.ledger.mark_paid(brand_id, e, payout_id)]
        if taken:
            lines.append(
                PayoutLine(
                    creator_id=creator_id,
                    campaign_id=campaign_id,
                    currency=currency,
                    amount=sum(e.amount for e in taken),
                    entries=len(taken),
                )
            )
    payout = Payout(id=payout_id, created_at=clock.now_iso(), lines=lines, totals=_totals(lines))
    stores.payouts.put(brand_id, payout)
    return payout


def csv_export(stores: Stores, brand_id: str, payout_id: str) -> str:
    payout = stores.payouts.get(brand_id, payout_id)
    if payout is None:
        raise NotFound("payout not found")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "payout_id",
            "creator_id",
            "creator_name",
            "creator_email",
            "campaign_id",
            "currency",
            "amount",
            "amount_minor",
            "entries",
        ]
    )
    for line in payout.lines:
        try:
            creator = stores.creators.get(brand_id, line.creator_id)
            name, email = creator.name, creator.email
        except NotFound:
            name, email = "", ""
        digits = exponent(line.currency)
        amount = f"{line.amount / 10**digits:.{digits}f}" if digits else str(line.amount)
        writer.writerow(
            [
                payout.id,
                line.creator_id,
                _safe(name),
                email,
                line.campaign_id,
                line.currency,
                amount,
                line.amount,
                line.entries,
            ]
        )
    return out.getvalue()


def _safe(cell: str) -> str:
    """Neutralises spreadsheet formulas in text cells (CSV injection)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell
