"""Spend against a campaign's budget, and the alerts at 80 % and 100 % of it.

Spend is everything the ledger holds for the campaign: fixed fees and commissions (net of their
adjustments and reversals), pending, approved or paid alike, per currency. The budget applies to
its own currency; other currencies are shown without one (no conversion).

The alerts are checked off the hot path: the click aggregator also receives the stream's ledger
inserts and, once per campaign per batch, recomputes the campaign's spend from its ledger and
raises what is due. Alerts are raised once (their id is derived from campaign, threshold and
budget), so the stream's at-least-once delivery raises nothing twice; a changed budget re-arms
them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from roster.models.common import Money
from roster.models.ledger import LedgerEntry
from roster.models.posts import Alert, AlertKind
from roster.models.reports import Spend
from roster.money import exponent
from roster.observability import logger
from roster.program import alerts
from roster.store.ledger_stream import inserted_entries

if TYPE_CHECKING:
    from roster.deps import Deps

FIXED_FEE_KINDS = frozenset({"fixed_fee"})
COMMISSION_KINDS = frozenset({"commission", "adjustment", "reversal"})
SPEND_KINDS = FIXED_FEE_KINDS | COMMISSION_KINDS
THRESHOLDS: tuple[tuple[int, AlertKind], ...] = ((80, "budget_80"), (100, "budget_100"))


def spend(
    entries: Iterable[LedgerEntry], limit: Money | None, *, currencies: Iterable[str] = ()
) -> dict[str, Spend]:
    """Per currency: every currency of the entries, those asked for, and the budget's."""
    fees: dict[str, int] = defaultdict(int)
    earned: dict[str, int] = defaultdict(int)
    for e in entries:
        if e.kind in FIXED_FEE_KINDS:
            fees[e.currency] += e.amount
        elif e.kind in COMMISSION_KINDS:
            earned[e.currency] += e.amount
    wanted = set(fees) | set(earned) | set(currencies) | ({limit.currency} if limit else set())
    out = {}
    for currency in sorted(wanted):
        total = fees[currency] + earned[currency]
        amount = limit.amount if limit and limit.currency == currency else None
        out[currency] = Spend(
            fixed_fees=fees[currency],
            commissions=earned[currency],
            total=total,
            budget=amount,
            remaining=None if amount is None else amount - total,
            percent_used=round(100 * total / amount, 2) if amount else None,
        )
    return out


def reached(total: int, amount: int, percent: int) -> bool:
    """Integer arithmetic: 80 % of 10,000 is reached at 8,000 exactly. Nothing spent reaches nothing,
    even against a budget of 0."""
    return total > 0 and total * 100 >= amount * percent


def _format(amount: int, currency: str) -> str:
    digits = exponent(currency)
    return f"{currency} {Decimal(amount).scaleb(-digits):,.{digits}f}"


def check(
    deps: Deps,
    brand_id: str,
    campaign_id: str,
    arrived: Iterable[LedgerEntry] = (),
) -> list[Alert]:
    """Raises the budget alerts the campaign's spend has reached and that were not raised yet.
    `arrived` are entries just seen on the stream: the campaign index (GSI2) may not show them yet."""
    campaign = deps.stores.campaigns.get(brand_id, campaign_id)
    if campaign is None:
        return []
    limit = campaign.budget
    if limit is None:
        return []
    entries = {e.entry_id: e for e in deps.stores.ledger.for_campaign(brand_id, campaign_id)}
    entries |= {e.entry_id: e for e in arrived}
    mine = sorted(
        (e for e in entries.values() if e.currency == limit.currency),
        key=lambda e: (e.created_at, e.entry_id),
    )
    total = spend(mine, limit)[limit.currency].total
    raised = []
    for percent, kind in THRESHOLDS:
        if not reached(total, limit.amount, percent):
            continue
        alert = alerts.raise_alert(
            deps,
            brand_id,
            campaign_id,
            _crossed_by(mine, limit.amount, percent),
            kind,
            f"{percent}% of the budget reached: {_format(total, limit.currency)} spent of "
            f"{_format(limit.amount, limit.currency)} (fixed fees and commissions, every status)",
            post_id=None,
            key=f"budget:{percent}:{limit.currency}:{limit.amount}",
        )
        if alert:
            raised.append(alert)
    return raised


def _crossed_by(entries: list[LedgerEntry], amount: int, percent: int) -> str:
    """The creator whose entry first took spend to the threshold (in booking order): an alert names
    a creator, and this is the one the brand will ask about."""
    total = 0
    for e in entries:
        total += e.amount if e.kind in SPEND_KINDS else 0
        if reached(total, amount, percent):
            return e.creator_id
    return entries[-1].creator_id


def process(deps: Deps, event: dict[str, Any]) -> dict[str, Any]:
    """One stream batch: each campaign with new ledger entries is checked once. If a check fails,
    the whole batch is reported failed (from its first record) so Lambda delivers it again; the
    caller counts clicks only after this succeeded, so a retried batch counts each visit once."""
    arrived: dict[tuple[str, str], list[LedgerEntry]] = defaultdict(list)
    for brand_id, entry in inserted_entries(event):
        arrived[(brand_id, entry.campaign_id)].append(entry)
    failed = False
    for (brand_id, campaign_id), entries in arrived.items():
        try:
            check(deps, brand_id, campaign_id, entries)
        except Exception:  # reported to Lambda for a retry of the batch, never swallowed
            logger.exception("budget check failed", extra={"brand_id": brand_id, "campaign_id": campaign_id})
            failed = True
    if not failed:
        return {"batchItemFailures": []}
    first = str(event["Records"][0]["dynamodb"]["SequenceNumber"])
    return {"batchItemFailures": [{"itemIdentifier": first}]}
