"""The redirect's data access: one read per uncached link, one conditional write per click.

Lean on purpose (no pydantic): it is imported by the redirect function.
"""

from __future__ import annotations

from typing import Any

from roster.store import keys
from roster.store.table import Table

# Fields of a visit item that describe the click (the rest are keys and bookkeeping).
CLICK_FIELDS = (
    "click_id",
    "code",
    "brand_id",
    "campaign_id",
    "creator_id",
    "at",
    "country",
    "referrer_host",
    "user_agent",
)


class ClickStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def redirect_record(self, code: str) -> dict[str, Any] | None:
        return self.table.get(keys.redirect_pk(code), keys.redirect_sk())

    def record_visit(
        self, click: dict[str, Any], *, epoch: int, day: str, visitor: str, ttl: int, window: int
    ) -> str | None:
        """Counts the click unless this visitor was counted on this link in the last `window` s.

        Returns None when counted, else the click id of the visit being repeated (read from the
        failed condition, so a repeat costs one conditional write and no read)."""
        fields = {k: click[k] for k in CLICK_FIELDS if click.get(k) is not None}
        names = {f"#{k}": k for k in fields}
        names |= {"#last": "last_epoch", "#ttl": keys.TTL_ATTRIBUTE, "#entity": "entity", "#visits": "visits"}
        values: dict[str, Any] = {f":{k}": v for k, v in fields.items()}
        values |= {":now": epoch, ":cutoff": epoch - window, ":ttl": ttl, ":one": 1, ":entity": "visit"}
        sets = [f"#{k} = :{k}" for k in fields] + ["#last = :now", "#ttl = :ttl", "#entity = :entity"]
        old = self.table.update(
            keys.visit_pk(click["brand_id"], click["code"], visitor, day),
            keys.visit_sk(),
            expression=f"SET {', '.join(sets)} ADD #visits :one",
            condition="attribute_not_exists(PK) OR #last < :cutoff",
            names=names,
            values=values,
        )
        if old is None:
            return None
        return str(old.get("click_id") or click["click_id"])
