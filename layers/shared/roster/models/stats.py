"""Click statistics of a link, campaign or creator: totals and per-day counts."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ClickCounts(BaseModel):
    clicks: int = Field(description="Counted clicks: people, not bots, at most one per visitor per hour")
    unique_clicks: int = Field(
        description="Clicks from visitors not counted earlier that UTC day on that link"
    )
    countries: dict[str, int] = Field(default={}, description="Clicks by ISO country (when known)")
    devices: dict[str, int] = Field(
        default={}, description="Clicks by device type: mobile, tablet, desktop, other"
    )


class DayCounts(BaseModel):
    day: str
    clicks: int
    unique_clicks: int


class ClickStats(BaseModel):
    scope: str = Field(description="link, campaign or creator")
    id: str
    first_day: str
    last_day: str
    totals: ClickCounts
    days: list[DayCounts]
