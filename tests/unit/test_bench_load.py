"""The load bench's percentile (bench/load.py): nearest rank, as the figures in docs/performance.md use."""

from __future__ import annotations

import pytest

from bench.load import percentile


def test_nearest_rank() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0  # not the interpolated 2.5
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 1) == 1.0
    assert percentile(values, 0.5) == 1.0  # never an index before the first
    assert percentile([7.0], 99) == 7.0
    # 500 samples: p99 is the 495th, so the five slowest are above it
    assert percentile([float(v) for v in range(500)], 99) == 494.0


@pytest.mark.parametrize("q", [0, -1, 100.1])
def test_out_of_range(q: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], q)


def test_no_values() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
