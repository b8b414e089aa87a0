"""Creators, with the one guard item per email that keeps a brand's emails unique."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from roster import clock
from roster.errors import Conflict
from roster.ids import email_hash
from roster.models.creators import Creator, CreatorStatus, Tier
from roster.store import keys
from roster.store.enrichment import READ_PLATFORMS, schedule_item
from roster.store.table import Query, Table, or_not_found


class CreatorStore:
    """Creators plus one guard item per email, so a brand can never hold the same email twice."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _item(brand_id: str, creator: Creator) -> dict[str, Any]:
        item: dict[str, Any] = {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.creator_sk(creator.id),
            "entity": "creator",
            "brand_id": brand_id,
            **creator.model_dump(mode="json"),
        }
        if creator.tier:
            item[keys.GSI1PK] = keys.creators_by_tier_pk(brand_id, creator.tier)
            item[keys.GSI1SK] = creator.id
        if creator.country:
            item[keys.GSI2PK] = keys.creators_by_country_pk(brand_id, creator.country)
            item[keys.GSI2SK] = creator.id
        return item

    def _email_guard(self, brand_id: str, creator: Creator) -> dict[str, Any]:
        return self.table.put_op(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.creator_email_sk(email_hash(creator.email)),
                "entity": "creator_email",
                "creator_id": creator.id,
            },
            condition="attribute_not_exists(PK)",
        )

    @staticmethod
    def _duplicate(old: dict[str, Any] | None) -> Conflict:
        existing = (old or {}).get("creator_id")
        return Conflict(
            "a creator with this email already exists",
            details=[{"field": "email", "message": f"already used by creator {existing}"}],
        )

    def create(self, brand_id: str, creator: Creator) -> None:
        """The creator, its email guard and, when discovery reads one of its platforms, its first
        enrichment (due today: the next daily run reads it), in one transaction."""
        ops = [
            self.table.put_op(self._item(brand_id, creator), condition="attribute_not_exists(PK)"),
            self._email_guard(brand_id, creator),
        ]
        if READ_PLATFORMS & {p.value for p in creator.platforms}:
            ops.append(self.table.overwrite_op(schedule_item(brand_id, creator.id, clock.now().date())))
        failed = self.table.transact(ops)
        if failed is not None:
            if failed[1] is not None:
                raise self._duplicate(failed[1])
            raise Conflict("creator id already exists")

    def replace(self, brand_id: str, old: Creator, new: Creator) -> None:
        """Writes `new` if the stored creator is still at `old.version`; moves the email guard."""
        condition = "attribute_exists(PK) AND version = :v"
        stale = Conflict("the creator was changed by another request; fetch it and try again")
        if email_hash(old.email) == email_hash(new.email):
            if (
                self.table.put(self._item(brand_id, new), condition=condition, values={":v": old.version})
                is not None
            ):
                raise stale
            return
        failed = self.table.transact(
            [
                self.table.put_op(self._item(brand_id, new), condition=condition, values={":v": old.version}),
                self.table.delete_op(
                    keys.brand_pk(brand_id),
                    keys.creator_email_sk(email_hash(old.email)),
                    condition="creator_id = :id",
                    values={":id": old.id},
                ),
                self._email_guard(brand_id, new),
            ]
        )
        if failed is not None:
            if failed[2] is not None:
                raise self._duplicate(failed[2])
            raise stale

    def get(self, brand_id: str, creator_id: str) -> Creator | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.creator_sk(creator_id))
        return Creator.model_validate(item) if item is not None else None

    def require(self, brand_id: str, creator_id: str) -> Creator:
        return or_not_found(self.get(brand_id, creator_id), "creator not found")

    def id_for_email(self, brand_id: str, email: str) -> str | None:
        guard = self.table.get(keys.brand_pk(brand_id), keys.creator_email_sk(email_hash(email)))
        return str(guard["creator_id"]) if guard else None

    def list(
        self,
        brand_id: str,
        *,
        status: CreatorStatus | None,
        tier: Tier | None,
        tag: str | None,
        country: str | None,
        owner_id: str | None = None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Creator], str | None]:
        filters: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        if tier:
            base = Query(keys.GSI1PK, keys.creators_by_tier_pk(brand_id, tier), index=keys.GSI1)
        elif country:
            base = Query(keys.GSI2PK, keys.creators_by_country_pk(brand_id, country), index=keys.GSI2)
        else:
            base = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.CREATOR_PREFIX)
        if country and tier:
            filters.append("#country = :country")
            names["#country"], values[":country"] = "country", country
        if status:
            filters.append("#status = :status")
            names["#status"], values[":status"] = "status", status.value
        if tag:
            filters.append("contains(#tags, :tag)")
            names["#tags"], values[":tag"] = "tags", tag
        if owner_id:
            filters.append("#owner_id = :owner_id")
            names["#owner_id"], values[":owner_id"] = "owner_id", owner_id
        q = replace(base, filter_expression=" AND ".join(filters) or None, names=names, values=values)
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Creator.model_validate(i) for i in items], next_cursor
