"""Shared model bases (request, patch, response), money, domains, tags and the error body."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from roster.errors import ValidationFailed
from roster.money import MAX_AMOUNT, is_currency
from roster.web import public_suffixes


class RequestModel(BaseModel):
    """Base for request bodies: unknown fields are an error, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PatchModel(RequestModel):
    """Base for PATCH bodies: only the fields sent change; `null` is allowed only for NULLABLE ones."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _reject_nulls(self) -> Self:
        for name in sorted(self.model_fields_set - self.NULLABLE):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _iso_currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return value


# Upper-cased before the pattern check, so "usd" and "us" are accepted and stored as USD and US.
CurrencyCode = Annotated[
    str,
    BeforeValidator(_upper),
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_iso_currency),
]
CountryCode = Annotated[str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{2}$")]


# A configured amount of money in minor units: never negative, never above MAX_AMOUNT.
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]


class Money(BaseModel):
    """An amount in integer minor units (cents for USD, yen for JPY) with its ISO 4217 currency."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(description="Integer minor units, e.g. 150000 = USD 1,500.00")
    currency: CurrencyCode = Field(description="ISO 4217 code, e.g. USD")


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _check_domain(value: str) -> str:
    host = value.strip().lower().rstrip(".")
    wildcard = host.startswith("*.")
    bare = host[2:] if wildcard else host
    try:
        bare = bare.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError("not a valid domain name") from exc
    labels = bare.split(".")
    if len(bare) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(
            "must be a bare domain such as shop.example.com or *.example.com (no scheme or path)"
        )
    if labels[-1].isdigit():
        raise ValueError("IP addresses are not allowed; use a domain name")
    if problem := public_suffixes.problem(bare, wildcard=wildcard):
        raise ValueError(problem)
    return f"*.{bare}" if wildcard else bare


Domain = Annotated[str, AfterValidator(_check_domain)]


def _check_tag(value: str) -> str:
    tag = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9 _\-]{0,49}", tag):
        raise ValueError("tags are 1-50 characters: letters, digits, space, '-' or '_'")
    return tag


Tag = Annotated[str, AfterValidator(_check_tag)]


def unique(values: list[Any]) -> list[Any]:
    """Drops repeats, keeps first-seen order."""
    return list(dict.fromkeys(values))


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorInfo


def revalidate[M: BaseModel](cls: type[M], data: dict[str, Any], noun: str) -> M:
    """Validates a record merged from a PATCH: a rule the merge breaks (end before start, say) is
    a 422 that names it, never a 500."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"the change would make the {noun} invalid",
            details=[{"field": None, "message": e["msg"]} for e in exc.errors()],
        ) from exc
