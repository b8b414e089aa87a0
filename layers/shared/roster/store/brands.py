from __future__ import annotations

from typing import Any

from roster.errors import Conflict
from roster.models.auth import ApiKeyRecord, Brand
from roster.store import keys
from roster.store.table import Table


class BrandStore:
    """Brands and their API keys. A key is two items written together: a global lookup by the key's
    hash (what the authorizer reads) and a listing under the brand (what the brand manages)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def create_brand(self, brand: Brand, first_key: ApiKeyRecord) -> None:
        failed = self.table.transact(
            [
                self.table.put_op(
                    {
                        keys.PK: keys.brand_pk(brand.id),
                        keys.SK: keys.brand_sk(),
                        "entity": "brand",
                        **brand.model_dump(mode="json"),
                    },
                    condition="attribute_not_exists(PK)",
                ),
                *self._key_ops(first_key),
            ]
        )
        if failed is not None:
            raise Conflict("brand or API key already exists")

    def add_key(self, record: ApiKeyRecord) -> None:
        if self.table.transact(self._key_ops(record)) is not None:
            raise Conflict("API key already exists")

    def _key_ops(self, record: ApiKeyRecord) -> list[dict[str, Any]]:
        data = record.model_dump(mode="json")
        return [
            self.table.put_op(
                {
                    keys.PK: keys.api_key_lookup_pk(record.key_hash),
                    keys.SK: keys.api_key_lookup_sk(),
                    "entity": "api_key_lookup",
                    **data,
                },
                condition="attribute_not_exists(PK)",
            ),
            self.table.put_op(
                {
                    keys.PK: keys.brand_pk(record.brand_id),
                    keys.SK: keys.api_key_sk(record.id),
                    "entity": "api_key",
                    **data,
                },
                condition="attribute_not_exists(PK)",
            ),
        ]

    def key_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        item = self.table.get(keys.api_key_lookup_pk(key_hash), keys.api_key_lookup_sk())
        return ApiKeyRecord.model_validate(item) if item else None

    def get_brand(self, brand_id: str) -> Brand | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.brand_sk())
        return Brand.model_validate(item) if item else None
