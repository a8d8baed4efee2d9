"""The measured scenarios. HTTP ones run against the real server stack; the rest time functions in-process.

Each returns a dict (JSON-ready) with throughput and p50/p95/p99 latency, or a total time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.db.models import Case, Count, When
from django.db.models.expressions import RawSQL

from bench import judgement as judging
from bench import loadgen
from bench.loader import Manifest, duplicate_index
from bench.loadgen import Request
from bench.server import Stack
from bench.stats import summarise
from bench.workload import SEED, Generator, Size, intake_message
from gongdan.accounts import services as accounts
from gongdan.accounts.models import Team, User
from gongdan.core import clock
from gongdan.intake.models import InboundMessage
from gongdan.sla import services as sla
from gongdan.sla.models import SlaSignal
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.tickets.models import Status, Ticket

INTAKE_LEVELS = (1, 8, 32)
PAGE_LEVELS = (1, 8)
LOOKUPS = 300
SWEEP_DUE = 1000


class Personas:
    """Who the HTTP scenarios act as: an integration token, an agent's browser session, a lead's token."""

    def __init__(self):
        self.team = self._busiest_team()
        self.agent = User.objects.filter(role="agent", teams=self.team, is_active=True).order_by("pk").first()
        self.lead = User.objects.filter(role__in=("lead", "admin"), is_active=True).order_by("pk").first()
        self.integration = self.lead
        self.integration_token = accounts.issue_api_token(user=self.integration, name="bench intake")[1]
        self.lead_token = accounts.issue_api_token(user=self.lead, name="bench reads")[1]
        self.session = self._session(self.agent)

    @staticmethod
    def _busiest_team() -> Team:
        busiest = (
            Ticket.objects.filter(status__kind__in=ACTIVE_KINDS, team__isnull=False)
            .values("team")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        return Team.objects.get(pk=busiest["team"])

    @staticmethod
    def _session(user: User) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    def bearer(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def cookie(self) -> dict:
        return {"Cookie": f"sessionid={self.session}"}


def intake_requests(size: Size, personas: Personas) -> Iterator[Request]:
    """A fresh stream of bilingual messages from the loaded customers, each with its own key."""
    live = Size("live", 50_000, size.customers, 1)
    generator = Generator(live, clock.now(), SEED, stream=f"live-{uuid.uuid4().hex[:8]}", skewed=False)
    run = uuid.uuid4().hex[:10]
    headers = {**personas.bearer(personas.integration_token), "Content-Type": "application/json"}
    for spec in generator.tickets():
        customer = generator.customers[spec.customer]
        key = f"bench-{run}-{spec.index}"
        yield Request("POST", "/api/v1/intake/messages", headers, intake_message(spec, customer, key))


def intake(stack: Stack, size: Size, personas: Personas, seconds: float) -> dict:
    stream = intake_requests(size, personas)
    created = lambda status: status == 201  # noqa: E731 — a duplicate (200) or a dead letter is not a new ticket
    results = {}
    # A started worker (imports, jieba, first configuration reads) before anything is measured: one
    # level of warm-up requests, judged.
    loadgen.run(stack.base_url, stream, concurrency=2, seconds=2, ok=created)
    judging.wait_judged(timeout=300)
    for level in INTAKE_LEVELS:
        since, worker = clock.now(), stack.worker_cpu()
        result = loadgen.run(
            stack.base_url, stream, concurrency=level, seconds=seconds, ok=created, server_cpu=stack.cpu
        )
        # The judgement behind the requests: wait until the worker left nothing pending, then its CPU.
        result["drain_s"] = judging.wait_judged()
        worker = stack.worker_cpu() - worker
        result["worker_cpu_ms_per_ticket"] = round(worker * 1000 / max(result["requests"], 1), 2)
        result["pipeline_cpu_ms_per_ticket"] = round(
            result["server_cpu_ms_per_request"] + result["worker_cpu_ms_per_ticket"], 2
        )
        result["intake_to_routed"] = judging.routed_times(since)
        results[f"c{level}"] = result
    results["steps_ms"] = step_timings()
    return results


def step_timings() -> dict:
    """Mean milliseconds per pipeline step over this run's messages (the pipeline records its own timings)."""
    totals: dict[str, list[float]] = {}
    for timings in InboundMessage.objects.values_list("step_timings", flat=True):
        for step, value in (timings or {}).items():
            if isinstance(value, int | float):
                totals.setdefault(step, []).append(value)
    return {step: round(sum(values) / len(values), 2) for step, values in totals.items()}


def pages(stack: Stack, manifest: Manifest, personas: Personas, seconds: float) -> dict:
    team = personas.team.code
    cases = {
        "queue_page": [Request("GET", f"/desk/q/team/?status=open&team={team}", personas.cookie())],
        "api_list": [
            Request(
                "GET",
                f"/api/v1/tickets?team={team}&status=open&order=sla_due&limit=25",
                personas.bearer(personas.lead_token),
            )
        ],
        "ticket_page": [Request("GET", f"/desk/t/{manifest.long_ticket}/", personas.cookie())],
    }
    results: dict = {}
    for name, requests in cases.items():
        results[name] = {
            f"c{level}": loadgen.run(stack.base_url, requests, concurrency=level, seconds=seconds, server_cpu=stack.cpu)
            for level in PAGE_LEVELS
        }
    return results


def _timed(calls) -> dict:
    latencies = []
    started = time.perf_counter()
    for call in calls:
        began = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - began) * 1000)
    return summarise(latencies, time.perf_counter() - started)


def duplicates(size: Size, manifest: Manifest) -> dict:
    """find_candidates and related_search, in-process, over texts of the live stream."""
    if not duplicate_index():
        return {"skipped": "gongdan.triage.duplicates is not on this branch"}
    from gongdan.customers.models import Customer
    from gongdan.triage.duplicates import find_candidates, related_search

    live = Size("lookups", LOOKUPS, size.customers, 1)
    generator = Generator(live, clock.now(), SEED, stream="lookups")
    specs = list(generator.tickets())
    base = manifest.first_customer_id
    customers = Customer.objects.in_bulk([base + spec.customer for spec in specs])
    texts = [(f"{spec.subject}\n{spec.description}", customers.get(base + spec.customer)) for spec in specs]
    queries = [spec.subject for spec in specs[: LOOKUPS // 2]] + [
        generator.customers[spec.customer].phone for spec in specs[LOOKUPS // 2 :]
    ]
    _timed(
        lambda text=text, customer=customer: find_candidates(text, customer=customer) for text, customer in texts[:20]
    )
    return {
        "find_candidates": _timed(
            lambda text=text, customer=customer: find_candidates(text, customer=customer) for text, customer in texts
        ),
        "related_search": _timed(lambda query=query: related_search(query, limit=20) for query in queries),
    }


class _Rollback(Exception):
    pass


TICKET_TIMES = (
    "created_at",
    "updated_at",
    "first_response_at",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "last_effective_action_at",
    "sla_next_check_at",
)
STATE_TIMES = ("clock_start_at", "paused_at", "awaiting_reply_since", "in_progress_since", "p0_since", "breached_at")
SHIFT_SQL = """
WITH shift AS (
    SELECT id, sla_next_check_at - %(due)s AS by FROM tickets_ticket WHERE id = ANY(%(ids)s)
), events AS (
    UPDATE tickets_ticketevent e SET created_at = e.created_at - shift.by FROM shift WHERE e.ticket_id = shift.id
), states AS (
    UPDATE sla_ticketsla s SET {states} FROM shift WHERE s.ticket_id = shift.id
)
UPDATE tickets_ticket t SET {tickets} FROM shift WHERE t.id = shift.id
"""


def _shift_sql() -> str:
    assign = "{column} = {table}.{column} - shift.by"
    return SHIFT_SQL.format(
        states=", ".join(assign.format(column=c, table="s") for c in STATE_TIMES),
        tickets=", ".join(assign.format(column=c, table="t") for c in TICKET_TIMES),
    )


def _prepare_sweep(open_count: int | None) -> int:
    """SWEEP_DUE on-track tickets whose next SLA check has just come, among `open_count` open ones
    (None: every ticket) whose checks come later. Returns how many are open.

    Each chosen ticket's whole history (timeline, clocks, deadlines) moves back in time until its next
    check is one minute ago, so it is due for exactly what a real minute tick finds — its next warning
    or deadline — and nothing it never fired in its bulk-loaded past (the loader writes no signals)."""
    now = clock.now()
    candidates = (
        # Past or future next checks alike: the shift below brings each to one minute ago, so a database
        # loaded days earlier still yields its thousand due tickets.
        # At-risk tickets top up a small database: their passed warning fires again (more work, not less).
        Ticket.objects.filter(sla_next_check_at__isnull=False, sla_status__in=("on_track", "at_risk"))
        .exclude(priority__code="P0")  # a P0 ticket's alert is fired at creation, which the loader skipped
        .order_by(Case(When(sla_status="on_track", then=0), default=1), "sla_next_check_at", "pk")
    )
    due_ids = list(candidates.values_list("pk", flat=True)[:SWEEP_DUE])
    fillers = Ticket.objects.exclude(pk__in=due_ids).order_by("-pk")
    if open_count is not None:
        fillers = Ticket.objects.filter(pk__in=list(fillers.values_list("pk", flat=True)[: open_count - len(due_ids)]))
    Ticket.objects.exclude(pk__in=due_ids).exclude(sla_next_check_at=None).update(sla_next_check_at=None)
    # Later checks, spread over a week so the index holds distinct keys, all after this tick.
    later = RawSQL("%s::timestamptz + (id %% 10080) * interval '1 minute'", [now + timedelta(hours=1)])
    fillers.update(status=Status.objects.get(key="open"), sla_next_check_at=later)
    with connection.cursor() as cursor:
        cursor.execute(_shift_sql(), {"due": now - timedelta(minutes=1), "ids": due_ids})
        cursor.execute("ANALYZE tickets_ticket")
    return Ticket.objects.filter(status__kind__in=ACTIVE_KINDS).count()


def worker_start() -> None:
    """What a huey consumer has done before its first minute tick: its start-up hook (URL table,
    garbage-collector freeze) and a first read of the SLA configuration. The sweeps then measure a
    tick of a running worker, not the start of one."""
    from gongdan.sla import config
    from gongdan.sla.tasks import warm_up

    warm_up()
    config.current()


def sla_sweep(open_count: int | None) -> dict:
    """One sweep tick over 1,000 due tickets among `open_count` open ones; rolled back afterwards."""
    result: dict = {}
    try:
        with transaction.atomic():
            result["open_tickets"] = _prepare_sweep(open_count)
            started = time.perf_counter()
            due = list(Ticket.objects.filter(sla_next_check_at__lte=clock.now()).values_list("pk", flat=True))
            result["due_query_ms"] = round((time.perf_counter() - started) * 1000, 2)
            fired_before = SlaSignal.objects.count()
            started = time.perf_counter()
            handled = 0
            while True:
                done = sla.sweep()
                handled += done
                if done < sla.c.SWEEP_BATCH:
                    break
            elapsed_ms = (time.perf_counter() - started) * 1000
            result.update(
                due=len(due),
                handled=handled,
                ms=round(elapsed_ms, 1),
                ms_per_ticket=round(elapsed_ms / max(handled, 1), 3),
                signals=SlaSignal.objects.count() - fired_before,
            )
            raise _Rollback
    except _Rollback:
        pass
    return result
