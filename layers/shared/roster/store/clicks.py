"""The redirect's data access: one read per uncached link, one conditional write per click, and
the two records it carries, typed here once (the links API writes the one, the redirect the other).

Lean on purpose (no pydantic; TypedDicts cost nothing at run time): it is imported by the
redirect function.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

from roster.store import keys
from roster.store.table import Table


class RedirectRecord(TypedDict):
    """What the redirect needs of a link, and nothing else, in one item it reads by code
    (written beside the brand's link by roster.links.links; tests/events/redirect_record.json)."""

    code: str
    brand_id: str
    campaign_id: str
    creator_id: str
    destination: str  # normalised: plain ASCII (roster.links.links.check_url)
    enabled: bool
    expires_epoch: int | None
    expired_url: str | None  # where an expired link sends people (else the 404 page)
    utm_source: str
    utm_campaign: str
    click_id_param: str
    version: int


class Click(TypedDict):
    """A counted click as the redirect records it (and logs it for replay when the write fails)."""

    click_id: str
    code: str
    brand_id: str
    campaign_id: str
    creator_id: str
    at: str
    country: str | None
    referrer_host: str | None
    user_agent: str


class UnrecordedClick(TypedDict):
    """A click whose write failed, as the redirect logs it ("click not recorded") and
    tools/replay_clicks.py writes it later: the write's arguments, its time included."""

    click: Click
    epoch: int
    day: str
    visitor: str


# Fields of a visit item that describe the click (the rest are keys and bookkeeping).
CLICK_FIELDS = tuple(Click.__annotations__)

# How long a visit record lives after its last counted click: the longest attribution window a
# campaign may set (roster.models.campaigns: `attribution_window_days` <= 365; a test keeps the two
# equal), plus the days a store may still be retrying an order's webhook after it was placed
# (Stripe retries for up to 3 days), since attribution is decided at the first delivery.
ATTRIBUTION_HORIZON_DAYS = 365
LATE_DELIVERY_DAYS = 3
VISIT_TTL_SECONDS = (ATTRIBUTION_HORIZON_DAYS + LATE_DELIVERY_DAYS) * 86400


class ClickStore:
    def __init__(self, table: Table, visits: Table | None = None) -> None:
        """`table` serves the link reads; `visits`, when given, the click writes: the same DynamoDB
        table through a client with its own time budget (the redirect's are in
        roster.links.redirect)."""
        self.table = table
        self.visits = visits or table

    def redirect_record(self, code: str) -> RedirectRecord | None:
        # Written only by LinkStore (roster.links.links.redirect_record): trusted, not checked.
        return cast("RedirectRecord | None", self.table.get(keys.redirect_pk(code), keys.redirect_sk()))

    def record_visit(
        self, click: Click, *, epoch: int, day: str, visitor: str, ttl: int, window: int
    ) -> str | None:
        """Counts the click unless this visitor was counted on this link in the last `window` s.

        Returns None when counted, else the click id of the visit being repeated (read from the
        failed condition, so a repeat costs one conditional write and no read). The record keeps
        what attribution reads (campaign, creator, the first and the last counted click of the
        day, `first_at` and `at`) until `ttl`."""
        # Keyed by its click id (the visit form, which attribution derives), or, for a replay line
        # logged before issue 16 with an older click id, by the old key.
        by_id = keys.VISIT_CLICK_ID.match(click["click_id"]) is not None
        pk = (
            keys.visit_pk_of(click["brand_id"], click["click_id"])
            if by_id
            else keys.visit_pk(click["brand_id"], click["code"], visitor, day)
        )
        # The visit form's click id is the key itself: not stored again.
        fields = {
            k: v for k in CLICK_FIELDS if (v := click.get(k)) is not None and not (by_id and k == "click_id")
        }
        names = {f"#{k}": k for k in fields}
        names |= {"#last": "last_epoch", "#ttl": keys.TTL_ATTRIBUTE, "#entity": "entity", "#visits": "visits"}
        names |= {"#first": "first_at"}
        values: dict[str, Any] = {f":{k}": v for k, v in fields.items()}
        values |= {":now": epoch, ":cutoff": epoch - window, ":ttl": ttl, ":one": 1, ":entity": "visit"}
        sets = [f"#{k} = :{k}" for k in fields] + ["#last = :now", "#ttl = :ttl", "#entity = :entity"]
        sets.append("#first = if_not_exists(#first, :at)")
        old = self.visits.update(
            pk,
            keys.visit_sk(),
            expression=f"SET {', '.join(sets)} ADD #visits :one",
            condition="attribute_not_exists(PK) OR #last < :cutoff",
            names=names,
            values=values,
        )
        if old is None:
            return None
        return str(old.get("click_id") or click["click_id"])
