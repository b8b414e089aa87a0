"""UTC time in one place, so tests can reason about it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(text: str) -> datetime:
    """A store's timestamp: ISO 8601 (a trailing Z allowed; naive means UTC) or epoch seconds
    (Stripe). Raises ValueError for anything else."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.fromtimestamp(int(text), UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
