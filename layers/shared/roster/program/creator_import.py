"""Bulk import of creators from CSV, matched to the roster by email: a row creates or updates one
creator and reports what happened. Re-running the same file is safe (rows become `updated`).

Columns (header row required, case-insensitive, any order): `name`, `email` (required), `country`,
`tier`, `followers`, `status`, `notes`, `tags` (separated by `;` or `|`), `engagement_rate`,
`avg_views`, `avg_likes`, `avg_comments`, and per platform P (e.g. `instagram`): `P` (the handle),
`P_url`, `P_feed`, `P_followers`. An empty cell leaves the field as it is. Cells are separated by
`,`, `;` (what Excel writes where the decimal separator is a comma) or a tab, whichever the header
line uses; quote a cell that holds the separator. UTF-8, with or without a BOM; at most 200 columns.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from pydantic import ValidationError

from roster.errors import BadRequest, PayloadTooLarge, RosterError, ValidationFailed
from roster.ids import email_hash
from roster.models.creators import (
    CreatorCreate,
    CreatorPatch,
    ImportOutcome,
    ImportResult,
    ImportRowResult,
    ImportSummary,
    Platform,
)
from roster.program import creators
from roster.store.creators import CreatorStore

SCALAR_COLUMNS = ("name", "email", "country", "tier", "followers", "status", "notes")
ENGAGEMENT_COLUMNS = ("engagement_rate", "avg_views", "avg_likes", "avg_comments")
PLATFORM_SUFFIXES = {"": "handle", "_url": "profile_url", "_feed": "feed_url", "_followers": "followers"}
KNOWN_COLUMNS = frozenset(
    [*SCALAR_COLUMNS, *ENGAGEMENT_COLUMNS, "tags"]
    + [f"{p.value}{suffix}" for p in Platform for suffix in PLATFORM_SUFFIXES]
)


SEPARATORS = (",", ";", "\t")
MAX_COLUMNS = 200  # the known columns are fewer than 100; the cap keeps a hostile header cheap

# The body is not a model the resolver parses, so its OpenAPI entry is written here.
REQUEST_BODY = {
    "required": True,
    "content": {
        media: {
            "schema": {"type": "string", "description": "UTF-8 CSV, header row first"},
            "example": "name;email;instagram;instagram_followers\nMaya;maya@example.com;maya.runs;42000\n",
        }
        for media in ("text/csv", "application/csv")
    },
}


def separator(text: str) -> str:
    """The separator the header line uses most: column names hold none of them, so counting is
    exact where csv.Sniffer guesses from the data rows (and can pick a `;` inside a tags cell)."""
    header = text[: text.find("\n")] if "\n" in text else text
    return max(SEPARATORS, key=header.count)


def _header_problems(columns: list[str]) -> list[str]:
    counts = Counter(c for c in columns if c)
    problems = [f"unknown column {c!r}" for c in sorted(counts.keys() - KNOWN_COLUMNS)]
    problems += [f"missing required column {c!r}" for c in ("name", "email") if c not in counts]
    problems += [
        f"column {c!r} appears {'twice' if n == 2 else f'{n} times'}"
        for c, n in sorted(counts.items())
        if n > 1
    ]
    return problems


def parse(text: str, *, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """Returns (line number, non-empty cells by column) per data row; raises on an unusable file.
    Every check is one pass over the header and the rows."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=separator(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed("the CSV is empty; the first line must be a header") from None
    except csv.Error as exc:
        raise BadRequest(f"unreadable CSV: {exc}") from exc
    if len(header) > MAX_COLUMNS:
        problem = f"{len(header)} columns; at most {MAX_COLUMNS}"
        raise ValidationFailed(
            f"the CSV header has {problem}", details=[{"field": "header", "message": problem}]
        )
    columns = [h.strip().lower() for h in header]
    if problems := _header_problems(columns):
        raise ValidationFailed(
            "the CSV header is not usable",
            details=[{"field": "header", "message": p} for p in problems],
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) == max_rows:
                raise PayloadTooLarge(f"an import holds at most {max_rows} rows; split the file")
            row = {
                col: cell.strip() for col, cell in zip(columns, cells, strict=False) if col and cell.strip()
            }
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise BadRequest(f"unreadable CSV at line {reader.line_num}: {exc}") from exc
    return rows


def to_fields(row: dict[str, str]) -> dict[str, Any]:
    """Turns one row's cells into the creator fields they set."""
    fields: dict[str, Any] = {c: row[c] for c in SCALAR_COLUMNS if c in row}
    if "tags" in row:
        fields["tags"] = [t for t in row["tags"].replace("|", ";").split(";") if t.strip()]
    engagement = {c: row[c] for c in ENGAGEMENT_COLUMNS if c in row}
    if engagement:
        fields["engagement"] = engagement
    platforms: dict[str, dict[str, str]] = {}
    for platform in Platform:
        for suffix, name in PLATFORM_SUFFIXES.items():
            if (value := row.get(f"{platform.value}{suffix}")) is not None:
                platforms.setdefault(platform.value, {})[name] = value
    if platforms:
        fields["platforms"] = platforms
    return fields


def _messages(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]


def import_rows(store: CreatorStore, brand_id: str, text: str, *, max_rows: int) -> ImportResult:
    results: list[ImportRowResult] = []
    seen: dict[str, int] = {}
    for line, row in parse(text, max_rows=max_rows):
        email = row.get("email")
        result = ImportRowResult(row=line, status=ImportOutcome.ERROR, email=email)
        results.append(result)
        if email and (first := seen.setdefault(email_hash(email), line)) != line:
            result.errors = [f"email repeats line {first}; each creator may appear once per file"]
            continue
        try:
            _import_one(store, brand_id, to_fields(row), result)
        except ValidationError as exc:
            result.errors = _messages(exc)
        except RosterError as exc:
            result.errors = [exc.message, *(d["message"] for d in exc.details)]
    count = {o: sum(r.status == o for r in results) for o in ImportOutcome}
    return ImportResult(
        summary=ImportSummary(
            created=count[ImportOutcome.CREATED],
            updated=count[ImportOutcome.UPDATED],
            errors=count[ImportOutcome.ERROR],
        ),
        rows=results,
    )


def _import_one(store: CreatorStore, brand_id: str, fields: dict[str, Any], result: ImportRowResult) -> None:
    existing_id = store.id_for_email(brand_id, fields["email"]) if "email" in fields else None
    if existing_id is None:
        created = creators.create(store, brand_id, CreatorCreate.model_validate(fields))
        result.status, result.creator_id = ImportOutcome.CREATED, created.id
        return
    current = store.require(brand_id, existing_id)
    if "platforms" in fields:
        merged = {k.value: v.model_dump(mode="json", exclude_none=True) for k, v in current.platforms.items()}
        for name, profile in fields["platforms"].items():
            merged[name] = merged.get(name, {}) | profile
        fields["platforms"] = merged
    if "engagement" in fields and current.engagement:
        fields["engagement"] = current.engagement.model_dump(exclude_none=True) | fields["engagement"]
    patch = CreatorPatch.model_validate(fields)
    updated = creators.update(store, brand_id, existing_id, patch, current=current)
    result.status, result.creator_id = ImportOutcome.UPDATED, updated.id
