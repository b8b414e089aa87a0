"""Proof of post: a creator's post for a campaign is matched, checked for FTC disclosure and the
brand's rules, kept with its metrics over time, and raises alerts for problems. Manual
submissions and (later) feed monitoring both go through `record`."""

from __future__ import annotations

import hashlib
from typing import Literal

from roster import clock, disclosure, post_matching
from roster.adapters.events import EventPublisher
from roster.models.posts import Alert, DisclosureResult, MetricsSample, Post, PostSubmit, RuleResult
from roster.store.registry import Stores


def post_id(url: str) -> str:
    """One post per URL: resubmitting it refreshes the checks and adds a metrics sample."""
    return hashlib.sha256(url.strip().encode()).hexdigest()[:24]


def record(
    stores: Stores,
    events: EventPublisher,
    brand_id: str,
    campaign_id: str,
    req: PostSubmit,
    *,
    link_host: str,
    source: Literal["manual", "feed"] = "manual",
) -> tuple[Post, list[Alert]]:
    campaign = stores.campaigns.get(brand_id, campaign_id)
    creator = stores.creators.get(brand_id, req.creator_id)
    brand = stores.brands.get_brand(brand_id)
    rules = campaign.content
    codes = [
        link.code
        for link in stores.links.list(
            brand_id, campaign_id=campaign_id, creator_id=creator.id, limit=100, cursor=None
        )[0]
    ]
    promos = [
        p.code
        for p in stores.promo_codes.list(
            brand_id, campaign_id=campaign_id, creator_id=creator.id, limit=100, cursor=None
        )[0]
    ]
    url = str(req.url)
    found = post_matching.match(
        req.text,
        urls=[url],
        link_host=link_host,
        codes=codes,
        promo_codes=promos,
        hashtags=rules.hashtags,
        mentions=rules.mentions,
        keywords=rules.keywords,
    )
    verdict = disclosure.check(req.text, brand.name if brand else "")
    rule_check = post_matching.brand_rules(
        req.text, mandatory_mentions=rules.mandatory_mentions, banned_terms=rules.banned_terms
    )
    now = clock.now_iso()
    pid = post_id(url)
    previous = stores.posts.get(brand_id, campaign_id, pid)
    samples = list(previous.metrics) if previous else []
    if req.metrics and any(v is not None for v in req.metrics.model_dump().values()):
        samples.append(MetricsSample(at=now, **req.metrics.model_dump()))
    post = Post(
        id=pid,
        campaign_id=campaign_id,
        creator_id=creator.id,
        url=url,
        platform=req.platform,
        source=source,
        published_at=req.published_at.isoformat() if req.published_at else None,
        text=req.text,
        matched=found.matched,
        signals=found.signals,
        disclosure=DisclosureResult(result=verdict.result, reason=verdict.reason, matched=verdict.matched),
        brand_rules=RuleResult(
            ok=rule_check.ok,
            missing_mentions=rule_check.missing_mentions,
            banned_terms=rule_check.banned_terms,
        ),
        metrics=samples,
        first_seen_at=previous.first_seen_at if previous else now,
        checked_at=now,
    )
    stores.posts.save(brand_id, post)
    alerts = []
    if verdict.result != "compliant":
        alerts.append(("disclosure", f"FTC disclosure {verdict.result}: {verdict.reason}"))
    if not rule_check.ok:
        problems = [f"missing {m}" for m in rule_check.missing_mentions] + [
            f"banned {b!r}" for b in rule_check.banned_terms
        ]
        alerts.append(("brand_rules", "brand rules broken: " + ", ".join(problems)))
    raised = []
    for kind, message in alerts:
        alert = Alert(
            id=hashlib.sha256(f"{campaign_id}:{pid}:{kind}:{message}".encode()).hexdigest()[:24],
            kind=kind,
            campaign_id=campaign_id,
            creator_id=creator.id,
            post_id=pid,
            message=message,
            status="open",
            created_at=now,
        )
        if stores.posts.raise_alert(brand_id, alert):
            events.publish("alert.raised", {"brand_id": brand_id, **alert.model_dump(mode="json")})
            raised.append(alert)
    return post, raised
