"""Which store integrations a brand has configured (the secrets live in SSM)."""

from __future__ import annotations

from roster.store import keys
from roster.store.table import Query, Table


class IntegrationStore:
    """Which store integrations a brand has configured (the secrets themselves live in SSM)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, brand_id: str, provider: str, configured_at: str) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.integration_sk(provider),
                "entity": "integration",
                "provider": provider,
                "configured_at": configured_at,
            }
        )

    def delete(self, brand_id: str, provider: str) -> None:
        self.table.delete(keys.brand_pk(brand_id), keys.integration_sk(provider))

    def delivered(self, brand_id: str, provider: str, event_id: str, received_at: str) -> None:
        """Notes a store's newest delivery (by arrival; an older one arriving late changes nothing):
        one small write per new delivery, so the settings page need not page through every event."""
        self.table.update(
            keys.brand_pk(brand_id),
            keys.last_delivery_sk(provider),
            expression="SET #entity = :entity, #p = :p, #e = :e, #r = :r",
            condition="attribute_not_exists(PK) OR #r <= :r",
            names={"#entity": "entity", "#p": "provider", "#e": "event_id", "#r": "received_at"},
            values={":entity": "integration_delivery", ":p": provider, ":e": event_id, ":r": received_at},
        )

    def last_deliveries(self, brand_id: str) -> dict[str, str]:
        """provider → the id of the newest delivery it sent."""
        q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.LAST_DELIVERY_PREFIX)
        items, _ = self.table.query_page(q, limit=100, cursor=None)
        return {str(i["provider"]): str(i["event_id"]) for i in items}

    def list(self, brand_id: str) -> dict[str, str]:
        q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.INTEGRATION_PREFIX)
        items, _ = self.table.query_page(q, limit=100, cursor=None)
        return {str(i["provider"]): str(i["configured_at"]) for i in items}
