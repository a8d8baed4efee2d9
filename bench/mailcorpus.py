"""The mail corpus (tests/fixtures/mail/) posted to the raw-mail endpoint at c=4 against the real stack.

Reports mails per second, latency percentiles, how each mail ended (ticket, follow-up, held, noted,
dead letter) and the dead-letter count. Each run rewrites the Message-IDs with a run id, so every
run is new mail to the desk rather than a redelivery of the last run's.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path

import httpx

from bench.stats import summarise

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mail"
CONCURRENCY = 4
MESSAGE_ID = re.compile(rb"(?im)^(message-id:\s*<)")
IN_REPLY = re.compile(rb"(<cjk-0@corpus>)")


def corpus_mails(run: str) -> list[bytes]:
    mails = []
    for folder in ("corpus", "heldout"):
        for path in sorted((CORPUS / folder).glob("*.eml")):
            raw = MESSAGE_ID.sub(rb"\1" + run.encode() + b".", path.read_bytes(), count=1)
            mails.append(IN_REPLY.sub(b"<" + run.encode() + b".cjk-0@corpus>", raw))
    return mails


async def _post_all(base_url: str, token: str, mails: list[bytes], concurrency: int) -> tuple[list, dict, float]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"}
    latencies, outcomes = [], {}
    queue = list(enumerate(mails))

    async def worker(client):
        while queue:
            _, raw = queue.pop(0)
            started = time.perf_counter()
            try:
                response = await client.post("/api/v1/intake/email", content=raw, headers=headers)
                status = response.status_code
                if status < 300:
                    outcome = response.json().get("outcome")
                else:
                    outcome = f"dead_letter ({status})" if status in (422, 429) else f"HTTP {status}"
            except (httpx.HTTPError, ValueError) as exc:
                outcome = type(exc).__name__
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, outcomes, time.perf_counter() - began


def mail_corpus(stack, personas, concurrency: int = CONCURRENCY) -> dict:
    mails = corpus_mails(f"bench-{uuid.uuid4().hex[:8]}")
    latencies, outcomes, seconds = asyncio.run(
        _post_all(stack.base_url, personas.integration_token, mails, concurrency)
    )
    summary = summarise(latencies, seconds)
    dead = sum(n for outcome, n in outcomes.items() if str(outcome).startswith("dead_letter"))
    return {
        "mails": len(mails),
        "concurrency": concurrency,
        "mails_per_s": round(len(mails) / seconds, 2),
        "dead_letters": dead,
        "server_errors": sum(n for outcome, n in outcomes.items() if str(outcome).startswith("HTTP 5")),
        "outcomes": outcomes,
        **{k: summary[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
    }
