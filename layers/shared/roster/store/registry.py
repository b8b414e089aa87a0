"""All stores over the one table (`roster.deps` builds them once per cold start). Each store module
is imported on its first use, with its models: a function (or a request) pays only for the stores
it reads and writes (docs/decisions.md, Performance, Cold starts)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from roster.store.table import Table

if TYPE_CHECKING:
    from roster.store.applications import ApplicationStore
    from roster.store.attributions import AttributionStore
    from roster.store.brands import BrandStore
    from roster.store.campaigns import CampaignStore
    from roster.store.collaborations import CollaborationStore
    from roster.store.creators import CreatorStore
    from roster.store.discovery import DiscoveryStore
    from roster.store.enrichment import EnrichmentStore
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
    from roster.store.snapshots import SnapshotStore
    from roster.store.stats import StatsStore
    from roster.store.webhooks import WebhookEventStore

__all__ = ["Stores", "Table"]


class Stores:
    """The stores of one table, each built on first use and kept (one instance each)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    @classmethod
    def for_table(cls, table: Table) -> Stores:
        return cls(table)

    @cached_property
    def brands(self) -> BrandStore:
        from roster.store.brands import BrandStore

        return BrandStore(self.table)

    @cached_property
    def campaigns(self) -> CampaignStore:
        from roster.store.campaigns import CampaignStore

        return CampaignStore(self.table)

    @cached_property
    def creators(self) -> CreatorStore:
        from roster.store.creators import CreatorStore

        return CreatorStore(self.table)

    @cached_property
    def enrichment(self) -> EnrichmentStore:
        from roster.store.enrichment import EnrichmentStore

        return EnrichmentStore(self.table)

    @cached_property
    def snapshots(self) -> SnapshotStore:
        from roster.store.snapshots import SnapshotStore

        return SnapshotStore(self.table)

    @cached_property
    def discovery(self) -> DiscoveryStore:
        from roster.store.discovery import DiscoveryStore

        return DiscoveryStore(self.table)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        from roster.store.idempotency import IdempotencyStore

        return IdempotencyStore(self.table)

    @cached_property
    def links(self) -> LinkStore:
        from roster.store.links import LinkStore

        return LinkStore(self.table)

    @cached_property
    def stats(self) -> StatsStore:
        from roster.store.stats import StatsStore

        return StatsStore(self.table)

    @cached_property
    def integrations(self) -> IntegrationStore:
        from roster.store.integrations import IntegrationStore

        return IntegrationStore(self.table)

    @cached_property
    def webhook_events(self) -> WebhookEventStore:
        from roster.store.webhooks import WebhookEventStore

        return WebhookEventStore(self.table)

    @cached_property
    def orders(self) -> OrderStore:
        from roster.store.orders import OrderStore

        return OrderStore(self.table)

    @cached_property
    def promo_codes(self) -> PromoCodeStore:
        from roster.store.promo_codes import PromoCodeStore

        return PromoCodeStore(self.table)

    @cached_property
    def attributions(self) -> AttributionStore:
        from roster.store.attributions import AttributionStore

        return AttributionStore(self.table)

    @cached_property
    def ledger(self) -> LedgerStore:
        from roster.store.ledger import LedgerStore

        return LedgerStore(self.table)

    @cached_property
    def payouts(self) -> PayoutStore:
        from roster.store.payouts import PayoutStore

        return PayoutStore(self.table)

    @cached_property
    def posts(self) -> PostStore:
        from roster.store.posts import PostStore

        return PostStore(self.table)

    @cached_property
    def monitor(self) -> MonitorStore:
        from roster.store.monitoring import MonitorStore

        return MonitorStore(self.table)

    @cached_property
    def outreach(self) -> OutreachStore:
        from roster.store.outreach import OutreachStore

        return OutreachStore(self.table)

    @cached_property
    def collaborations(self) -> CollaborationStore:
        from roster.store.collaborations import CollaborationStore

        return CollaborationStore(self.table)

    @cached_property
    def members(self) -> MemberStore:
        from roster.store.members import MemberStore

        return MemberStore(self.table)

    @cached_property
    def portal(self) -> PortalStore:
        from roster.store.portal import PortalStore

        return PortalStore(self.table)

    @cached_property
    def applications(self) -> ApplicationStore:
        from roster.store.applications import ApplicationStore

        return ApplicationStore(self.table)
