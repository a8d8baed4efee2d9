"""Latency and throughput summaries: pure functions, values in, values out."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of values sorted ascending (p in 0–100); 0.0 for no values."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(latencies_ms: Sequence[float], seconds: float, errors: int = 0) -> dict:
    """Throughput (completed per second) and p50/p95/p99/max latency in milliseconds."""
    values = sorted(latencies_ms)
    return {
        "requests": len(values),
        "errors": errors,
        "seconds": round(seconds, 3),
        "throughput": round(len(values) / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2) if values else 0.0,
    }
