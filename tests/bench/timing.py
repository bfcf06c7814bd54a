"""Interleaved timing: each round times every contender once, ratios are taken within a round,
and medians are reported, because this machine is noisy and drifts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call_seconds(func: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        func()
    return (time.perf_counter() - start) / number


def calibrate(func: Callable[[], object], budget: float = 0.02) -> int:
    """How many calls fill about ``budget`` seconds (at least one)."""
    func()
    elapsed = per_call_seconds(func, 1)
    return max(1, int(budget / max(elapsed, 1e-7)))


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int,
                budget: float = 0.02) -> dict[str, list[float]]:
    """Per-call seconds of each contender in each round, contenders run one after another."""
    numbers = {name: calibrate(func, budget) for name, func in contenders.items()}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, func in contenders.items():
            times[name].append(per_call_seconds(func, numbers[name]))
    return times


def median_ratio(times: dict[str, list[float]], name: str, reference: str) -> float:
    return statistics.median(a / b for a, b in zip(times[name], times[reference], strict=True))


def median(values: list[float]) -> float:
    return statistics.median(values)
