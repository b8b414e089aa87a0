"""Posts per campaign and the alerts they raise (by status, with their publication mark)."""

from __future__ import annotations

from typing import Any

from roster.models.posts import Alert, AlertResolution, AlertStatus, Post
from roster.store import keys
from roster.store.table import Item, Query, Table, or_not_found

# Alert attribute → the value it must have, or a tuple of values it may have (None: any).
AlertFilters = dict[str, str | tuple[str, ...] | None]


class PostStore:
    """Posts (proof of post + checks) per campaign, and the alerts they raise."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, brand_id: str, campaign_id: str, post_id: str) -> Post | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.post_sk(campaign_id, post_id))
        return Post.model_validate(item) if item else None

    def require(self, brand_id: str, campaign_id: str, post_id: str) -> Post:
        return or_not_found(self.get(brand_id, campaign_id, post_id), "no such post in this campaign")

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

    # --- alerts ------------------------------------------------------------------------------
    # GSI1 holds each alert under its status (`ALERT_STATUS#open|resolved`), sorted by when it got
    # there; every other filter is a FilterExpression on that partition (or on the brand's ALERT#
    # items when no status is asked).

    def _alert_item(self, brand_id: str, alert: Alert) -> dict[str, Any]:
        return {
            keys.PK: keys.brand_pk(brand_id),
            keys.SK: keys.alert_sk(alert.id),
            keys.GSI1PK: keys.alerts_by_status_pk(brand_id, alert.status),
            keys.GSI1SK: f"{alert.created_at}#{alert.id}",
            "entity": "alert",
            **alert.model_dump(mode="json"),
        }

    def create_alert(self, brand_id: str, alert: Alert) -> tuple[Alert, bool] | None:
        """Stores a new alert, marked `unpublished` until its event is out. None when it was
        created; else the alert already under that id (the same problem raised before), read from
        the failed condition, and whether its event is still unpublished (a run that stored it
        failed before publishing: the caller publishes it now)."""
        item = self._alert_item(brand_id, alert) | {"unpublished": True}
        old = self.table.put(item, condition="attribute_not_exists(PK)")
        return (Alert.model_validate(old), bool(old.get("unpublished"))) if old else None

    def mark_published(self, brand_id: str, alert_id: str) -> None:
        self.table.update(
            keys.brand_pk(brand_id),
            keys.alert_sk(alert_id),
            expression="REMOVE unpublished",
            condition="attribute_exists(PK)",
            names={},
            values={},
        )

    def reopen_alert(self, brand_id: str, alert: Alert, *, at: str, message: str) -> Alert | None:
        """A resolved alert whose cause came back opens again (same id); None when it is not resolved
        any more (opened meanwhile)."""
        old = self._move_alert(
            brand_id,
            alert.id,
            "open",
            at=at,
            also="reopened_at = :at, message = :m, unpublished = :true REMOVE resolution",
            values={":at": at, ":m": message, ":true": True},
        )
        if old is not None:
            return None
        return alert.model_copy(
            update={"status": "open", "reopened_at": at, "message": message, "resolution": None}
        )

    def resolve_alert(
        self, brand_id: str, alert_id: str, resolution: AlertResolution
    ) -> tuple[Alert | None, bool]:
        """Moves an open alert to resolved, its GSI1 status key with it. Returns the alert and whether
        this call resolved it; one resolved already comes back as it is (the first resolution stands);
        (None, False) when there is no such alert."""
        old = self._move_alert(
            brand_id,
            alert_id,
            "resolved",
            at=resolution.at,
            also="resolution = :r",
            values={":r": resolution.model_dump(mode="json")},
        )
        if old is not None:
            return (Alert.model_validate(old) if old else None), False
        item = self.table.get(keys.brand_pk(brand_id), keys.alert_sk(alert_id), consistent=True)
        return (Alert.model_validate(item) if item else None), True

    def _move_alert(
        self, brand_id: str, alert_id: str, to: AlertStatus, *, at: str, also: str, values: dict[str, Any]
    ) -> Item | None:
        """Moves an alert in the other status to `to`, its GSI1 status key with it (sorted by `at`),
        and applies `also` in the same update. None when it moved; else the item as it is ({} if none)."""
        was = "resolved" if to == "open" else "open"
        return self.table.update(
            keys.brand_pk(brand_id),
            keys.alert_sk(alert_id),
            expression=f"SET #status = :to, #g1pk = :g1pk, #g1sk = :g1sk, {also}",
            condition="#status = :was",
            names={"#status": "status", "#g1pk": keys.GSI1PK, "#g1sk": keys.GSI1SK},
            values={
                ":to": to,
                ":was": was,
                ":g1pk": keys.alerts_by_status_pk(brand_id, to),
                ":g1sk": f"{at}#{alert_id}",
                **values,
            },
        )

    def get_alert(self, brand_id: str, alert_id: str) -> Alert | None:
        item = self.table.get(keys.brand_pk(brand_id), keys.alert_sk(alert_id))
        return Alert.model_validate(item) if item else None

    @staticmethod
    def _alert_query(brand_id: str, status: str | None, filters: AlertFilters) -> Query:
        conditions, names, values = [], {}, {}
        for n, (attr, value) in enumerate(sorted(filters.items())):
            if value is None:
                continue
            if isinstance(value, str):
                conditions.append(f"#f{n} = :f{n}")
                values[f":f{n}"] = value
            else:  # any of several values
                options = [f":f{n}_{i}" for i in range(len(value))]
                conditions.append(f"#f{n} IN ({', '.join(options)})")
                values |= dict(zip(options, value, strict=True))
            names[f"#f{n}"] = attr
        where = " AND ".join(conditions) or None
        if status:
            return Query(
                keys.GSI1PK,
                keys.alerts_by_status_pk(brand_id, status),
                index=keys.GSI1,
                filter_expression=where,
                names=names,
                values=values,
            )
        return Query(
            keys.PK,
            keys.brand_pk(brand_id),
            sort_attr=keys.SK,
            sort_prefix=keys.alert_sk(""),
            filter_expression=where,
            names=names,
            values=values,
        )

    def alerts(
        self,
        brand_id: str,
        status: str | None,
        limit: int,
        cursor: str | None,
        *,
        kind: str | None = None,
        campaign_id: str | None = None,
        collaboration_id: str | None = None,
        creator_id: str | None = None,
    ) -> tuple[list[Alert], str | None]:
        filters: AlertFilters = {
            "kind": kind,
            "campaign_id": campaign_id,
            "collaboration_id": collaboration_id,
            "creator_id": creator_id,
        }
        q = self._alert_query(brand_id, status, filters)
        items, next_cursor = self.table.query_page(q, limit=limit, cursor=cursor)
        return [Alert.model_validate(i) for i in items], next_cursor

    def open_alerts(self, brand_id: str, filters: AlertFilters) -> list[Alert]:
        """Every open alert matching the filters (attribute → value, or a tuple of values): the open
        partition only, which resolving keeps small."""
        q = self._alert_query(brand_id, "open", filters)
        return [Alert.model_validate(i) for i in self.table.query_all(q)]
