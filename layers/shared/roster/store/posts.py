from __future__ import annotations

from roster.models.posts import Alert, Post
from roster.store import keys
from roster.store.table import Query, Table


class PostStore:
    """Posts (proof of post + checks) per campaign, and the alerts they raise."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, brand_id: str, campaign_id: str, post_id: str) -> Post | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.post_sk(campaign_id, post_id))
        return Post.model_validate(item) if item else None

    def save(self, brand_id: str, post: Post) -> None:
        self.table.overwrite(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.post_sk(post.campaign_id, post.id),
                "entity": "post",
                **post.model_dump(mode="json"),
            }
        )

    def library(
        self,
        brand_id: str,
        campaign_id: str,
        *,
        creator_id: str | None,
        disclosure: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Post], str | None]:
        filters, names, values = [], {}, {}
        if creator_id:
            filters.append("#creator = :creator")
            names["#creator"], values[":creator"] = "creator_id", creator_id
        if disclosure:
            filters.append("#disclosure.#result = :result")
            names |= {"#disclosure": "disclosure", "#result": "result"}
            values[":result"] = disclosure
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.post_sk(campaign_id, ""),
            filter_expression=" AND ".join(filters) or None,
            names=names,
            values=values,
        )
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Post.model_validate(i) for i in items], next_cursor

    def has_post(self, brand_id: str, campaign_id: str, creator_id: str) -> bool:
        q = Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.post_sk(campaign_id, ""),
            filter_expression="#creator = :creator",
            names={"#creator": "creator_id"},
            values={":creator": creator_id},
        )
        cursor = None
        while True:  # a filtered page can come back empty with more to read: keep going until found
            items, cursor = self.table.query_page(q, limit=100, cursor=cursor)
            if items or not cursor:
                return bool(items)

    def raise_alert(self, brand_id: str, alert: Alert) -> bool:
        """True if the alert is new (the same problem on the same post is raised once)."""
        old = self.table.put(
            {
                keys.PK: keys.brand_pk(brand_id),
                keys.SK: keys.alert_sk(alert.id),
                keys.GSI1PK: keys.alerts_by_status_pk(brand_id, alert.status),
                keys.GSI1SK: f"{alert.created_at}#{alert.id}",
                "entity": "alert",
                **alert.model_dump(mode="json"),
            },
            condition="attribute_not_exists(PK)",
        )
        return old is None

    def alerts(
        self, brand_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Alert], str | None]:
        if status:
            q = Query(keys.GSI1PK, keys.alerts_by_status_pk(brand_id, status), index=keys.GSI1)
        else:
            q = Query(keys.PK, keys.brand_pk(brand_id), sort_attr=keys.SK, sort_prefix=keys.alert_sk(""))
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Alert.model_validate(i) for i in items], next_cursor
