"""Every key in the table is built here, and only here. See docs/data-model.md.

Every brand-owned item lives under the brand's partition (`BRAND#<id>`), so a query that forgets
the brand cannot be written: the brand id is always the first argument.
"""

from __future__ import annotations

import re

PK, SK = "PK", "SK"
GSI1, GSI1PK, GSI1SK = "GSI1", "GSI1PK", "GSI1SK"
GSI2, GSI2PK, GSI2SK = "GSI2", "GSI2PK", "GSI2SK"
TTL_ATTRIBUTE = "expires_at"
KEY_ATTRIBUTES = (PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK)

CAMPAIGN_PREFIX = "CAMPAIGN#"
CREATOR_PREFIX = "CREATOR#"
LINK_PREFIX = "LINK#"
INTEGRATION_PREFIX = "INTEGRATION#"
LAST_DELIVERY_PREFIX = "LASTDELIVERY#"
WEBHOOK_PREFIX = "WEBHOOK#"
PROMO_PREFIX = "PROMO#"
LEDGER_PREFIX = "LEDGER#"
APIKEY_PREFIX = "APIKEY#"
PAYOUT_PREFIX = "PAYOUT#"
MEMBER_PREFIX = "MEMBER#"


def brand_pk(brand_id: str) -> str:
    return f"BRAND#{brand_id}"


def brand_sk() -> str:
    return "BRAND"


def campaign_sk(campaign_id: str) -> str:
    return f"{CAMPAIGN_PREFIX}{campaign_id}"


def campaigns_by_status_pk(brand_id: str, status: str) -> str:
    return f"BRAND#{brand_id}#CAMPAIGN_STATUS#{status}"


def creator_sk(creator_id: str) -> str:
    return f"{CREATOR_PREFIX}{creator_id}"


def creator_email_sk(email_hash: str) -> str:
    """Uniqueness guard: one creator per email per brand (the email is stored hashed here)."""
    return f"CREATOR_EMAIL#{email_hash}"


def creators_by_tier_pk(brand_id: str, tier: str) -> str:
    return f"BRAND#{brand_id}#CREATOR_TIER#{tier}"


def creators_by_country_pk(brand_id: str, country: str) -> str:
    return f"BRAND#{brand_id}#CREATOR_COUNTRY#{country}"


def idempotency_sk(key_hash: str) -> str:
    """A brand's Idempotency-Key record (the key is client-chosen, so it is stored hashed)."""
    return f"IDEMPOTENCY#{key_hash}"


def link_sk(code: str) -> str:
    """The brand's copy of a link (full record, listed and filtered through GSI1/GSI2)."""
    return f"{LINK_PREFIX}{code}"


def links_by_campaign_pk(brand_id: str, campaign_id: str) -> str:
    return f"BRAND#{brand_id}#LINK_CAMPAIGN#{campaign_id}"


def links_by_creator_pk(brand_id: str, creator_id: str) -> str:
    return f"BRAND#{brand_id}#LINK_CREATOR#{creator_id}"


def redirect_pk(code: str) -> str:
    """Global (not brand-scoped) redirect record: the redirect only has the code. Codes are unique
    per deployment, so this item is also what makes a code taken."""
    return f"LINK#{code}"


def redirect_sk() -> str:
    return "REDIRECT"


# A click id of the visit form: "v1" and 22 base64url characters, a keyed MAC of (brand, link,
# visitor, UTC day) computed by the redirect (roster.links.redirect.click_id). Anything else a store
# sends back is an older click id (a ULID), found by click_pk.
VISIT_CLICK_ID = re.compile(r"^v1[A-Za-z0-9_-]{22}$")


def visit_pk(brand_id: str, code: str, visitor: str, day: str) -> str:
    """The visit key before issue 16 (TTL 2 days), still used when a replay line logged before it
    carries an older click id (tools/replay_clicks.py)."""
    return f"BRAND#{brand_id}#VISIT#{code}#{visitor}#{day}"


def visit_pk_of(brand_id: str, click_id: str) -> str:
    """One visitor on one link on one UTC day, keyed by the visit's click id: the dedupe record the
    redirect writes, which attribution reads by the id a store sends back (kept for the attribution
    horizon). Each is its own partition, so a viral link spreads over many partitions."""
    return f"BRAND#{brand_id}#VISIT#{click_id}"


def visit_sk() -> str:
    return "VISIT"


def click_pk(brand_id: str, click_id: str) -> str:
    """A counted click as the stream consumer kept it before issue 16 (400 days), found by an older
    click id (a ULID) a store sends back with an order. No longer written."""
    return f"BRAND#{brand_id}#CLICK#{click_id}"


def click_sk() -> str:
    return "CLICK"


def stats_sk(scope: str, scope_id: str, day: str) -> str:
    """Daily click counters of a link, campaign or creator, under the brand's partition."""
    return f"STATS#{scope.upper()}#{scope_id}#{day}"


def integration_sk(provider: str) -> str:
    return f"{INTEGRATION_PREFIX}{provider}"


def last_delivery_sk(provider: str) -> str:
    """The newest delivery a store sent (by arrival), beside the integration: kept when the
    integration is set again or removed."""
    return f"{LAST_DELIVERY_PREFIX}{provider}"


def webhook_event_sk(event_id: str) -> str:
    return f"{WEBHOOK_PREFIX}{event_id}"


def webhook_events_by_status_pk(brand_id: str, status: str) -> str:
    return f"BRAND#{brand_id}#WEBHOOK_STATUS#{status}"


def order_event_sk(provider: str, order_id: str, kind: str, event_key: str) -> str:
    """Order events sort together per order: the order, its refunds, its cancellation."""
    return f"ORDER#{provider}#{order_id}#{kind}#{event_key}"


def order_events_prefix(provider: str, order_id: str) -> str:
    """All of one order's events, and only that order's (`…#123#`, not `…#1234`)."""
    return f"ORDER#{provider}#{order_id}#"


def order_state_sk(provider: str, order_id: str) -> str:
    """One item per order: how many events are stored and what the ledger holds for it. Bookers
    append on condition that it is exactly as they read it (outside the events' prefix)."""
    return f"ORDERSTATE#{provider}#{order_id}"


def promo_code_sk(code: str) -> str:
    """Codes match case-insensitively, so the key is the upper-case code."""
    return f"{PROMO_PREFIX}{code.upper()}"


def promo_stripe_sk(promotion_code_id: str) -> str:
    """Uniqueness guard and lookup: a Stripe promotion code id (case-sensitive) → the Roster code.
    Outside PROMO_PREFIX, so code listings do not see it."""
    return f"PROMO_STRIPE#{promotion_code_id}"


def attribution_sk(provider: str, order_id: str) -> str:
    """The one attribution decision per order (creator, or none)."""
    return f"ATTRIBUTION#{provider}#{order_id}"


def attributions_prefix() -> str:
    """Every attribution of the brand (the orders listing without a filter)."""
    return "ATTRIBUTION#"


def attributions_by_campaign_pk(brand_id: str, campaign_id: str) -> str:
    return f"BRAND#{brand_id}#ATTR_CAMPAIGN#{campaign_id}"


def attributions_by_creator_pk(brand_id: str, creator_id: str) -> str:
    return f"BRAND#{brand_id}#ATTR_CREATOR#{creator_id}"


def ledger_sk(provider: str, order_id: str, seq: int | None) -> str:
    """Entries sort per order; `seq=None` gives the prefix of all of an order's entries."""
    prefix = f"LEDGER#{provider}#{order_id}#"
    return prefix if seq is None else f"{prefix}{seq:06d}"


def ledger_by_creator_pk(brand_id: str, creator_id: str) -> str:
    return f"BRAND#{brand_id}#LEDGER_CREATOR#{creator_id}"


def ledger_by_campaign_pk(brand_id: str, campaign_id: str) -> str:
    return f"BRAND#{brand_id}#LEDGER_CAMPAIGN#{campaign_id}"


def payout_sk(payout_id: str) -> str:
    """Payout ids are ULIDs: the brand's payouts sort by booking time."""
    return f"{PAYOUT_PREFIX}{payout_id}"


def payout_lock_sk() -> str:
    """The brand's one payout booking in progress (payout id and lease)."""
    return "PAYOUT_LOCK"


def post_sk(campaign_id: str, post_id: str) -> str:
    """A campaign's posts sort together: its content library."""
    return f"POST#{campaign_id}#{post_id}"


def alert_sk(alert_id: str) -> str:
    return f"ALERT#{alert_id}"


def alerts_by_status_pk(brand_id: str, status: str) -> str:
    return f"BRAND#{brand_id}#ALERT_STATUS#{status}"


def monitored_campaigns_pk() -> str:
    """Global (not brand-scoped) GSI2 partition of active, monitored campaigns: the hourly
    dispatcher has no brand. Only the campaign item carries it; the API never queries it."""
    return "MONITORED_CAMPAIGNS"


def monitor_run_sk(campaign_id: str, run_id: str) -> str:
    """A campaign's monitor runs; run ids are ULIDs, so they sort by start time."""
    return f"MONRUN#{campaign_id}#{run_id}"


def feed_state_sk(campaign_id: str, creator_id: str, platform: str) -> str:
    """Conditional-GET validators and last result of one feed, per campaign (two campaigns watching
    one creator must each see new items, so they keep separate ETags)."""
    return f"FEED#{campaign_id}#{creator_id}#{platform}"


def email_template_sk(template_id: str) -> str:
    return f"EMAIL_TEMPLATE#{template_id}"


def outreach_settings_sk() -> str:
    return "OUTREACH_SETTINGS"


def sequence_sk(campaign_id: str, sequence_id: str) -> str:
    return f"SEQUENCE#{campaign_id}#{sequence_id}"


def enrollment_sk(campaign_id: str, creator_id: str) -> str:
    """A creator's place in a campaign's outreach: one per (campaign, creator)."""
    return f"ENROLL#{campaign_id}#{creator_id}"


def enrollments_by_creator_pk(brand_id: str, creator_id: str) -> str:
    return f"BRAND#{brand_id}#ENROLL_CREATOR#{creator_id}"


def outreach_due_pk() -> str:
    """Global (not brand-scoped) GSI2 partition of enrollments with a follow-up due, sorted by
    time: the follow-up dispatcher has no brand. Sparse: only active enrollments carry it."""
    return "OUTREACH_DUE"


def message_sk(message_id: str) -> str:
    return f"MESSAGE#{message_id}"


def messages_by_campaign_pk(brand_id: str, campaign_id: str) -> str:
    return f"BRAND#{brand_id}#MESSAGES#{campaign_id}"


def reply_pointer_pk(message_id: str) -> str:
    """Global: inbound mail has only the reply address, which names the message, not the brand."""
    return f"REPLY#{message_id}"


def reply_pointer_sk() -> str:
    return "REPLY"


def suppression_sk(email_hash: str) -> str:
    """An address this brand never emails again (unsubscribed, bounced, complained)."""
    return f"SUPPRESS#{email_hash}"


def collaboration_sk(collaboration_id: str) -> str:
    return f"COLLAB#{collaboration_id}"


def collaborations_by_campaign_pk(brand_id: str, campaign_id: str) -> str:
    return f"BRAND#{brand_id}#COLLAB_CAMPAIGN#{campaign_id}"


def collaborations_by_creator_pk(brand_id: str, creator_id: str) -> str:
    """A creator's collaborations across campaigns: their history (ratings, notes)."""
    return f"BRAND#{brand_id}#COLLAB_CREATOR#{creator_id}"


def campaign_workflow_sk(campaign_id: str) -> str:
    """The campaign execution, its periodic reports and wrap-up."""
    return f"WORKFLOW#{campaign_id}"


def api_key_lookup_pk(key_hash: str) -> str:
    """The one global (not brand-scoped) item family: the authorizer only has the key."""
    return f"APIKEY#{key_hash}"


def api_key_lookup_sk() -> str:
    return "APIKEY"


def api_key_sk(key_id: str) -> str:
    """The brand's own listing of its keys (metadata only)."""
    return f"{APIKEY_PREFIX}{key_id}"


def member_sk(member_id: str) -> str:
    """A team member of the brand (its role and name; Cognito holds the credentials)."""
    return f"{MEMBER_PREFIX}{member_id}"


def member_lookup_pk(sub: str) -> str:
    """Global, like the API key lookup: the authorizer has only the token's `sub`."""
    return f"MEMBERSUB#{sub}"


def member_lookup_sk() -> str:
    return "MEMBER"


def once_sk(kind: str, token_hash: str) -> str:
    """A single-use link of the creator pages (sign-in, email confirmation), by its token's hash."""
    return f"ONCE#{kind}#{token_hash}"


def creator_session_sk(session_hash: str) -> str:
    """A creator's signed-in session on creator home, by its cookie's hash."""
    return f"CSESSION#{session_hash}"


def rate_sk(kind: str, subject_hash: str, window: int) -> str:
    """A counter of attempts (sign-in links per address, applications per hashed IP) in one window."""
    return f"RATE#{kind}#{subject_hash}#{window}"


# ---- the application page (issue 15)
APPLICATION_PREFIX = "APPLICATION#"


def application_page_sk() -> str:
    """The brand's application page settings (slug, intro, campaigns)."""
    return "APPLY_PAGE"


def application_slug_pk(slug: str) -> str:
    """Global, like the redirect record: a visitor of `/apply/<slug>` has only the slug. Holds the
    brand id and nothing else; one item per slug makes a slug unique across Roster."""
    return f"APPLY_SLUG#{slug}"


def application_slug_sk() -> str:
    return "APPLY_SLUG"


def application_sk(application_id: str) -> str:
    """One application through the brand's page (unconfirmed ones expire by TTL)."""
    return f"{APPLICATION_PREFIX}{application_id}"


def applications_by_status_pk(brand_id: str, status: str) -> str:
    """Confirmed applications by status (an unconfirmed one has no index keys: the brand never sees it)."""
    return f"BRAND#{brand_id}#APPLICATION_STATUS#{status}"


def creator_profile_sk(creator_id: str, platform: str) -> str:
    """The latest snapshot of one creator on one platform (discovery), whole. Not under `CREATOR#`:
    the roster list reads that prefix as creators."""
    return f"CPROFILE#{creator_id}#{platform}"


def creator_profiles_prefix(creator_id: str) -> str:
    return f"CPROFILE#{creator_id}#"


def creator_snapshot_sk(creator_id: str, platform: str, day: str) -> str:
    """One day's counts of one creator on one platform: the growth history (one per day, the day's
    last refresh wins)."""
    return f"CSNAP#{creator_id}#{platform}#{day}"


def creator_snapshots_prefix(creator_id: str, platform: str) -> str:
    return f"CSNAP#{creator_id}#{platform}#"


def enrichment_schedule_sk(creator_id: str) -> str:
    """When the creator is next enriched (discovery's schedule); the index key names the day."""
    return f"CENRICH#{creator_id}"


def enrichment_due_pk(day: str) -> str:
    """The creators due for enrichment on one day, across brands (a sparse index partition)."""
    return f"ENRICH_DUE#{day}"


def quota_pk(api: str) -> str:
    """One platform API's quota ledger (per deployment, not per brand: the key is shared); the sort
    key is the quota's day."""
    return f"QUOTA#{api}"


def discovery_settings_sk() -> str:
    """The brand's discovery settings (its competitors, for screening)."""
    return "DISCOVERY_SETTINGS"
