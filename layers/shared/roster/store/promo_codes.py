"""Promo codes, one item per upper-cased code, with their Stripe promotion lookup."""

from __future__ import annotations

import builtins
from typing import Any

from roster.errors import Conflict
from roster.models.promo_codes import PromoCode
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


class PromoCodeStore:
    """One item per code, keyed by its upper-case form: unique per brand, found in one read. A code
    mapped to a Stripe promotion code has a guard item under that id, found in one read too."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def _item(self, brand_id: str, promo: PromoCode) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.promo_code_sk(promo.code),
            "entity": "promo_code",
            **promo.model_dump(mode="json"),
        }

    def _stripe_guard(self, brand_id: str, promo: PromoCode) -> dict[str, Any]:
        assert promo.stripe_promotion_code is not None
        return self.table.put_op(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.promo_stripe_sk(promo.stripe_promotion_code),
                "entity": "promo_code_stripe",
                "code": promo.code,
            },
            condition="attribute_not_exists(PK)",
        )

    @staticmethod
    def _stripe_taken(promo: PromoCode, old: dict[str, Any]) -> Conflict:
        return Conflict(
            "this Stripe promotion code is already mapped to another code",
            details=[
                {
                    "field": "stripe_promotion_code",
                    "message": f"{promo.stripe_promotion_code} is code {old.get('code')!r}",
                }
            ],
        )

    def create(self, brand_id: str, promo: PromoCode) -> None:
        ops = [self.table.put_op(self._item(brand_id, promo), condition="attribute_not_exists(PK)")]
        if promo.stripe_promotion_code:
            ops.append(self._stripe_guard(brand_id, promo))
        failed = self.table.transact(ops)
        if failed is None:
            return
        if (old := failed[0]) is not None:
            owner = old.get("creator_id")
            raise Conflict(
                "this promo code is already registered for this brand",
                details=[{"field": "code", "message": f"{promo.code!r} belongs to creator {owner}"}],
            )
        raise self._stripe_taken(promo, failed[1] or {})

    def replace(self, brand_id: str, old: PromoCode, new: PromoCode) -> None:
        """Writes `new` if the stored code is still at `old.version` (codes stored before versions
        have none: the first change gives them one); moves the Stripe guard when the id changes."""
        ops = [
            self.table.put_op(
                self._item(brand_id, new),
                condition="attribute_exists(PK) AND (attribute_not_exists(version) OR version = :v)",
                values={":v": old.version},
            )
        ]
        moved = old.stripe_promotion_code != new.stripe_promotion_code
        if moved and old.stripe_promotion_code:
            ops.append(
                self.table.delete_op(
                    keys.brand_pk(brand_id),
                    keys.promo_stripe_sk(old.stripe_promotion_code),
                    condition="code = :code",
                    values={":code": old.code},
                )
            )
        if moved and new.stripe_promotion_code:
            ops.append(self._stripe_guard(brand_id, new))
        failed = self.table.transact(ops)
        if failed is None:
            return
        if moved and new.stripe_promotion_code and failed[-1] is not None:
            raise self._stripe_taken(new, failed[-1])
        raise Conflict("the promo code was changed by another request; fetch it and try again")

    def by_stripe_promotion(self, brand_id: str, promotion_code_id: str) -> PromoCode | None:
        guard = self.table.get(keys.brand_pk(brand_id), keys.promo_stripe_sk(promotion_code_id))
        return self.get(brand_id, str(guard["code"])) if guard else None

    def get(self, brand_id: str, code: str) -> PromoCode | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.promo_code_sk(code))
        return PromoCode.model_validate(item) if item else None

    def require(self, brand_id: str, code: str) -> PromoCode:
        return or_not_found(self.get(brand_id, code), "promo code not found")

    def list(
        self,
        brand_id: str,
        *,
        campaign_id: str | None,
        creator_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[PromoCode], str | None]:
        q = self._query(brand_id, campaign_id, creator_id)
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [PromoCode.model_validate(i) for i in items], next_cursor

    def all(
        self, brand_id: str, *, campaign_id: str | None, creator_id: str | None
    ) -> builtins.list[PromoCode]:
        """Every matching code, however many pages the filter needs (a page can come back empty)."""
        return [
            PromoCode.model_validate(i)
            for i in self.table.query_all(self._query(brand_id, campaign_id, creator_id))
        ]

    @staticmethod
    def _query(brand_id: str, campaign_id: str | None, creator_id: str | None) -> Query:
        filters, names, values = [], {}, {}
        for name, value in (("campaign_id", campaign_id), ("creator_id", creator_id)):
            if value:
                filters.append(f"#{name} = :{name}")
                names[f"#{name}"], values[f":{name}"] = name, value
        return Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.PROMO_PREFIX,
            filter_expression=" AND ".join(filters) or None,
            names=names,
            values=values,
        )
