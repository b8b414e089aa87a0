"""Ledger entries as they arrive on the table's stream (the click aggregator's batches)."""

from __future__ import annotations

from typing import Any

from roster.models.ledger import LedgerEntry
from roster.store import keys
from roster.store.table import deserialize


def inserted_entries(event: dict[str, Any]) -> list[tuple[str, LedgerEntry]]:
    """(brand id, entry) for each ledger entry inserted in a DynamoDB stream batch. Payouts mark
    entries paid (MODIFY): that changes no spend, so only inserts are read."""
    out = []
    for record in event.get("Records", []):
        image = (record.get("dynamodb") or {}).get("NewImage")
        if (
            record.get("eventName") == "INSERT"
            and image
            and image.get("entity", {}).get("S") == "ledger_entry"
        ):
            item = deserialize(image)
            brand_id = str(item[keys.PK]).removeprefix(keys.brand_pk(""))
            out.append((brand_id, LedgerEntry.model_validate(item)))
    return out
