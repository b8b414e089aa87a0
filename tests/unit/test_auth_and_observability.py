from __future__ import annotations

import json
import logging

import pytest

from roster import auth
from roster.observability import RedactingFormatter, redact

KEY = "rk_live_" + "A1" * 20


@pytest.mark.parametrize(
    "header, expected",
    [
        (f"Bearer {KEY}", KEY),
        (f"bearer   {KEY} ", KEY),
        (None, None),
        ("", None),
        (KEY, None),
        (f"Basic {KEY}", None),
        ("Bearer rk_live_short", None),
        (f"Bearer {KEY[:-1]}!", None),
        (f"Bearer rk_test_{'A1' * 20}", None),
    ],
)
def test_bearer_key_parsing(header: str | None, expected: str | None) -> None:
    assert auth.bearer_key(header) == expected


def test_new_key_stores_only_a_hash() -> None:
    key, record = auth.new_key("brand1", "ci")
    assert auth.bearer_key(f"Bearer {key}") == key
    assert record.key_hash == auth.hash_key(key) and key not in record.model_dump_json()
    assert record.prefix == key[:12]
    with pytest.raises(ValueError, match="40 letters or digits"):
        auth.new_key("brand1", "ci", key="rk_live_tooshort")


def test_redact_masks_personal_data_and_secrets_but_not_times() -> None:
    text = (
        f"at 16:00:05,665 from 198.51.100.7 / 2001:db8::1 by maya.lopez+x@example.co.uk "
        f"Authorization: Bearer {KEY} or {KEY}"
    )
    out = redact(text)
    for secret in ("198.51.100.7", "2001:db8::1", "maya.lopez", "example.co.uk", KEY):
        assert secret not in out
    assert "16:00:05,665" in out


def test_log_lines_are_redacted() -> None:
    formatter = RedactingFormatter()
    record = logging.LogRecord(
        "roster", logging.INFO, __file__, 1, "creator maya@example.com from 10.1.2.3", None, None
    )
    line = json.loads(formatter.format(record))
    assert line["message"] == "creator [email] from [ip]"
