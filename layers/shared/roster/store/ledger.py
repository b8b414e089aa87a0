"""Ledger entries per order, indexed by creator and campaign, and each order's state item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from roster.models.ledger import LedgerEntry
from roster.store import keys
from roster.store.table import Query, Table, TransactionConflict


@dataclass(frozen=True)
class OrderState:
    """What one order's state item says: how many of its events are stored, how many ledger
    entries it has and their sum. A booker reads it, then the events, and appends only if it is
    still exactly this (see LedgerStore.append)."""

    events: int = 0
    seq: int = 0
    booked: int = 0
    currency: str | None = None
    occurred_at: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any] | None) -> OrderState:
        if not item:
            return cls()
        return cls(
            events=int(item.get("events", 0)),
            seq=int(item.get("seq", 0)),
            booked=int(item.get("booked", 0)),
            currency=item.get("currency"),
            occurred_at=item.get("occurred_at"),
        )


class LedgerStore:
    """Entries per order under the brand, indexed by creator (GSI1) and campaign (GSI2)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def for_order(self, brand_id: str, provider: str, order_id: str) -> list[LedgerEntry]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.ledger_sk(provider, order_id, None),
            consistent=True,  # the next sequence number depends on every entry
        )
        return [LedgerEntry.model_validate(i) for i in self.table.query_all(q)]

    def state(self, brand_id: str, provider: str, order_id: str) -> OrderState:
        """The order's state, strongly consistent (the condition of the next append)."""
        return OrderState.from_item(
            self.table.get(keys.brand_pk(brand_id), keys.order_state_sk(provider, order_id), consistent=True)
        )

    def append(
        self,
        brand_id: str,
        entry: LedgerEntry,
        seen: OrderState | None = None,
        *,
        with_entry: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Appends the entry. With `seen` (an order's booking), in one transaction with the order's
        state item and only if that is still exactly what the booker read: the same number of
        events and entries. False when another writer changed either first (the caller re-reads
        and recomputes). Without `seen` (fixed fees), once per entry id. `with_entry`: further
        operations of other items (a webhook delivery's outcome) that go in the same transaction,
        all or nothing with the entry."""
        item = self._item(brand_id, entry)
        if seen is None:
            return self.table.put(item, condition="attribute_not_exists(PK)") is None
        operations = [
            self.table.put_op(item, condition="attribute_not_exists(PK)"),
            self.table.update_op(
                keys.brand_pk(brand_id),
                keys.order_state_sk(entry.provider, entry.order_id),
                expression="SET #seq = :next, booked = :booked, "
                "currency = if_not_exists(currency, :cur), occurred_at = if_not_exists(occurred_at, :at)",
                condition="#events = :events AND #seq = :seq",
                names={"#seq": "seq", "#events": "events"},
                values={
                    ":next": seen.seq + 1,
                    ":booked": seen.booked + entry.amount,
                    ":cur": entry.currency,
                    ":at": entry.occurred_at,
                    ":events": seen.events,
                    ":seq": seen.seq,
                },
            ),
            *with_entry,
        ]
        try:
            failed = self.table.transact(operations)
        except TransactionConflict:  # the order's state was being written: re-read, recompute
            return False
        return failed is None

    @staticmethod
    def _item(brand_id: str, entry: LedgerEntry) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.ledger_sk(entry.provider, entry.order_id, entry.seq),
            keys.GSI1PK: keys.ledger_by_creator_pk(brand_id, entry.creator_id),
            keys.GSI1SK: f"{entry.occurred_at}#{entry.entry_id}",
            keys.GSI2PK: keys.ledger_by_campaign_pk(brand_id, entry.campaign_id),
            keys.GSI2SK: f"{entry.occurred_at}#{entry.entry_id}",
            "entity": "ledger_entry",
            **entry.model_dump(mode="json"),
        }

    def for_brand(self, brand_id: str) -> list[LedgerEntry]:
        return self._all(
            Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.LEDGER_PREFIX)
        )

    def for_creator(self, brand_id: str, creator_id: str) -> list[LedgerEntry]:
        return self._all(Query(keys.GSI1PK, keys.ledger_by_creator_pk(brand_id, creator_id), index=keys.GSI1))

    def for_campaign(self, brand_id: str, campaign_id: str) -> list[LedgerEntry]:
        return self._all(
            Query(keys.GSI2PK, keys.ledger_by_campaign_pk(brand_id, campaign_id), index=keys.GSI2)
        )

    def _all(self, q: Query) -> list[LedgerEntry]:
        return [LedgerEntry.model_validate(i) for i in self.table.query_all(q)]

    def mark_paid(self, brand_id: str, entry: LedgerEntry, payout_id: str) -> bool:
        """False if the entry was already in a payout (it is never paid twice)."""
        old = self.table.update(
            keys.brand_pk(brand_id),
            keys.ledger_sk(entry.provider, entry.order_id, entry.seq),
            expression="SET #payout = :payout",
            condition="attribute_exists(PK) AND attribute_not_exists(#payout)",
            names={"#payout": "payout_id"},
            values={":payout": payout_id},
        )
        return old is None
