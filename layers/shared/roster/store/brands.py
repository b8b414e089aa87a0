"""Brands and their API keys (a global lookup by key hash beside the brand's own record)."""

from __future__ import annotations

from typing import Any

from roster.errors import Conflict
from roster.models.auth import ApiKeyRecord, Brand
from roster.store import keys
from roster.store.table import Query, Table, or_not_found


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

    def _key_ops(
        self, record: ApiKeyRecord, condition: str = "attribute_not_exists(PK)"
    ) -> list[dict[str, Any]]:
        return self.table.mirrored_put_ops(
            record.model_dump(mode="json"),
            [
                (keys.api_key_lookup_pk(record.key_hash), keys.api_key_lookup_sk(), "api_key_lookup"),
                (keys.brand_pk(record.brand_id), keys.api_key_sk(record.id), "api_key"),
            ],
            condition=condition,
        )

    def key_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        item = self.table.get(keys.api_key_lookup_pk(key_hash), keys.api_key_lookup_sk())
        return ApiKeyRecord.model_validate(item) if item else None

    def get_brand(self, brand_id: str) -> Brand | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.brand_sk())
        return Brand.model_validate(item) if item else None

    def list_keys(self, brand_id: str) -> list[ApiKeyRecord]:
        q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.APIKEY_PREFIX)
        items, _ = self.table.query_page(q, limit=1000, cursor=None)
        return [ApiKeyRecord.model_validate(i) for i in items]

    def revoke_key(self, brand_id: str, key_id: str, revoked_at: str) -> ApiKeyRecord:
        """Marks both items of a key revoked, atomically; revoking twice is a no-op."""
        item = self.table.get(keys.brand_pk(brand_id), keys.api_key_sk(key_id))
        record = ApiKeyRecord.model_validate(or_not_found(item, "API key not found"))
        if record.revoked_at:
            return record
        revoked = record.model_copy(update={"revoked_at": revoked_at})
        failed = self.table.transact(
            self._key_ops(revoked, condition="attribute_exists(PK) AND attribute_not_exists(revoked_at)")
        )
        if failed is not None:
            raise Conflict("the key changed while it was being revoked; try again")
        return revoked
