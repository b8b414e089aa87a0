"""What one webhook delivery reads to attribute and book its orders, read in batches and each item
at most once per delivery (docs/decisions.md, "Requests per order").

The caller says which items it will need as soon as it knows their keys (`want_*`), then fetches
them together: one BatchGetItem for everything whose key is known from the payload (the orders'
attributions and state items, their promo codes and clicks), one for what those name (campaigns,
creators). A lookup answers from what was fetched and reads (GetItem) only what was not asked for.
Nothing is kept beyond the delivery: a campaign's plan or end read here is at most one delivery
old, so a change applies to every order delivered after it."""

from __future__ import annotations

from typing import Any

from roster.models.attribution import Attribution
from roster.models.campaigns import Campaign
from roster.models.creators import Creator
from roster.models.promo_codes import PromoCode
from roster.store import keys
from roster.store.ledger import OrderState
from roster.store.stats import StatsStore
from roster.store.table import Item, Table

Key = tuple[str, str]


class OrderReads:
    def __init__(self, table: Table, brand_id: str) -> None:
        self.table = table
        self.brand_id = brand_id
        self._pk = keys.brand_pk(brand_id)
        self._known: dict[Key, Item | None] = {}  # fetched (None: not there)
        self._wanted: dict[Key, None] = {}

    # Keys, for the batches.
    def _key(self, sk: str) -> Key:
        return (self._pk, sk)

    def want_attribution(self, provider: str, order_id: str) -> None:
        self._want(self._key(keys.attribution_sk(provider, order_id)))

    def want_state(self, provider: str, order_id: str) -> None:
        self._want(self._key(keys.order_state_sk(provider, order_id)))

    def want_promo_code(self, code: str) -> None:
        self._want(self._key(keys.promo_code_sk(code)))

    def want_stripe_promotion(self, promotion_id: str) -> None:
        self._want(self._key(keys.promo_stripe_sk(promotion_id)))

    def want_click(self, click_id: str) -> None:
        self._want(StatsStore.click_key(self.brand_id, click_id))

    def want_campaign(self, campaign_id: str) -> None:
        self._want(self._key(keys.campaign_sk(campaign_id)))

    def want_creator(self, creator_id: str) -> None:
        self._want(self._key(keys.creator_sk(creator_id)))

    def _want(self, key: Key) -> None:
        if key not in self._known:
            self._wanted[key] = None

    def fetch(self, *, consistent: bool = False) -> None:
        """Reads every wanted item not read yet, in one BatchGetItem (per 100 keys)."""
        wanted, self._wanted = list(self._wanted), {}
        if not wanted:
            return
        found = self.table.batch_get(wanted, consistent=consistent)
        for key in wanted:
            self._known[key] = found.get(key)

    def forget_state(self, provider: str, order_id: str) -> None:
        """A state item is good for one booking attempt: the next one reads it again."""
        self._known.pop(self._key(keys.order_state_sk(provider, order_id)), None)

    # Lookups: what was fetched, else one GetItem (kept for the rest of the delivery).
    def _item(self, key: Key, *, consistent: bool = False) -> Item | None:
        if key not in self._known:
            self._known[key] = self.table.get(*key, consistent=consistent)
        return self._known[key]

    def attribution(self, provider: str, order_id: str) -> Attribution | None:
        item = self._item(self._key(keys.attribution_sk(provider, order_id)), consistent=True)
        return Attribution.model_validate(item) if item else None

    def prefetched_state(self, provider: str, order_id: str) -> OrderState | None:
        """The state item if this delivery fetched it and has not used it up; else None."""
        key = self._key(keys.order_state_sk(provider, order_id))
        return OrderState.from_item(self._known[key]) if key in self._known else None

    def promo_code(self, code: str) -> PromoCode | None:
        item = self._item(self._key(keys.promo_code_sk(code)))
        return PromoCode.model_validate(item) if item else None

    def stripe_promotion(self, promotion_id: str) -> PromoCode | None:
        guard = self._item(self._key(keys.promo_stripe_sk(promotion_id)))
        return self.promo_code(str(guard["code"])) if guard else None

    def click(self, click_id: str) -> dict[str, Any] | None:
        return self._item(StatsStore.click_key(self.brand_id, click_id))

    def campaign(self, campaign_id: str) -> Campaign | None:
        item = self._item(self._key(keys.campaign_sk(campaign_id)))
        return Campaign.model_validate(item) if item is not None else None

    def creator(self, creator_id: str) -> Creator | None:
        item = self._item(self._key(keys.creator_sk(creator_id)))
        return Creator.model_validate(item) if item is not None else None
