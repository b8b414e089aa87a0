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

    def list(self, brand_id: str) -> dict[str, str]:
        q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.INTEGRATION_PREFIX)
        items, _ = self.table.query_page(q, limit=100, cursor=None)
        return {str(i["provider"]): str(i["configured_at"]) for i in items}
