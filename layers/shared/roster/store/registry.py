"""All stores over the one table (`roster.deps` builds them once per cold start)."""

from __future__ import annotations

from dataclasses import dataclass

from roster.store.applications import ApplicationStore
from roster.store.attributions import AttributionStore
from roster.store.brands import BrandStore
from roster.store.campaigns import CampaignStore
from roster.store.collaborations import CollaborationStore
from roster.store.creators import CreatorStore
from roster.store.idempotency import IdempotencyStore
from roster.store.integrations import IntegrationStore
from roster.store.ledger import LedgerStore
from roster.store.links import LinkStore
from roster.store.members import MemberStore
from roster.store.monitoring import MonitorStore
from roster.store.orders import OrderStore
from roster.store.outreach import OutreachStore
from roster.store.payouts import PayoutStore
from roster.store.portal import PortalStore
from roster.store.posts import PostStore
from roster.store.promo_codes import PromoCodeStore
from roster.store.stats import StatsStore
from roster.store.table import Table
from roster.store.webhooks import WebhookEventStore

__all__ = ["Stores", "Table"]


@dataclass(frozen=True)
class Stores:
    brands: BrandStore
    campaigns: CampaignStore
    creators: CreatorStore
    idempotency: IdempotencyStore
    links: LinkStore
    stats: StatsStore
    integrations: IntegrationStore
    webhook_events: WebhookEventStore
    orders: OrderStore
    promo_codes: PromoCodeStore
    attributions: AttributionStore
    ledger: LedgerStore
    payouts: PayoutStore
    posts: PostStore
    monitor: MonitorStore
    outreach: OutreachStore
    collaborations: CollaborationStore
    members: MemberStore
    portal: PortalStore
    applications: ApplicationStore

    @classmethod
    def for_table(cls, table: Table) -> Stores:
        return cls(
            BrandStore(table),
            CampaignStore(table),
            CreatorStore(table),
            IdempotencyStore(table),
            LinkStore(table),
            StatsStore(table),
            IntegrationStore(table),
            WebhookEventStore(table),
            OrderStore(table),
            PromoCodeStore(table),
            AttributionStore(table),
            LedgerStore(table),
            PayoutStore(table),
            PostStore(table),
            MonitorStore(table),
            OutreachStore(table),
            CollaborationStore(table),
            MemberStore(table),
            PortalStore(table),
            ApplicationStore(table),
        )
