"""The embedding worker's figures (issue 16): its resident memory with the model, embedding
throughput per core and on every core, the cost of checking one embedded ticket (duplicates, merge
proposals, incident cluster) on the bench database, and how long a 60 s intake burst's backlog takes
to drain. The model is loaded in a fresh child process (a worker's), never in the web stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from django.db import transaction

from bench.stats import summarise
from bench.workload import SEED, Generator, Size
from gongdan.core import clock

TEXTS = 512
BATCH = 64
CHECKS = 100
BURST_SECONDS = 60

_CHILD = r"""
import json, os, sys, time
def rss():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
texts = json.load(sys.stdin)
import django
django.setup()
from gongdan.triage.duplicates import embeddings, tasks  # what a worker imports
before = rss()[0]
provider = embeddings.LocalE5(threads=int(os.environ["THREADS"]))
provider.embed(texts[:8])
loaded = rss()[0]
began = time.perf_counter()
for start in range(0, len(texts), %(batch)d):
    provider.embed(texts[start:start + %(batch)d])
seconds = time.perf_counter() - began
now, peak = rss()
print(json.dumps({"rss_before_model_mb": round(before, 1), "rss_with_model_mb": round(loaded, 1),
                  "rss_after_batches_mb": round(now, 1), "peak_rss_mb": round(peak, 1),
                  "texts": len(texts), "seconds": round(seconds, 2), "texts_per_s": round(len(texts) / seconds, 1)}))
"""


def _texts(size: Size) -> list[str]:
    live = Size("embeddings", TEXTS, size.customers, 1)
    generator = Generator(live, clock.now(), SEED, stream="embeddings")
    return [f"{spec.subject}\n{spec.description}" for spec in generator.tickets()]


def _child(texts: list[str], threads: int) -> dict:
    env = {**os.environ, "THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD % {"batch": BATCH}],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=1800,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class _Rollback(Exception):
    pass


def _check_costs() -> dict:
    """`batch.check_ticket` on the newest tickets with their embeddings, rolled back afterwards."""
    from gongdan.tickets.models import Ticket
    from gongdan.triage.duplicates import batch, embeddings

    provider = embeddings.provider()
    tickets = list(Ticket.objects.select_related("status").filter(merged_into__isnull=True).order_by("-id")[:CHECKS])
    latencies: list[float] = []
    try:
        with transaction.atomic():
            batch.embed_ids(provider, [t.pk for t in tickets])
            started = time.perf_counter()
            for ticket in tickets:
                began = time.perf_counter()
                batch.check_ticket(ticket)
                latencies.append((time.perf_counter() - began) * 1000)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return summarise(latencies, elapsed)


def embeddings_scenario(size: Size, intake_rate: float | None) -> dict:
    texts = _texts(size)
    one_core, all_cores = _child(texts, 1), _child(texts, os.cpu_count() or 1)
    checks = _check_costs()
    per_ticket_s = 1 / all_cores["texts_per_s"] + checks["p50_ms"] / 1000
    rate = intake_rate or 0.0
    burst = round(rate * BURST_SECONDS)
    return {
        "worker_memory": {k: all_cores[k] for k in ("rss_before_model_mb", "rss_with_model_mb", "peak_rss_mb")},
        "embed_texts_per_s_one_core": one_core["texts_per_s"],
        "embed_texts_per_s_all_cores": all_cores["texts_per_s"],
        "check_per_ticket": checks,
        "burst": {
            "intake_per_s": rate,
            "tickets_in_60s": burst,
            "drain_seconds": round(burst * per_ticket_s, 1),
        },
    }
