"""Closed-loop HTTP load: `concurrency` clients, each sending its next request when the last answered.

An asyncio + httpx client in the runner's process. It costs a fraction of one core at the request
rates measured here; its CPU time is reported next to each result (`client_cpu_s`) so a reader can
see it did not take the server's share (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

from bench.stats import summarise


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    json: dict | None = None


async def _client(client, requests: Iterator[Request], stop_at: float, ok: Callable[[int], bool], out: dict):
    while time.perf_counter() < stop_at:
        request = next(requests)
        started = time.perf_counter()
        try:
            response = await client.request(request.method, request.path, headers=request.headers, json=request.json)
            status = response.status_code
        except httpx.HTTPError as exc:
            status = f"{type(exc).__name__}"
        elapsed = (time.perf_counter() - started) * 1000
        if isinstance(status, int) and ok(status):
            out["latencies"].append(elapsed)
        else:
            out["errors"] += 1
            out["statuses"][str(status)] = out["statuses"].get(str(status), 0) + 1


async def _run(
    base_url: str, requests: Iterator[Request], concurrency: int, seconds: float, ok, warmup: float, server_cpu
):
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        if warmup:
            await asyncio.gather(
                *(_client(client, requests, time.perf_counter() + warmup, ok, _empty()) for _ in range(concurrency))
            )
        out = _empty()
        cpu, server, started = time.process_time(), server_cpu(), time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(_client(client, requests, stop_at, ok, out) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        result = summarise(out["latencies"], elapsed, out["errors"])
        result.update(concurrency=concurrency, client_cpu_s=round(time.process_time() - cpu, 2))
        server = server_cpu() - server
        result["server_cpu_s"] = round(server, 2)
        # The application's CPU per request: a figure that other load on a shared machine barely moves.
        result["server_cpu_ms_per_request"] = round(server * 1000 / max(result["requests"], 1), 2)
        if out["statuses"]:
            result["error_statuses"] = out["statuses"]
        return result


def _empty() -> dict:
    return {"latencies": [], "errors": 0, "statuses": {}}


def run(
    base_url: str,
    requests: Iterator[Request] | list[Request],
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 1.0,
    ok: Callable[[int], bool] = lambda status: 200 <= status < 300,
    server_cpu: Callable[[], float] = lambda: 0.0,
) -> dict:
    """Send requests for `seconds` (after `warmup`) and summarise; a list is cycled through."""
    source = itertools.cycle(requests) if isinstance(requests, list) else requests
    return asyncio.run(_run(base_url, source, concurrency, seconds, ok, warmup, server_cpu))
