from __future__ import annotations

from roster.models.ledger import LedgerEntry
from roster.store import keys
from roster.store.table import Query, Table


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

    def append(self, brand_id: str, entry: LedgerEntry) -> bool:
        """False when another writer took this sequence number first (the caller recomputes)."""
        old = self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.ledger_sk(entry.provider, entry.order_id, entry.seq),
                keys.GSI1PK: keys.ledger_by_creator_pk(brand_id, entry.creator_id),
                keys.GSI1SK: f"{entry.occurred_at}#{entry.entry_id}",
                keys.GSI2PK: keys.ledger_by_campaign_pk(brand_id, entry.campaign_id),
                keys.GSI2SK: f"{entry.occurred_at}#{entry.entry_id}",
                "entity": "ledger_entry",
                **entry.model_dump(mode="json"),
            },
            condition="attribute_not_exists(PK)",
        )
        return old is None

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
