"""The brand's discovery settings (its competitors, which screening looks for): one item in the
brand's partition, replaced whole by each save."""

from __future__ import annotations

from roster.models.discovery import DiscoverySettings
from roster.store import keys
from roster.store.table import Table


class DiscoveryStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put_settings(self, brand_id: str, settings: DiscoverySettings) -> None:
        """Unconditional: the last save wins, as with the brand's other settings."""
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.discovery_settings_sk(),
                "entity": "discovery_settings",
                **settings.model_dump(mode="json"),
            }
        )

    def get_settings(self, brand_id: str) -> DiscoverySettings:
        """The brand's settings; before the first save, no competitors and no `updated_at`."""
        item = self.table.get(keys.brand_pk(brand_id), keys.discovery_settings_sk())
        return (
            DiscoverySettings.model_validate(item)
            if item
            else DiscoverySettings(competitors=[], updated_at=None)
        )
