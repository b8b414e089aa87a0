"""Tracking links: the brand's record and the redirect's record, written together."""

from __future__ import annotations

import builtins
from typing import Any

from roster.errors import Conflict
from roster.models.links import Link
from roster.store import keys
from roster.store.clicks import RedirectRecord
from roster.store.table import Query, Table, or_not_found


class LinkStore:
    """A link is two items written together: the brand's record (under the brand, indexed by
    campaign and creator) and the global redirect record the redirect function reads by code."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _brand_item(brand_id: str, link: Link) -> dict[str, Any]:
        data = link.model_dump(mode="json", exclude={"url"})
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.link_sk(link.code),
            keys.GSI1PK: keys.links_by_campaign_pk(brand_id, link.campaign_id),
            keys.GSI1SK: f"{link.created_at}#{link.code}",
            keys.GSI2PK: keys.links_by_creator_pk(brand_id, link.creator_id),
            keys.GSI2SK: f"{link.created_at}#{link.code}",
            "entity": "link",
            "brand_id": brand_id,
            **data,
        }

    @staticmethod
    def _redirect_item(redirect: RedirectRecord) -> dict[str, Any]:
        return {
            keys.PK: keys.redirect_pk(redirect["code"]),
            keys.SK: keys.redirect_sk(),
            "entity": "redirect",
            **redirect,
        }

    def create(self, brand_id: str, link: Link, redirect: RedirectRecord) -> None:
        failed = self.table.transact(
            [
                self.table.put_op(self._redirect_item(redirect), condition="attribute_not_exists(PK)"),
                self.table.put_op(self._brand_item(brand_id, link), condition="attribute_not_exists(PK)"),
            ]
        )
        if failed is not None:
            raise Conflict(
                "this link code is already taken",
                details=[{"field": "code", "message": f"{link.code!r} is in use; pick another"}],
            )

    def replace(self, brand_id: str, old: Link, new: Link, redirect: RedirectRecord) -> None:
        version = {":v": old.version}
        failed = self.table.transact(
            [
                self.table.put_op(
                    self._redirect_item(redirect),
                    condition="attribute_exists(PK) AND version = :v",
                    values=version,
                ),
                self.table.put_op(
                    self._brand_item(brand_id, new),
                    condition="attribute_exists(PK) AND version = :v",
                    values=version,
                ),
            ]
        )
        if failed is not None:
            raise Conflict("the link was changed by another request; fetch it and try again")

    def get(self, brand_id: str, code: str) -> Link | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.link_sk(code))
        return Link.model_validate(item) if item is not None else None

    def require(self, brand_id: str, code: str) -> Link:
        return or_not_found(self.get(brand_id, code), "link not found")

    def list(
        self,
        brand_id: str,
        *,
        campaign_id: str | None,
        creator_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Link], str | None]:
        items, next_cursor = self.table.query_page(
            self._query(brand_id, campaign_id, creator_id), limit=limit, cursor=cursor
        )
        return [Link.model_validate(i) for i in items], next_cursor

    def all(self, brand_id: str, *, campaign_id: str | None, creator_id: str | None) -> builtins.list[Link]:
        """Every matching link, however many pages the filter needs (a page can come back empty)."""
        return [
            Link.model_validate(i)
            for i in self.table.query_all(self._query(brand_id, campaign_id, creator_id))
        ]

    @staticmethod
    def _query(brand_id: str, campaign_id: str | None, creator_id: str | None) -> Query:
        if campaign_id:
            q = Query(keys.GSI1PK, keys.links_by_campaign_pk(brand_id, campaign_id), index=keys.GSI1)
            if creator_id:
                q = Query(
                    q.partition_attr,
                    q.partition_value,
                    index=q.index,
                    filter_expression="#creator = :creator",
                    names={"#creator": "creator_id"},
                    values={":creator": creator_id},
                )
        elif creator_id:
            q = Query(keys.GSI2PK, keys.links_by_creator_pk(brand_id, creator_id), index=keys.GSI2)
        else:
            q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.LINK_PREFIX)
        return q
