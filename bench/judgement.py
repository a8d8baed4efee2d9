"""What accepting in the request and judging behind it costs (issue 15), measured in-process.

CPU time and queries are counted in this process (`time.process_time`, one thread), so they are
barely moved by other load on a shared machine, unlike wall-clock figures:
- the intake request (`POST /api/v1/intake/messages` through Django's test client: middleware, API,
  pipeline, creation) with the judgement deferred to the worker, per ticket;
- the same request with the judgement inline (the shape before: the request judged the ticket);
- the worker's batch: `judgement.judge_pending(limit=100)` over the 100 tickets just accepted.
Everything is rolled back afterwards. The HTTP scenario adds the intake-to-routed times
(`routed_times`) of the tickets a run created, from their stored `triaged_at`.
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.loadgen import Request
from bench.stats import summarise
from gongdan.tickets.models import Ticket
from gongdan.tickets.services import judgement

BATCH = judgement.BATCH_SIZE


class _Rollback(Exception):
    pass


def _post(client: Client, request: Request) -> int:
    headers = {key: value for key, value in request.headers.items() if key.lower() != "content-type"}
    response = client.post(request.path, json.dumps(request.json), content_type="application/json", headers=headers)
    if response.status_code != 201:
        raise RuntimeError(f"intake answered {response.status_code}: {response.content[:300]!r}")
    return response.status_code


def _requests_cost(client: Client, requests: list[Request], inline: bool) -> dict:
    with judgement.synchronously(inline), CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        for request in requests:
            _post(client, request)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    count = len(requests)
    return {
        "tickets": count,
        "cpu_ms_per_ticket": round(cpu * 1000 / count, 2),
        "wall_ms_per_ticket": round(wall * 1000 / count, 2),
        "queries_per_ticket": round(len(queries.captured_queries) / count, 1),
    }


def _batch_cost(expected: int) -> dict:
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        judged = judgement.judge_pending(limit=BATCH)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if judged != expected:
        raise RuntimeError(f"the batch judged {judged} tickets, not {expected}")
    return {
        "tickets": judged,
        "cpu_ms": round(cpu * 1000, 1),
        "wall_ms": round(wall * 1000, 1),
        "cpu_ms_per_ticket": round(cpu * 1000 / judged, 2),
        "queries": len(queries.captured_queries),
        "steps": [step.name for step in judgement.batch_steps()],
    }


def cost(stream) -> dict:
    """Deferred request, the worker's batch of 100, and the inline request, on fresh messages."""
    client = Client()
    warm, deferred, inline = (list(itertools.islice(stream, n)) for n in (10, BATCH, BATCH))
    result: dict = {}
    try:
        with transaction.atomic():
            _requests_cost(client, warm, inline=True)  # first requests: imports, caches, jieba
            Ticket.objects.filter(triage_pending=True).update(triage_pending=False)
            result["request_deferred"] = _requests_cost(client, deferred, inline=False)
            result["batch_of_100"] = _batch_cost(len(deferred))
            result["request_inline"] = _requests_cost(client, inline, inline=True)
            raise _Rollback
    except _Rollback:
        pass
    deferred_cpu = result["request_deferred"]["cpu_ms_per_ticket"] + result["batch_of_100"]["cpu_ms_per_ticket"]
    result["pipeline_cpu_ms_per_ticket"] = round(deferred_cpu, 2)
    return result


def wait_judged(timeout: float = 120.0) -> float:
    """Seconds until the worker left no ticket pending (after an HTTP level)."""
    started = time.perf_counter()
    while Ticket.objects.filter(triage_pending=True).exists():
        if time.perf_counter() - started > timeout:
            break
        time.sleep(0.2)
    return round(time.perf_counter() - started, 2)


def routed_times(since: datetime) -> dict:
    """Intake-to-routed (created → judged) of the tickets created since `since`, p50/p99 in ms."""
    rows = Ticket.objects.filter(created_at__gte=since, triaged_at__isnull=False)
    gaps = [
        gap.total_seconds() * 1000
        for gap in rows.annotate(gap=F("triaged_at") - F("created_at")).values_list("gap", flat=True)
    ]
    pending = Ticket.objects.filter(created_at__gte=since, triage_pending=True).count()
    summary = summarise(gaps, 1.0) if gaps else {}
    return {
        "tickets": len(gaps),
        "still_pending": pending,
        "p50_ms": summary.get("p50_ms"),
        "p99_ms": summary.get("p99_ms"),
        "max_ms": round(max(gaps), 1) if gaps else None,
    }
