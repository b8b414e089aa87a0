"""Store webhooks as Roster keeps them: which store sent one (`Provider`) and the delivery record
the API lists (`WebhookEvent`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Provider(StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    STRIPE = "stripe"
    ORDERS = "orders"  # Roster's generic signed-JSON orders webhook


# processing → processed | ignored | failed (roster.conversions.webhooks)
WebhookStatus = Literal["processing", "processed", "ignored", "failed"]


class WebhookEvent(BaseModel):
    id: str = Field(description="<provider>:<the provider's event id>")
    provider: Provider
    topic: str
    status: WebhookStatus
    received_at: str
    error: str | None = Field(
        default=None, description="Why processing failed (failed events, or a processing run that failed)"
    )
    stale: bool = Field(
        default=False,
        description="Processing, but the run holding it failed or died (its lease ran out): a store "
        "retry or POST …/replay takes it over",
    )
    order_events: int | None = None


class WebhookEventList(BaseModel):
    items: list[WebhookEvent]
    next_cursor: str | None
