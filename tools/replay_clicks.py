"""Replays clicks the redirect could not record (it logged them and redirected anyway).

    make replay-clicks FILE=clicks.log TABLE=<TableName output of the stack>

FILE holds the redirect's log lines, e.g. exported with CloudWatch Logs Insights:
    fields @message | filter message = "click not recorded"
Any line containing the JSON object is accepted (timestamps or request ids before it are skipped).
Each click gets the same conditional write the redirect would have made, with its original time,
so replaying a file twice, or a click that was counted after all, never counts it twice, and the
visit it records is the one the visitor's click id names, so an order carrying that id attributes
(the record lives for the attribution horizon, so replay within it). One limit: a click older than a
later counted visit by the same visitor that day counts as a repeat. A line logged before issue 16
(an older click id, a ULID) is replayed under the old visit key: counted, but not attributable.
The lines are scrubbed before they are logged (roster.redaction): a replayed click carries the
User-Agent with any email or IP in it masked, and only the referrer's host, `[ip]` if it was one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable

from roster.links.redirect import DEDUPE_SECONDS
from roster.store.clicks import VISIT_TTL_SECONDS, ClickStore, UnrecordedClick
from roster.store.table import Table


def unrecorded(lines: Iterable[str]) -> Iterable[UnrecordedClick]:
    for line in lines:
        start = line.find("{")
        if start < 0 or "click not recorded" not in line:
            continue
        try:
            entry = json.loads(line[start:])
        except json.JSONDecodeError:
            continue
        if entry.get("message") == "click not recorded" and isinstance(entry.get("replay"), dict):
            yield entry["replay"]


def replay(store: ClickStore, lines: Iterable[str]) -> Counter[str]:
    outcome: Counter[str] = Counter()
    for item in unrecorded(lines):
        epoch = int(item["epoch"])
        earlier = store.record_visit(
            item["click"],
            epoch=epoch,
            day=str(item["day"]),
            visitor=str(item["visitor"]),
            ttl=epoch + VISIT_TTL_SECONDS,
            window=DEDUPE_SECONDS,
        )
        outcome["recorded" if earlier is None else "already counted or a repeat"] += 1
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="replay_clicks", description=__doc__.split("\n")[0])
    parser.add_argument("--file", required=True, help="log lines; '-' for standard input")
    parser.add_argument("--table", required=True, help="the stack's TableName output")
    args = parser.parse_args(argv)
    store = ClickStore(Table(args.table))
    if args.file == "-":
        outcome = replay(store, sys.stdin)
    else:
        with open(args.file, encoding="utf-8") as fh:
            outcome = replay(store, fh)
    total = sum(outcome.values())
    print(
        f"{total} unrecorded click(s) found: "
        + (", ".join(f"{n} {k}" for k, n in outcome.items()) or "nothing to do")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
