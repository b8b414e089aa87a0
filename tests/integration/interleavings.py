"""Tools to prove exactly-once claims under real concurrency and faults.

- `Schedule` forces an interleaving: threads run for real, but each gated store call waits until
  the schedule says it is that thread's turn (a thread that finished, or has no gated call left,
  gives up its turns). Once the schedule is used up, the calls run freely.
- `Serial` wraps a boto3 DynamoDB client so that each request runs alone, as DynamoDB applies each
  request atomically (moto's backend is not thread-safe).
- `Faults` wraps a client so a share of calls raise before reaching DynamoDB, or apply and then
  raise (the write happened; the caller cannot know).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations
from typing import Any

from botocore.exceptions import ClientError

# Calls that change the table: "applied, then failed" only makes sense for these.
WRITES = {"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"}


class Schedule:
    def __init__(self, turns: Sequence[str], timeout: float = 10.0) -> None:
        self.turns = list(turns)
        self.pos = 0
        self.done: set[str] = set()
        self.cond = threading.Condition()
        self.timeout = timeout
        self.log: list[tuple[str, str]] = []

    def _my_turn(self, me: str) -> bool:
        while self.pos < len(self.turns) and self.turns[self.pos] in self.done:
            self.pos += 1  # a finished thread gives up its remaining turns
        return self.pos >= len(self.turns) or self.turns[self.pos] == me

    def gate(self, op: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            me = threading.current_thread().name
            with self.cond:
                ok = self.cond.wait_for(lambda: self._my_turn(me), timeout=self.timeout)
                assert ok, f"schedule stuck at {self.pos} of {self.turns} ({me} wants {op})"
                scheduled = self.pos < len(self.turns)
                if scheduled:  # run it while holding the turn: nobody else moves meanwhile
                    try:
                        self.log.append((me, op))
                        return fn(*args, **kwargs)
                    finally:
                        self.pos += 1
                        self.cond.notify_all()
            return fn(*args, **kwargs)

        return gated

    def run(self, work: dict[str, Callable[[], Any]]) -> dict[str, BaseException | None]:
        """Runs each named job in its own thread; returns the exception each ended with."""
        errors: dict[str, BaseException | None] = {}

        def body(name: str, job: Callable[[], Any]) -> None:
            try:
                job()
                errors[name] = None
            except BaseException as exc:  # reported to the test
                errors[name] = exc
            finally:
                with self.cond:
                    self.done.add(name)
                    self.cond.notify_all()

        threads = [threading.Thread(target=body, args=(n, j), name=n) for n, j in work.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.timeout * 3)
            assert not t.is_alive(), f"{t.name} did not finish"
        return errors


def merges(a: Sequence[str], b: Sequence[str]) -> Iterator[list[str]]:
    """Every interleaving of two sequences that keeps each one's own order."""
    n = len(a) + len(b)
    for slots in combinations(range(n), len(a)):
        out, ia, ib = [], iter(a), iter(b)
        for i in range(n):
            out.append(next(ia) if i in slots else next(ib))
        yield out


def shuffle_merge(rng: random.Random, sequences: Iterable[Sequence[str]]) -> list[str]:
    """A random interleaving of several sequences (each keeps its own order)."""
    pools = [list(s) for s in sequences if s]
    out = []
    while pools:
        pool = rng.choice(pools)
        out.append(pool.pop(0))
        if not pool:
            pools.remove(pool)
    return out


class Serial:
    """One request at a time, like DynamoDB's per-request atomicity."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr) or name.startswith("_") or name in ("exceptions", "meta"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


class Faults:
    """A share of calls fail: `raise_rate` before DynamoDB sees them, `applied_rate` (writes only)
    after DynamoDB applied them. Seeded per thread, so a run is repeatable."""

    def __init__(
        self, client: Any, *, raise_rate: float = 0.0, applied_rate: float = 0.0, seed: int = 0
    ) -> None:
        self._client = client
        self.raise_rate, self.applied_rate = raise_rate, applied_rate
        self.enabled = True
        self._seed = seed
        self._local = threading.local()
        self.injected = {"raised": 0, "applied_then_failed": 0}

    def seed_thread(self, key: str) -> None:
        """This thread's next faults follow `key` (e.g. a delivery and its attempt): repeatable
        whichever thread runs which delivery."""
        self._local.rng = random.Random(f"{self._seed}:{key}")

    def _rng(self) -> random.Random:
        if not hasattr(self._local, "rng"):
            self._local.rng = random.Random(f"{self._seed}:{threading.current_thread().name}")
        rng: random.Random = self._local.rng
        return rng

    @staticmethod
    def _error(op: str) -> ClientError:
        return ClientError(
            {"Error": {"Code": "InternalServerError", "Message": "injected fault"}}, op.title()
        )

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr) or name.startswith("_") or name in ("exceptions", "meta"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if not self.enabled:
                return attr(*args, **kwargs)
            roll = self._rng().random()
            if roll < self.raise_rate:
                self.injected["raised"] += 1
                raise self._error(name)
            result = attr(*args, **kwargs)
            if name in WRITES and roll < self.raise_rate + self.applied_rate:
                self.injected["applied_then_failed"] += 1
                raise self._error(name)
            return result

        return call
