from __future__ import annotations

from roster.models.payouts import Payout
from roster.store import keys
from roster.store.table import Table


class PayoutStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, brand_id: str, payout: Payout) -> None:
        self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.payout_sk(payout.id),
                "entity": "payout",
                **payout.model_dump(mode="json"),
            },
            condition="attribute_not_exists(PK)",
        )

    def get(self, brand_id: str, payout_id: str) -> Payout | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.payout_sk(payout_id))
        return Payout.model_validate(item) if item else None
