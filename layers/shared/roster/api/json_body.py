"""Reading a JSON request body. Whatever the bytes, the answer is a value or a `json.JSONDecodeError`
that says what is wrong, never another exception: bodies that are not UTF-8 (UTF-16 with a BOM,
Latin-1), nesting deep enough to exhaust the parser's recursion, integers past Python's
4300-digit conversion limit and `NaN`/`Infinity` all become 400s instead of 500s. No Powertools
import: the creator pages read their bodies with it too."""

from __future__ import annotations

import json
import math
from typing import Any

# No request model nests more than a few levels; deeper JSON is an attack or a bug, and values that
# deep could be stored but not serialised again (pydantic stops at its own depth limit).
MAX_DEPTH = 32
# DynamoDB keeps 38 significant digits; a longer integer could not be stored even where no field
# bound catches it first.
MAX_INT_DIGITS = 38
UTF8_BOM = "\ufeff"


class _Refused(ValueError):
    pass


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"integer with more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"number out of range: {text[:20]}")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON value")


def decode(raw: bytes) -> str:
    """UTF-8 text of a body (a leading BOM dropped, as Excel and some editors write one)."""
    try:
        return raw.decode("utf-8").removeprefix(UTF8_BOM)
    except UnicodeDecodeError:
        hint = " (this looks like UTF-16)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise json.JSONDecodeError(f"not UTF-8{hint}", raw.decode("latin-1"), 0) from None


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays/objects nest more than `limit` levels (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str | bytes | bytearray) -> Any:
    """Parses a request body; raises `json.JSONDecodeError` with the reason for anything unusable."""
    doc = decode(bytes(text)) if isinstance(text, bytes | bytearray) else text.removeprefix(UTF8_BOM)
    try:
        value = json.loads(doc, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels", doc, 0) from None
    except ValueError as exc:  # _Refused, or int() past sys.get_int_max_str_digits()
        raise json.JSONDecodeError(str(exc).split(";")[0], doc, 0) from None
    # Nesting needs a bracket per level: a body with fewer brackets than the limit (nearly every
    # request) skips the walk over the parsed value.
    if doc.count("[") + doc.count("{") > MAX_DEPTH and too_deep(value):
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels", doc, 0)
    return value
