"""Proof of post: a creator's post for a campaign is matched, checked for FTC disclosure and the
brand's rules, kept with its metrics over time, and raises alerts for problems. Feed monitoring
and manual submissions both go through `record`, one `SourceItem` at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from roster import clock, disclosure, post_matching
from roster.adapters.events import EventPublisher
from roster.models.campaigns import Campaign
from roster.models.creators import Creator
from roster.models.posts import Alert, AlertKind, DisclosureResult, MetricsSample, Post, RuleResult
from roster.sources import SourceItem
from roster.store.registry import Stores


def post_id(url: str) -> str:
    """One post per URL: seeing it again refreshes the checks and adds a metrics sample."""
    return hashlib.sha256(url.strip().encode()).hexdigest()[:24]


def alert_id(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Context:
    """What checking one creator's posts for one campaign needs, read once per creator."""

    brand_id: str
    brand_name: str
    campaign: Campaign
    creator: Creator
    codes: list[str]
    promo_codes: list[str]
    link_host: str


def context(
    stores: Stores, brand_id: str, campaign_id: str, creator_id: str, *, link_base_url: str | None
) -> Context:
    """`link_base_url` is where the brand's tracking links live (e.g. https://go.brand.com)."""
    campaign = stores.campaigns.get(brand_id, campaign_id)
    creator = stores.creators.get(brand_id, creator_id)
    brand = stores.brands.get_brand(brand_id)
    links = stores.links.all(brand_id, campaign_id=campaign_id, creator_id=creator_id)
    promos = stores.promo_codes.all(brand_id, campaign_id=campaign_id, creator_id=creator_id)
    return Context(
        brand_id=brand_id,
        brand_name=brand.name if brand else "",
        campaign=campaign,
        creator=creator,
        codes=[link.code for link in links],
        promo_codes=[p.code for p in promos],
        link_host=urlsplit(link_base_url or "").hostname or "",
    )


@dataclass(frozen=True)
class Recorded:
    post: Post | None  # None: a feed item that is not about this campaign
    new: bool = False
    alerts: list[Alert] = field(default_factory=list)


def record(
    stores: Stores,
    events: EventPublisher,
    ctx: Context,
    item: SourceItem,
    *,
    source: Literal["manual", "feed"],
) -> Recorded:
    """Checks one post and keeps it. A feed item is kept only when it matches the campaign; a
    manual submission is kept either way (the brand said it belongs), with its signals shown."""
    rules = ctx.campaign.content
    found = post_matching.match(
        item.text,
        urls=[item.url, *item.links],
        link_host=ctx.link_host,
        codes=ctx.codes,
        promo_codes=ctx.promo_codes,
        hashtags=rules.hashtags,
        mentions=rules.mentions,
        keywords=rules.keywords,
    )
    if source == "feed" and not found.matched:
        return Recorded(None)
    verdict = disclosure.check(item.text, ctx.brand_name)
    rule_check = post_matching.brand_rules(
        item.text, mandatory_mentions=rules.mandatory_mentions, banned_terms=rules.banned_terms
    )
    now = clock.now_iso()
    pid = post_id(item.url)
    campaign_id, creator_id = ctx.campaign.id, ctx.creator.id
    previous = stores.posts.get(ctx.brand_id, campaign_id, pid)
    samples = list(previous.metrics) if previous else []
    if item.metrics and any(v is not None for v in item.metrics.model_dump().values()):
        samples.append(MetricsSample(at=now, **item.metrics.model_dump()))
    post = Post(
        id=pid,
        campaign_id=campaign_id,
        creator_id=creator_id,
        url=item.url,
        platform=item.platform,
        source=previous.source if previous else source,
        published_at=item.published_at.isoformat() if item.published_at else None,
        text=item.text,
        matched=found.matched,
        signals=found.signals,
        disclosure=DisclosureResult(result=verdict.result, reason=verdict.reason, matched=verdict.matched),
        brand_rules=RuleResult(
            ok=rule_check.ok,
            missing_mentions=rule_check.missing_mentions,
            banned_terms=rule_check.banned_terms,
        ),
        metrics=samples[-200:],
        first_seen_at=previous.first_seen_at if previous else now,
        checked_at=now,
    )
    stores.posts.save(ctx.brand_id, post)
    if previous is None:
        events.publish(
            "post.found",
            {
                "brand_id": ctx.brand_id,
                "campaign_id": campaign_id,
                "creator_id": creator_id,
                "post_id": pid,
                "url": item.url,
                "disclosure": verdict.result,
                "brand_rules_ok": rule_check.ok,
            },
        )
    problems: list[tuple[Literal["disclosure", "brand_rules"], str]] = []
    if verdict.result != "compliant":
        problems.append(("disclosure", f"FTC disclosure {verdict.result}: {verdict.reason}"))
    if not rule_check.ok:
        broken = [f"missing {m}" for m in rule_check.missing_mentions] + [
            f"banned {b!r}" for b in rule_check.banned_terms
        ]
        problems.append(("brand_rules", "brand rules broken: " + ", ".join(broken)))
    raised = [
        a
        for kind, message in problems
        if (
            a := raise_alert(
                stores,
                events,
                ctx.brand_id,
                campaign_id,
                creator_id,
                kind,
                message,
                post_id=pid,
                key=f"{pid}:{kind}:{message}",
            )
        )
    ]
    return Recorded(post, previous is None, raised)


def raise_alert(
    stores: Stores,
    events: EventPublisher,
    brand_id: str,
    campaign_id: str,
    creator_id: str,
    kind: AlertKind,
    message: str,
    *,
    post_id: str | None,
    key: str,
) -> Alert | None:
    """Raises the alert once (the same problem on the same post or creator is one alert) and
    publishes `alert.raised` for outreach or workflows to act on."""
    alert = Alert(
        id=alert_id(campaign_id, key),
        kind=kind,
        campaign_id=campaign_id,
        creator_id=creator_id,
        post_id=post_id,
        message=message,
        status="open",
        created_at=clock.now_iso(),
    )
    if not stores.posts.raise_alert(brand_id, alert):
        return None
    events.publish("alert.raised", {"brand_id": brand_id, **alert.model_dump(mode="json")})
    return alert


def check_due(stores: Stores, events: EventPublisher, ctx: Context, today: date) -> Alert | None:
    """After the campaign's due day, a creator without a matched post raises a missing_post alert."""
    due = ctx.campaign.monitoring.posts_due
    if due is None or today <= due:
        return None
    if stores.posts.has_post(ctx.brand_id, ctx.campaign.id, ctx.creator.id):
        return None
    return raise_alert(
        stores,
        events,
        ctx.brand_id,
        ctx.campaign.id,
        ctx.creator.id,
        "missing_post",
        f"no post found for {ctx.creator.name} by the due date {due.isoformat()}",
        post_id=None,
        key=f"missing:{ctx.creator.id}:{due.isoformat()}",
    )
