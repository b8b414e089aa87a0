"""Public suffixes (`co.uk`, `github.io`, `myshopify.com`, `s3.amazonaws.com`): names under which
anyone can register or be given a host, so a campaign may not allow them as link destinations.

The list is the Public Suffix List (ICANN and private sections) as shipped inside the pinned
`publicsuffixlist` package: read from that file, never fetched at run time. Its version carries
the snapshot's date; bumping the pin is how the list is updated, so what ships is what was tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from publicsuffixlist import PSLFILE, PublicSuffixList


@dataclass(frozen=True)
class Suffixes:
    psl: PublicSuffixList
    # Domain → one public suffix beneath it: `amazonaws.com` → `s3.amazonaws.com`. A wildcard on
    # such a domain covers hosts its owner does not control.
    beneath: dict[str, str]


def _ascii(name: str) -> str:
    return name if name.isascii() else name.encode("idna").decode("ascii")


@cache
def suffixes() -> Suffixes:
    """Parsed once per container, on first use (about 0.1 s): not at import, so functions that
    never validate a campaign's domains never pay for it."""
    with open(PSLFILE, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    beneath: dict[str, str] = {}
    for line in lines:
        rule = line.split(" ", 1)[0].strip().lower()
        if not rule or rule.startswith(("//", "!")):  # exceptions make names private, not public
            continue
        wildcard = rule.startswith("*.")
        name = _ascii(rule[2:] if wildcard else rule)
        labels = name.split(".")
        example = f"anything.{name}" if wildcard else name
        for i in range(0 if wildcard else 1, len(labels)):
            beneath.setdefault(".".join(labels[i:]), example)
    return Suffixes(PublicSuffixList(lines), beneath)


def problem(domain: str, *, wildcard: bool) -> str | None:
    """Why `domain` (IDNA, lower case; `wildcard` for `*.domain`) may not be an allowed
    destination domain, or None when it may."""
    known = suffixes()
    shown = f"*.{domain}" if wildcard else domain
    if known.psl.is_public(domain):
        return (
            f"{shown} is a public suffix: anyone can register a name under it. "
            f"List your own domain under it instead, such as yourbrand.{domain}"
        )
    if wildcard and domain in known.beneath:
        return (
            f"{shown} covers public suffixes such as {known.beneath[domain]}, where anyone can get "
            "a host. List the hosts you own instead"
        )
    return None
