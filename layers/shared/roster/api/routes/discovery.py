"""Routes for discovery: a creator's audience quality (as kept, and refreshed from the platforms),
brand fit and screening of the kept posts against a campaign, and the brand's competitors."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from http import HTTPStatus as H
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from roster import clock
from roster.api.deps import WRITE_ERRORS, admin, principal, responses
from roster.deps import deps
from roster.errors import RosterError, ValidationFailed
from roster.models.common import ErrorResponse
from roster.models.creators import Platform
from roster.models.discovery import CreatorQuality, CreatorScreening, DiscoverySettings, DiscoverySettingsPut
from roster.observability import logger
from roster.web.edge import error_body

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

    from roster.discovery.enrich import PlatformEnrichment
    from roster.store.registry import Stores

# The platforms Roster has a source for, in the order a message names them.
READ = (Platform.YOUTUBE, Platform.BLUESKY, Platform.MASTODON)
LABELS = {Platform.YOUTUBE: "YouTube", Platform.BLUESKY: "Bluesky", Platform.MASTODON: "Mastodon"}
# A refresh costs YouTube quota shared with monitoring (up to 6 units a creator) and a platform's
# rate limit; the counts it reads barely move within minutes.
REFRESH_EVERY = timedelta(minutes=10)
# Why a platform Roster reads has no source in this deployment (only YouTube needs a key).
NOT_CONNECTED = {
    Platform.YOUTUBE: "youtube: YouTube is not connected (this deployment has no YouTube Data API key)"
}

TOO_SOON: dict[int, OpenAPIResponse] = {
    int(H.TOO_MANY_REQUESTS): {
        "description": "Refreshed less than 10 minutes ago (`rate_limited`); `Retry-After` gives the seconds "
        "until it may be refreshed again",
        "content": {"application/json": {"model": ErrorResponse}},
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}
        },
    }
}


class RefreshedTooRecently(RosterError):
    """Answered 429 with Retry-After by this group's own handler (the edge's table has no 429)."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _snapshot_view(data: dict[str, Any]) -> dict[str, Any]:
    """A kept snapshot as the API shows it: times in Roster's one format, and the audience samples
    counted, not listed (a comment's text and its hashed author are read by the signals, which
    quote comments masked; the answer never carries them raw)."""
    view = {k: v for k, v in data.items() if k not in ("comments", "follower_sample")}
    view["at"] = clock.iso(clock.parse(str(data["at"])))
    view["recent_posts"] = [
        {**p, "published_at": clock.iso(clock.parse(p["published_at"])) if p.get("published_at") else None}
        for p in data.get("recent_posts") or []
    ]
    view["comments_sampled"] = len(data.get("comments") or [])
    view["followers_sampled"] = len(data.get("follower_sample") or [])
    return view


def _quality(
    creator_id: str, results: list[PlatformEnrichment], refreshed: datetime | None
) -> CreatorQuality:
    platforms = []
    for result in results:
        row = result.to_dict()
        if result.snapshot:  # the platform's own name for the account, as a kept snapshot says
            row["handle"] = result.snapshot.handle
        row["snapshot"] = _snapshot_view(row["snapshot"]) if row["snapshot"] else None
        platforms.append(row)
    return CreatorQuality.model_validate(
        {
            "creator_id": creator_id,
            "refreshed_at": clock.iso(refreshed) if refreshed else None,
            "platforms": platforms,
        }
    )


def _newest(stores: Stores, brand_id: str, creator_id: str) -> datetime | None:
    times = [clock.parse(str(s["at"])) for s in stores.snapshots.latest(brand_id, creator_id)]
    return max(times, default=None)


def _wait(newest: datetime | None, now: datetime) -> int | None:
    """Seconds until the creator may be refreshed again, or None when it may be now. A kept time
    ahead of the clock waits at most the full interval."""
    if newest is None:
        return None
    left = min(newest + REFRESH_EVERY - now, REFRESH_EVERY).total_seconds()
    return max(1, math.ceil(left)) if left > 0 else None


def build_router() -> Router:
    router = Router()

    @router.exception_handler(RefreshedTooRecently)
    def _too_soon(exc: RefreshedTooRecently) -> Response[Any]:
        return Response(
            status_code=H.TOO_MANY_REQUESTS,
            content_type=content_types.APPLICATION_JSON,
            body=error_body(exc.code, exc.message),
            headers={"Retry-After": str(exc.retry_after)},
        )

    @router.get(
        "/v1/creators/<creator_id>/quality",
        tags=["discovery"],
        summary="The creator's audience quality per platform, from what the last enrichment kept",
        description="No platform is called: the kept snapshots are assessed now (docs/discovery.md has "
        "every signal, band and limit). `platforms` is [] and `refreshed_at` null until the creator is "
        "enriched. Snapshots show the comment and follower samples as counts only.",
        responses=responses(200, CreatorQuality, H.NOT_FOUND),
    )
    def get_quality(creator_id: str) -> CreatorQuality:
        from roster.discovery.enrich import stored_quality

        brand_id = principal(router).brand_id
        stores = deps().stores
        stores.creators.require(brand_id, creator_id)  # 404 unless it is this brand's creator
        results = stored_quality(brand_id, creator_id, stores.snapshots, now=clock.now())
        refreshed = max((r.snapshot.at for r in results if r.snapshot), default=None)
        return _quality(creator_id, results, refreshed)

    @router.post(
        "/v1/creators/<creator_id>/enrichment",
        tags=["discovery"],
        summary="Refresh the creator's profiles from YouTube, Bluesky and Mastodon now, keep and assess them",
        description="Every platform of the creator's that Roster reads (YouTube when the deployment has "
        "its API key) is read now and kept; a platform that fails this time has `snapshot` and `quality` "
        "null and its `failure`, and keeps its earlier snapshot. 422 when the creator has no profile on "
        "a platform Roster reads; 429 with `Retry-After` within 10 minutes of the last kept snapshot "
        "(the YouTube quota is shared with monitoring). No body.",
        responses={**responses(200, CreatorQuality, H.NOT_FOUND), **TOO_SOON},
    )
    def enrich(creator_id: str) -> CreatorQuality:
        from roster.discovery.enrich import PlatformEnrichment, account_of, enrich_creator

        brand_id = principal(router).brand_id
        d = deps()
        creator = d.stores.creators.require(brand_id, creator_id)
        readable = {p: profile for p, profile in creator.platforms.items() if p in READ}
        if not readable:
            others = ", ".join(p.value for p in creator.platforms) or "none"
            raise ValidationFailed(
                "Roster reads YouTube, Bluesky and Mastodon; this creator has no profile on any of them "
                f"(profiles: {others}). Add one to the creator's platforms first"
            )
        now = clock.now()
        newest = _newest(d.stores, brand_id, creator_id)
        if (wait := _wait(newest, now)) is not None:
            raise RefreshedTooRecently(
                f"this creator was refreshed at {clock.to_the_second(newest or now)}; refresh again in "
                f"{wait} s (at most once every {REFRESH_EVERY.seconds // 60} minutes)",
                retry_after=wait,
            )
        from roster.discovery.schedule import EVERY_DAYS, ReservedYouTube

        sources = d.discovery_sources()
        if Platform.YOUTUBE in sources:  # the day's units are shared with the scheduled runs
            sources[Platform.YOUTUBE] = ReservedYouTube(sources[Platform.YOUTUBE], d.stores.enrichment, now)
        done = {
            r.platform: r for r in enrich_creator(brand_id, creator, sources, d.stores.snapshots, now=now)
        }
        if any(r.snapshot for r in done.values()):  # read now: the weekly run starts from today
            d.stores.enrichment.schedule(brand_id, creator_id, now.date() + timedelta(days=EVERY_DAYS))
        results = [
            done.get(p)
            or PlatformEnrichment(
                p,
                account_of(p, profile),
                None,
                None,
                NOT_CONNECTED.get(p, f"{p.value}: {LABELS[p]} is not connected in this deployment"),
            )
            for p, profile in readable.items()
        ]
        logger.info(
            "creator enriched",
            extra={"creator_id": creator_id, "failed": [r.platform.value for r in results if r.failure]},
        )
        # What is kept now: this refresh's snapshots, or an earlier one where a platform failed.
        kept = [r.snapshot.at for r in results if r.snapshot] + ([newest] if newest else [])
        return _quality(creator_id, results, max(kept, default=None))

    @router.get(
        "/v1/creators/<creator_id>/screening",
        tags=["discovery"],
        summary="Brand fit and screening of the creator's kept recent posts against one campaign",
        description="No platform is called: the recent posts of every kept snapshot are searched for the "
        "campaign's keywords, hashtags and mentions (`fit`) and screened for its banned terms, the "
        "brand's competitors (`GET /v1/discovery/settings`) and the disclosure record. A creator never "
        "enriched answers 200 with `posts_read` 0 and not enough data.",
        responses=responses(200, CreatorScreening, H.NOT_FOUND),
    )
    def screen(
        creator_id: str,
        campaign_id: Annotated[str, Query(min_length=1, max_length=64, description="The campaign to fit")],
    ) -> CreatorScreening:
        from roster.discovery import fit, screening
        from roster.discovery.profiles import from_dict

        brand_id = principal(router).brand_id
        stores = deps().stores
        stores.creators.require(brand_id, creator_id)
        campaign = stores.campaigns.require(brand_id, campaign_id)
        posts = [
            p for kept in stores.snapshots.latest(brand_id, creator_id) for p in from_dict(kept).recent_posts
        ]
        rules = campaign.content
        terms = fit.terms_for(keywords=rules.keywords, hashtags=rules.hashtags, mentions=rules.mentions)
        try:
            brand_fit = fit.fit(posts, terms)
        except fit.NoTerms as exc:
            brand_fit = fit.unscored(
                posts,
                "not enough data: the campaign names no keyword, hashtag or mention to search (its content "
                "rules)",
                ignored_terms=exc.ignored,
            )
        competitors = stores.discovery.get_settings(brand_id).competitors
        brand = stores.brands.get_brand(brand_id)
        now = clock.now()
        result = screening.screen(
            posts,
            banned_terms=rules.banned_terms,
            competitors=[c.model_dump() for c in competitors],
            brand=brand.name if brand else "",
            now=now,
        )
        return CreatorScreening.model_validate(
            {
                "creator_id": creator_id,
                "campaign_id": campaign_id,
                "checked_at": clock.iso(now),
                "posts_read": len(posts),
                "terms": terms,
                "fit": brand_fit.to_dict(),
                "screening": result.to_dict(),
            }
        )

    @router.get(
        "/v1/discovery/settings",
        tags=["discovery"],
        summary="The brand's competitors, which screening looks for",
        responses=responses(200, DiscoverySettings),
    )
    def get_settings() -> DiscoverySettings:
        return deps().stores.discovery.get_settings(principal(router).brand_id)

    @router.put(
        "/v1/discovery/settings",
        tags=["discovery"],
        summary="Set the brand's competitors (admin only): the list replaces the last one",
        responses=responses(200, DiscoverySettings, H.FORBIDDEN, *WRITE_ERRORS),
    )
    def put_settings(body: DiscoverySettingsPut) -> DiscoverySettings:
        brand_id = admin(router).brand_id
        settings = DiscoverySettings(competitors=body.competitors, updated_at=clock.now_iso())
        deps().stores.discovery.put_settings(brand_id, settings)
        return settings

    return router
