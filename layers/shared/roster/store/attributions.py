"""Attribution decisions per order, written once, listed by creator or campaign."""

from __future__ import annotations

from roster.models.attribution import Attribution
from roster.store import keys
from roster.store.table import Query, Table


class AttributionStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(
        self, brand_id: str, provider: str, order_id: str, *, consistent: bool = False
    ) -> Attribution | None:
        item = self.table.get(
            keys.brand_pk(brand_id), keys.attribution_sk(provider, order_id), consistent=consistent
        )
        return Attribution.model_validate(item) if item else None

    def put_once(self, brand_id: str, decision: Attribution) -> Attribution:
        """Stores the decision unless one exists (then returns that one: first decision wins)."""
        item = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.attribution_sk(decision.provider, decision.order_id),
            "entity": "attribution",
            **decision.model_dump(mode="json"),
        }
        if decision.campaign_id:
            item[keys.GSI1PK] = keys.attributions_by_campaign_pk(brand_id, decision.campaign_id)
            item[keys.GSI1SK] = f"{decision.occurred_at}#{decision.order_id}"
        if decision.creator_id:
            item[keys.GSI2PK] = keys.attributions_by_creator_pk(brand_id, decision.creator_id)
            item[keys.GSI2SK] = f"{decision.occurred_at}#{decision.order_id}"
        old = self.table.put(item, condition="attribute_not_exists(PK)")
        return Attribution.model_validate(old) if old else decision

    def page(
        self,
        brand_id: str,
        *,
        campaign_id: str | None,
        creator_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Attribution], str | None]:
        """A page of the brand's orders: of a campaign or a creator newest first, else all of them
        by provider and order id."""
        if campaign_id:
            q = Query(
                keys.GSI1PK,
                keys.attributions_by_campaign_pk(brand_id, campaign_id),
                index=keys.GSI1,
                filter_expression="creator_id = :c" if creator_id else None,
                values={":c": creator_id} if creator_id else {},
                descending=True,
            )
        elif creator_id:
            q = Query(
                keys.GSI2PK,
                keys.attributions_by_creator_pk(brand_id, creator_id),
                index=keys.GSI2,
                descending=True,
            )
        else:
            q = Query(
                keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.attributions_prefix()
            )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Attribution.model_validate(i) for i in items], next_cursor

    def for_scope(self, brand_id: str, scope: str, scope_id: str) -> list[Attribution]:
        if scope == "campaign":
            q = Query(keys.GSI1PK, keys.attributions_by_campaign_pk(brand_id, scope_id), index=keys.GSI1)
        else:
            q = Query(keys.GSI2PK, keys.attributions_by_creator_pk(brand_id, scope_id), index=keys.GSI2)
        return [Attribution.model_validate(i) for i in self.table.query_all(q)]
