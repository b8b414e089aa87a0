"""Campaigns under the brand, versioned, with the index of monitored ones."""

from __future__ import annotations

from typing import Any

from roster.errors import Conflict, NotFound
from roster.models.campaigns import Campaign, CampaignStatus
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


class CampaignStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(brand_id: str, campaign: Campaign) -> dict[str, Any]:
        item = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.campaign_sk(campaign.id),
            keys.GSI1PK: keys.campaigns_by_status_pk(brand_id, campaign.status),
            keys.GSI1SK: campaign.id,
            "entity": "campaign",
            "brand_id": brand_id,
            **campaign.model_dump(mode="json"),
        }
        if campaign.monitored:
            item |= {keys.GSI2PK: keys.monitored_campaigns_pk(), keys.GSI2SK: f"{brand_id}#{campaign.id}"}
        return item

    def monitored(self) -> list[tuple[str, Campaign]]:
        """Every active campaign with monitoring on, across brands (for the scheduled dispatcher)."""
        items = self.table.query_all(Query(keys.GSI2PK, keys.monitored_campaigns_pk(), index=keys.GSI2))
        return [(i["brand_id"], Campaign.model_validate(i)) for i in items]

    def create(self, brand_id: str, campaign: Campaign) -> None:
        if self.table.put(self._item(brand_id, campaign), condition="attribute_not_exists(PK)") is not None:
            raise Conflict("campaign id already exists")

    def replace(self, brand_id: str, campaign: Campaign, *, expected_version: int) -> None:
        old = self.table.put(
            self._item(brand_id, campaign),
            condition="attribute_exists(PK) AND version = :v",
            values={":v": expected_version},
        )
        if old is not None:
            if not old:
                raise NotFound("campaign not found")
            raise Conflict("the campaign was changed by another request; fetch it and try again")

    def get(self, brand_id: str, campaign_id: str, *, consistent: bool = False) -> Campaign | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.campaign_sk(campaign_id), consistent=consistent)
        return Campaign.model_validate(item) if item is not None else None

    def require(self, brand_id: str, campaign_id: str, *, consistent: bool = False) -> Campaign:
        return or_not_found(self.get(brand_id, campaign_id, consistent=consistent), "campaign not found")

    def list(
        self, brand_id: str, *, status: CampaignStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Campaign], str | None]:
        if status:
            q = Query(keys.GSI1PK, keys.campaigns_by_status_pk(brand_id, status), index=keys.GSI1)
        else:
            q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.CAMPAIGN_PREFIX)
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Campaign.model_validate(i) for i in items], next_cursor
