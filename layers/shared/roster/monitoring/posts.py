"""Proof of post: a creator's post for a campaign is matched, checked for FTC disclosure and the
brand's rules, kept with its metrics over time, and raises alerts for problems. Feed monitoring
and manual submissions both go through `record`, one `SourceItem` at a time; a post page Roster
cannot read goes through `unreadable` (`check_page` does both for a post read from its page).

A problem is raised when it appears and resolved when a later check no longer finds it
(`roster.program.alerts`). An unreadable post is `unknown`: one "post unreadable" alert, never a
disclosure or brand-rule alert about text Roster never saw."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from roster import clock, ids
from roster.models.campaigns import Campaign
from roster.models.collaborations import Collaboration
from roster.models.creators import Creator, Platform
from roster.models.posts import (
    Alert,
    AlertKind,
    DisclosureResult,
    MetricsSample,
    Post,
    PostMetrics,
    RuleResult,
    TextFrom,
)
from roster.monitoring import disclosure, post_matching, sources
from roster.monitoring.sources import SourceItem
from roster.program import alerts
from roster.program.alerts import raise_alert as raise_alert  # budget and workflow alerts are raised here too
from roster.store.memo import Memo
from roster.store.registry import Stores
from roster.web.fetch import FetchError

if TYPE_CHECKING:
    from roster.deps import Deps


def post_id(url: str) -> str:
    """One post per URL: seeing it again refreshes the checks and adds a metrics sample."""
    return hashlib.sha256(url.strip().encode()).hexdigest()[:24]


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
    collaboration_id: str | None = None  # the creator's collaboration in the campaign, if any


class CheckBatch(Memo):
    """What the creators of one SQS batch (up to 5, gathered within 10 s) share, read once for
    the batch: the campaign, the brand, and the campaign's links and promo codes, from which each
    creator's are picked (the per-creator queries read all of the campaign's anyway: a filter
    does not narrow what DynamoDB reads). They are at most one batch old. The creator, their
    collaboration and feed states are read per creator (docs/decisions.md, Monitoring and
    disclosure, "Requests per creator")."""


def context(
    stores: Stores,
    brand_id: str,
    campaign_id: str,
    creator_id: str,
    *,
    link_base_url: str | None,
    batch: CheckBatch | None = None,
) -> Context:
    """`link_base_url` is where the brand's tracking links live (e.g. https://go.brand.com).
    `batch`: what the other creators of the same SQS batch already read (see CheckBatch)."""
    batch = batch or CheckBatch()
    campaign = batch.once(
        ("campaign", brand_id, campaign_id), lambda: stores.campaigns.require(brand_id, campaign_id)
    )
    creator = stores.creators.require(brand_id, creator_id)
    brand = batch.once(("brand", brand_id), lambda: stores.brands.get_brand(brand_id))
    campaign_links = batch.once(
        ("links", brand_id, campaign_id),
        lambda: stores.links.all(brand_id, campaign_id=campaign_id, creator_id=None),
    )
    campaign_promos = batch.once(
        ("promo_codes", brand_id, campaign_id),
        lambda: stores.promo_codes.all(brand_id, campaign_id=campaign_id, creator_id=None),
    )
    links = [link for link in campaign_links if link.creator_id == creator_id]
    promos = [p for p in campaign_promos if p.creator_id == creator_id]
    return Context(
        brand_id=brand_id,
        brand_name=brand.name if brand else "",
        campaign=campaign,
        creator=creator,
        codes=[link.code for link in links],
        promo_codes=[p.code for p in promos],
        link_host=urlsplit(link_base_url or "").hostname or "",
        collaboration_id=_collaboration_of(stores, brand_id, campaign_id, creator_id),
    )


def _collaboration_of(stores: Stores, brand_id: str, campaign_id: str, creator_id: str) -> str | None:
    cid = ids.collaboration_id(brand_id, campaign_id, creator_id)
    return cid if stores.collaborations.get_raw(brand_id, cid) is not None else None


@dataclass(frozen=True)
class Recorded:
    post: Post | None  # None: a feed item that is not about this campaign
    new: bool = False
    alerts: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)


def record(
    deps: Deps,
    ctx: Context,
    item: SourceItem,
    *,
    source: Literal["manual", "feed"],
    text_from: TextFrom | None = None,
    page_error: str | None = None,
) -> Recorded:
    """Checks one post and keeps it. A feed item is kept only when it matches the campaign; a
    manual submission is kept either way (the brand said it belongs), with its signals shown.
    `text_from` says whose text it is (default: Roster's reading, of the feed or of the page);
    `page_error`, why the page was not what got checked."""
    found = _match(ctx, item.text, [item.url, *item.links])
    if source == "feed" and not found.matched:
        return Recorded(None)
    verdict = disclosure.check(item.text, ctx.brand_name)
    rules = ctx.campaign.content
    rule_check = post_matching.brand_rules(
        item.text, mandatory_mentions=rules.mandatory_mentions, banned_terms=rules.banned_terms
    )
    previous = deps.stores.posts.get(ctx.brand_id, ctx.campaign.id, post_id(item.url))
    post = _post(
        ctx,
        item,
        previous,
        source,
        found,
        DisclosureResult(result=verdict.result, reason=verdict.reason, matched=verdict.matched),
        RuleResult(
            ok=rule_check.ok,
            missing_mentions=rule_check.missing_mentions,
            banned_terms=rule_check.banned_terms,
        ),
        text_from=text_from or ("feed" if source == "feed" else "page"),
        page_error=page_error,
    )
    return _keep(deps, ctx, post, previous)


def unreadable(deps: Deps, ctx: Context, url: str, platform: Platform, error: str) -> Recorded:
    """A post whose page Roster could not read. Read before, its last reading stands and the
    error is added to it; never read, it is kept as `unknown` (nothing checked, brand rules
    included) with one "post unreadable" alert, and no disclosure or brand-rule alert."""
    previous = deps.stores.posts.get(ctx.brand_id, ctx.campaign.id, post_id(url))
    if previous is not None and previous.disclosure.result != "unknown":
        kept = previous.model_copy(update={"page_error": error})
        deps.stores.posts.save(ctx.brand_id, kept)
        return Recorded(kept)
    item = SourceItem(url, platform, "")
    found = _match(ctx, "", [url])  # what the URL alone says (a tracking link in it)
    verdict = disclosure.unreadable(error)
    post = _post(
        ctx,
        item,
        previous,
        "manual",
        found,
        DisclosureResult(result=verdict.result, reason=verdict.reason),
        RuleResult(ok=None),
        text_from=None,
        page_error=error,
    )
    return _keep(deps, ctx, post, previous)


def read_page(deps: Deps, url: str, platform: Platform, *, apis: bool = True) -> SourceItem:
    """The post as its page shows it. FetchError when it cannot be read, or shows no text at all
    (a login wall): an empty text would be checked as "no disclosure found". Without `apis`, the
    page alone is read, never a platform API (for a function that may not read their keys)."""
    item = sources.page_item(url, platform, deps.fetcher, deps.youtube if apis else None)
    if not item.text.strip():
        raise FetchError("the page shows no caption or description")
    return item


def check_page(
    deps: Deps,
    ctx: Context,
    url: str,
    platform: Platform,
    *,
    caption: str | None = None,
    apis: bool = True,
) -> Recorded:
    """Reads the post's page (again) and records what it shows. When the page cannot be read, the
    caption the creator sent with the post is checked instead (shown, not proof); without one,
    `unreadable`. The page error is on the post record either way."""
    try:
        item = read_page(deps, url, platform, apis=apis)
    except FetchError as exc:
        if caption:
            typed = SourceItem(url, platform, caption)
            return record(deps, ctx, typed, source="manual", text_from="creator", page_error=str(exc))
        return unreadable(deps, ctx, url, platform, str(exc))
    return record(deps, ctx, item, source="manual", text_from="page")


def with_details(item: SourceItem, published_at: datetime | None, metrics: PostMetrics | None) -> SourceItem:
    """What the submitter knows better than the page: when it was published, its metrics."""
    if not (published_at or metrics):
        return item
    return replace(item, published_at=published_at or item.published_at, metrics=metrics or item.metrics)


def submitted_caption(c: Collaboration, url: str) -> str | None:
    """The caption the creator sent with their latest `submit-post` of this post (the action's
    body is on the timeline); None when they sent none."""
    pid = post_id(url)
    for e in reversed(c.timeline):
        if e.type == "submit-post" and post_id(str(e.detail.get("url", ""))) == pid:
            text = e.detail.get("text")
            return text if isinstance(text, str) and text.strip() else None
    return None


def _match(ctx: Context, text: str, urls: list[str]) -> post_matching.PostMatch:
    rules = ctx.campaign.content
    return post_matching.match(
        text,
        urls=urls,
        link_host=ctx.link_host,
        codes=ctx.codes,
        promo_codes=ctx.promo_codes,
        hashtags=rules.hashtags,
        mentions=rules.mentions,
        keywords=rules.keywords,
    )


def _post(
    ctx: Context,
    item: SourceItem,
    previous: Post | None,
    source: Literal["manual", "feed"],
    found: post_matching.PostMatch,
    verdict: DisclosureResult,
    rules: RuleResult,
    *,
    text_from: TextFrom | None,
    page_error: str | None,
) -> Post:
    now = clock.now_iso()
    samples = list(previous.metrics) if previous else []
    if item.metrics and any(v is not None for v in item.metrics.model_dump().values()):
        samples.append(MetricsSample(at=now, **item.metrics.model_dump()))
    return Post(
        id=post_id(item.url),
        campaign_id=ctx.campaign.id,
        creator_id=ctx.creator.id,
        url=item.url,
        platform=item.platform,
        source=previous.source if previous else source,
        published_at=clock.iso(item.published_at) if item.published_at else None,
        text=item.text,
        matched=found.matched,
        signals=found.signals,
        disclosure=verdict,
        brand_rules=rules,
        text_from=text_from,
        page_error=page_error,
        metrics=samples[-200:],
        first_seen_at=previous.first_seen_at if previous else now,
        checked_at=now,
    )


def _keep(deps: Deps, ctx: Context, post: Post, previous: Post | None) -> Recorded:
    """Saves the post, raises the problems it has (again, when one just came back) and resolves
    those the previous check had and this one does not."""
    deps.stores.posts.save(ctx.brand_id, post)
    campaign_id, creator_id = ctx.campaign.id, ctx.creator.id
    if previous is None:
        deps.events.publish(
            "post.found",
            {
                "brand_id": ctx.brand_id,
                "campaign_id": campaign_id,
                "creator_id": creator_id,
                "post_id": post.id,
                "url": post.url,
                "disclosure": post.disclosure.result,
                "brand_rules_ok": post.brand_rules.ok,
            },
        )
    before = problems(previous) if previous else {}
    now = problems(post)
    raised = [
        a
        for key, (kind, message) in now.items()
        if (
            a := raise_alert(
                deps,
                ctx.brand_id,
                campaign_id,
                creator_id,
                kind,
                message,
                post_id=post.id,
                key=key,
                collaboration_id=ctx.collaboration_id,
                reopen=key not in before,
            )
        )
    ]
    resolved: list[Alert] = []
    gone = [alerts.alert_id(campaign_id, key) for key in before if key not in now]
    if gone:
        rules = {True: "met", False: "broken", None: "not checked"}[post.brand_rules.ok]
        reason = f"the post was checked again: disclosure {post.disclosure.result}, brand rules {rules}"
        resolved += alerts.resolve_ids(deps, ctx.brand_id, gone, reason)
    if previous is None:
        resolved += alerts.resolve_where(
            deps,
            ctx.brand_id,
            {"kind": "missing_post", "campaign_id": campaign_id, "creator_id": creator_id},
            f"a post was found: {post.url}",
        )
    return Recorded(post, previous is None, raised, resolved)


def problems(post: Post) -> dict[str, tuple[AlertKind, str]]:
    """The post's problems, each under the key its alert id is derived from (the same problem is
    the same alert, check after check)."""
    verdict = post.disclosure
    if verdict.result == "unknown":
        message = f"post unreadable, nothing was checked: {verdict.reason}; re-check it or send its caption"
        return {f"{post.id}:post_unreadable": ("post_unreadable", message)}
    found: dict[str, tuple[AlertKind, str]] = {}
    if post.page_error and post.text_from == "creator":
        found[f"{post.id}:post_unreadable:caption"] = (
            "post_unreadable",
            f"could not read the post: {post.page_error}; the caption the creator sent was checked "
            f"instead (disclosure {verdict.result}); once you have seen the post, accept it to book its fee",
        )
    if verdict.result != "compliant":
        message = f"FTC disclosure {verdict.result}: {verdict.reason}"
        found[f"{post.id}:disclosure:{message}"] = ("disclosure", message)
    if post.brand_rules.ok is False:
        broken = [f"missing {m}" for m in post.brand_rules.missing_mentions] + [
            f"banned {b!r}" for b in post.brand_rules.banned_terms
        ]
        message = "brand rules broken: " + ", ".join(broken)
        found[f"{post.id}:brand_rules:{message}"] = ("brand_rules", message)
    return found


def check_due(deps: Deps, ctx: Context, today: date) -> Alert | None:
    """After the campaign's due day, a creator without a matched post raises a missing_post alert."""
    due = ctx.campaign.monitoring.posts_due
    if due is None or today <= due:
        return None
    if deps.stores.posts.has_post(ctx.brand_id, ctx.campaign.id, ctx.creator.id):
        return None
    return raise_alert(
        deps,
        ctx.brand_id,
        ctx.campaign.id,
        ctx.creator.id,
        "missing_post",
        f"no post found for {ctx.creator.name} by the due date {due.isoformat()}",
        post_id=None,
        key=f"missing:{ctx.creator.id}:{due.isoformat()}",
        collaboration_id=ctx.collaboration_id,
    )
