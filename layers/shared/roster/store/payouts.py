"""Payouts under the brand and the brand's one booking lock."""

from __future__ import annotations

import builtins

from roster.models.payouts import BookingLock, Payout
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


class PayoutStore:
    """Payouts under the brand (newest first by ULID), and the brand's one booking lock."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def _item(self, brand_id: str, payout: Payout) -> dict[str, object]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.payout_sk(payout.id),
            "entity": "payout",
            **payout.model_dump(mode="json"),
        }

    def put(self, brand_id: str, payout: Payout) -> None:
        self.table.put(self._item(brand_id, payout), condition="attribute_not_exists(PK)")

    def finish(self, brand_id: str, payout: Payout) -> None:
        """Replaces a payout still `booking` with its final lines (the lock holder's write)."""
        self.table.put(
            self._item(brand_id, payout),
            condition="attribute_exists(PK) AND #status = :booking",
            names={"#status": "status"},
            values={":booking": "booking"},
        )

    def delete(self, brand_id: str, payout_id: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.payout_sk(payout_id))

    def get(self, brand_id: str, payout_id: str) -> Payout | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.payout_sk(payout_id))
        return Payout.model_validate(item) if item else None

    def require(self, brand_id: str, payout_id: str) -> Payout:
        return or_not_found(self.get(brand_id, payout_id), "payout not found")

    def list(self, brand_id: str, limit: int, cursor: str | None) -> tuple[builtins.list[Payout], str | None]:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.PAYOUT_PREFIX,
            descending=True,
        )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Payout.model_validate(i) for i in items], next_cursor

    def lock_holder(self, brand_id: str) -> BookingLock | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.payout_lock_sk(), consistent=True)
        return BookingLock.model_validate(item) if item else None

    def lock(self, brand_id: str, lock: BookingLock, *, replacing: BookingLock | None) -> bool:
        """Takes the lock if it is free, or if it is still exactly the (expired) `replacing` one."""
        values = {":old": replacing.payout_id} if replacing else None
        old = self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.payout_lock_sk(),
                "entity": "payout_lock",
                **lock.model_dump(),
            },
            condition="payout_id = :old" if replacing else "attribute_not_exists(PK)",
            values=values,
        )
        return old is None

    def unlock(self, brand_id: str, payout_id: str) -> None:
        """Releases the lock if this booking still holds it (a failure here is harmless: the lease
        expires)."""
        self.table.transact(
            [
                self.table.delete_op(
                    keys.brand_pk(brand_id),
                    keys.payout_lock_sk(),
                    condition="payout_id = :p",
                    values={":p": payout_id},
                )
            ]
        )
