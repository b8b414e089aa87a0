from __future__ import annotations

import builtins

from roster.errors import Conflict
from roster.models.promo_codes import PromoCode
from roster.store import keys
from roster.store.table import Query, Table


class PromoCodeStore:
    """One item per code, keyed by its upper-case form: unique per brand, found in one read."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, brand_id: str, promo: PromoCode) -> None:
        old = self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.promo_code_sk(promo.code),
                "entity": "promo_code",
                **promo.model_dump(mode="json"),
            },
            condition="attribute_not_exists(PK)",
        )
        if old is not None:
            raise Conflict(
                "this promo code is already registered for this brand",
                details=[
                    {"field": "code", "message": f"{promo.code!r} belongs to creator {old.get('creator_id')}"}
                ],
            )

    def get(self, brand_id: str, code: str) -> PromoCode | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.promo_code_sk(code))
        return PromoCode.model_validate(item) if item else None

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
