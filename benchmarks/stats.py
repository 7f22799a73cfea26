"""Small statistics for the report: medians with their range, ratios, growth slopes."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of some samples and their range."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread | None:
        if not samples:
            return None
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


def per_round_ratios(
    engine: dict[int, float], reference: dict[int, float]
) -> list[float]:
    """engine / reference for every round in which both were measured."""
    return [engine[r] / reference[r] for r in sorted(engine) if r in reference and reference[r] > 0]


def loglog_slope(sizes: Sequence[float], times: Sequence[float]) -> float:
    """The least-squares slope of log(time) against log(size): 1 is linear growth."""
    if len(sizes) < 2:
        raise ValueError("a slope needs at least two sizes")
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den
