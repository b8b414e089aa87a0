"""Post monitoring: a campaign's monitoring settings, monitor runs and their feed errors."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roster.models.common import ResponseModel
from roster.models.creators import Platform


class MonitoringSettings(BaseModel):
    """How often Roster looks for the campaign's posts, and when they are due."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Check creators' feeds on a schedule while active")
    every_hours: int = Field(
        default=24, ge=1, le=168, description="Check interval; 24 = daily (the default), 1 = hourly"
    )
    posts_due: date | None = Field(
        default=None, description="After this day, a creator with no matched post raises a missing_post alert"
    )


class FeedError(BaseModel):
    creator_id: str
    platform: Platform
    source: str
    error: str
    at: str


class MonitorRun(ResponseModel):
    id: str
    campaign_id: str
    trigger: Literal["schedule", "api"]
    status: Literal["running", "completed"]
    started_at: str
    creators_queued: int
    creators_done: int = 0
    feeds_checked: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    items_read: int = 0
    posts_found: int = 0
    alerts_raised: int = 0
    errors: list[FeedError] = Field(default=[], description="One entry per failing feed (first 50)")


class MonitorStatus(ResponseModel):
    campaign_id: str
    settings: MonitoringSettings
    scheduled: bool = Field(description="True while the campaign is active and monitoring is enabled")
    runs: list[MonitorRun] = Field(description="Most recent first")
