"""The creator pages' kit: what a rate limit counts per visitor, and the signer's address kept
only as a keyed hash."""

from __future__ import annotations

import hashlib

import pytest

from roster.portal import http
from roster.workflows import collaborations


@pytest.mark.parametrize(
    ("ip", "counted"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # the same household
        ("not an address", "not an address"),
    ],
)
def test_a_rate_limit_counts_an_ipv4_address_or_an_ipv6_64(ip: str, counted: str) -> None:
    assert http.network(ip) == counted


def test_the_signers_address_is_a_keyed_hash_not_a_plain_one() -> None:
    ip = "203.0.113.9"
    kept = collaborations._ip_hash(ip)
    assert len(kept) == 64 and kept == collaborations._ip_hash(ip)  # the same address, the same hash
    assert kept != hashlib.sha256(ip.encode()).hexdigest()  # not reversible by trying all 2^32
    assert kept != collaborations._ip_hash("203.0.113.10")
