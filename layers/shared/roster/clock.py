"""UTC time in one place, so tests can reason about it, and the one format Roster writes a moment
in: UTC, milliseconds, `Z` (e.g. `2027-01-10T12:00:00.000Z`). Stored moments are compared as text
(sort keys, due indexes, holds), so they must all be written here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(when: datetime) -> str:
    """`when` in the one stored format (naive means UTC)."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def later(seconds: float) -> str:
    """The moment `seconds` from now, in the stored format (timers, follow-ups, leases)."""
    return iso(now() + timedelta(seconds=seconds))


def from_epoch(epoch: float) -> str:
    """An epoch (the webhook intake's and the redirect's clocks) in the stored format."""
    return iso(datetime.fromtimestamp(epoch, UTC))


def to_the_second(when: datetime) -> str:
    """A moment in a sentence for people (a reason, a message), without the milliseconds."""
    return iso(when)[:19] + "Z"


def parse(text: str) -> datetime:
    """A store's timestamp: ISO 8601 (a trailing Z allowed; naive means UTC) or epoch seconds
    (Stripe). Raises ValueError for anything else."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.fromtimestamp(int(text), UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
