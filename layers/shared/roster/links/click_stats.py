"""Click aggregation, off the hot path: the stream consumer folds counted visits into daily
counters (device parsed here, not in the redirect), one update per (link | campaign | creator, day)
per batch however many clicks the batch holds. It writes no per-click record: attribution reads
the visit record the redirect wrote (roster.store.stats.StatsStore.click)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ua_parser import parse

from roster.models.stats import ClickCounts, ClickStats, DayCounts
from roster.observability import logger
from roster.store.stats import StatsStore, visits_from_stream

SCOPES = (("link", "code"), ("campaign", "campaign_id"), ("creator", "creator_id"))
MOBILE_OS = {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "HarmonyOS"}
TABLETS = ("ipad", "tablet", "kindle", "nexus 7", "nexus 9", "sm-t", "tab")


@lru_cache(maxsize=4096)
def device(user_agent: str) -> tuple[str, str, str]:
    """(device type, OS family, browser family) for a user agent."""
    result = parse(user_agent)
    os_family = result.os.family if result.os else "Other"
    browser = result.user_agent.family if result.user_agent else "Other"
    model = (result.device.family if result.device else "").lower()
    if any(t in model for t in TABLETS) or "ipad" in user_agent.lower():
        kind = "tablet"
    elif os_family in MOBILE_OS or "mobile" in user_agent.lower():
        kind = "mobile"
    elif os_family in {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora"}:
        kind = "desktop"
    else:
        kind = "other"
    return kind, os_family, browser


def enrich(visit: dict[str, Any]) -> dict[str, Any]:
    kind, os_family, browser = device(str(visit.get("user_agent", "")))
    return visit | {"device": kind, "os": os_family, "browser": browser}


def counters(clicks: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str, str], Counter[str]]:
    """(brand, scope, id, day) → counts to add. `visits == 1` marks a visitor's first counted click
    of the day on that link (the visit record is per link, visitor and day)."""
    out: dict[tuple[str, str, str, str], Counter[str]] = defaultdict(Counter)
    for click in clicks:
        day = str(click["at"])[:10]
        counts = Counter({"clicks": 1, "unique_clicks": int(click.get("visits") == 1)})
        if click.get("country"):
            counts[f"country_{click['country']}"] += 1
        counts[f"device_{click.get('device', 'other')}"] += 1
        for scope, field in SCOPES:
            out[(str(click["brand_id"]), scope, str(click[field]), day)] += counts
    return out


def summarize(
    scope: str, scope_id: str, first_day: str, last_day: str, items: list[dict[str, Any]]
) -> ClickStats:
    totals: Counter[str] = Counter()
    days = []
    for item in sorted(items, key=lambda i: str(i["day"])):
        counts = {
            k: int(v)
            for k, v in item.items()
            if k in ("clicks", "unique_clicks") or k.startswith(("country_", "device_"))
        }
        totals.update(counts)
        days.append(
            DayCounts(
                day=str(item["day"]),
                clicks=counts.get("clicks", 0),
                unique_clicks=counts.get("unique_clicks", 0),
            )
        )
    return ClickStats(
        scope=scope,
        id=scope_id,
        first_day=first_day,
        last_day=last_day,
        totals=ClickCounts(
            clicks=totals["clicks"],
            unique_clicks=totals["unique_clicks"],
            countries={k[8:]: v for k, v in totals.items() if k.startswith("country_")},
            devices={k[7:]: v for k, v in totals.items() if k.startswith("device_")},
        ),
        days=days,
    )


def process(store: StatsStore, event: dict[str, Any]) -> dict[str, Any]:
    """One stream batch: one counter update per (scope, id, day). On failure the whole batch is
    reported failed so Lambda retries it; counters may then be added twice for what was already
    applied (the visit records attribution reads stay exact; see decisions)."""
    visits = visits_from_stream(event)
    if not visits:
        return {"batchItemFailures": []}
    clicks = [enrich(visit) for _, visit in visits]
    try:
        for (brand_id, scope, scope_id, day), counts in counters(clicks).items():
            store.add_counters(brand_id, scope, scope_id, day, counts)
    except Exception:  # reported to Lambda for a retry of the batch, never swallowed
        logger.exception("click batch failed", extra={"records": len(visits)})
        return {"batchItemFailures": [{"itemIdentifier": visits[0][0]}]}
    logger.info("click batch", extra={"clicks": len(clicks)})
    return {"batchItemFailures": []}


def read(
    store: StatsStore, brand_id: str, scope: str, scope_id: str, first_day: str, last_day: str
) -> ClickStats:
    return summarize(
        scope, scope_id, first_day, last_day, store.days(brand_id, scope, scope_id, first_day, last_day)
    )
