"""Read once per batch: the store reads the messages (or creators) of one SQS batch share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Memo:
    """Values by key, each loaded the first time it is asked for and then kept for the batch (so
    at most one batch old)."""

    _memo: dict[tuple[str, ...], Any] = field(default_factory=dict)

    def once[T](self, key: tuple[str, ...], load: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = load()
        found: T = self._memo[key]
        return found
