"""Bulk loader: fills a benchmark database with the generated customers, tickets and timelines.

The one sanctioned bypass of the service layer (ADR 0012), for benchmark fixtures only: replaying a
million tickets through `create_ticket` would take hours, so the loader writes the rows the services
would have written — numbers GD-…, statuses and their timestamps, SLA deadlines and the next check,
the per-ticket SLA state, ~10 timeline events per ticket, one 100-event ticket for the ticket page —
with COPY (rows.py). Reference data (teams, staff, categories) is created normally, by the demo's
Directory. PostgreSQL foreign-key triggers are off while copying (session_replication_role=replica):
every id is assigned here, so the rows are consistent by construction, and the tests check it.
"""

from __future__ import annotations

import hashlib
import importlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from bench import rows
from bench.indexrows import IndexRows, build
from bench.timeline import Outcome, Planner
from bench.workload import SEED, CustomerSpec, Generator, Size, TicketSpec, team_of
from gongdan.accounts.models import Team, User
from gongdan.customers.models import Customer, CustomerIdentity, Device
from gongdan.demo.builder import Directory
from gongdan.sla import calendars
from gongdan.sla import deadlines as dl
from gongdan.sla.businesstime import ALWAYS
from gongdan.sla.models import SlaPolicy, SlaSettings, TicketSla
from gongdan.tickets.models import Category, Priority, Status, Ticket, TicketEvent

CHUNK = 10_000
PAUSED = ("pending-customer", "pending-third-party", "on-hold")
DONE = ("resolved", "closed")


@dataclass
class Manifest:
    """What a load produced; stored with the database so a later run can reuse it."""

    fingerprint: str
    size: str
    tickets: int = 0
    events: int = 0
    customers: int = 0
    index_rows: int = 0  # duplicate bands and search terms (triage)
    long_ticket: str = ""
    first_ticket_id: int = 0
    first_customer_id: int = 0
    last_event_id: int = 0
    loaded_at: str = ""
    seconds: float = 0.0
    active: int = 0
    duplicate_index: bool = False
    extra: dict = field(default_factory=dict)


@dataclass
class Policy:
    policy_id: int
    calendar_id: int | None
    calendar: object
    first: timedelta | None
    resolution: timedelta | None
    percents: list[int]


class Sla:
    """The stored SLA columns of a bulk-loaded ticket, from the same pure maths the engine uses."""

    def __init__(self, now: datetime):

        self.now = now
        settings = SlaSettings.current()
        self.vip = timedelta(minutes=settings.vip_first_response_minutes) if settings.vip_green_channel else None
        self.by_priority: dict[str, Policy] = {}
        for policy in SlaPolicy.objects.filter(is_active=True).prefetch_related("priorities").order_by("order", "pk"):
            row = policy.calendar if policy.calendar_id else calendars.default_calendar()
            for priority in policy.priorities.all():
                self.by_priority.setdefault(
                    priority.code,
                    Policy(
                        policy.pk,
                        row.pk if row else None,
                        calendars.load(row, now.date()),
                        policy.target("first_response"),
                        policy.target("resolution"),
                        list(policy.warning_percents),
                    ),
                )

    def columns(self, spec: TicketSpec, outcome: Outcome, vip: bool) -> tuple[dict, Policy | None]:
        policy = self.by_priority.get(spec.priority)
        if policy is None:
            return {"sla_status": "on_track"}, None
        start, zero = spec.created_at, timedelta(0)
        first_cal, first = policy.calendar, policy.first
        if vip and self.vip is not None:
            first_cal, first = ALWAYS, self.vip if first is None else min(self.vip, first)
        first_due = dl.due_at(first_cal, start, first, zero) if first else None
        resolution_due = dl.due_at(policy.calendar, start, policy.resolution, zero) if policy.resolution else None
        points = [(first_due, outcome.first_response_at), (resolution_due, outcome.resolved_at)]
        warnings = []
        if first and outcome.first_response_at is None:
            warnings += [at for _, at in dl.warning_points(first_cal, start, first, zero, policy.percents)]
        if policy.resolution and outcome.resolved_at is None:
            warnings += [
                at for _, at in dl.warning_points(policy.calendar, start, policy.resolution, zero, policy.percents)
            ]
        status, next_check = self._status(outcome, points, warnings)
        return {
            "first_response_due_at": first_due,
            "resolution_due_at": resolution_due,
            "sla_status": status,
            "sla_next_check_at": next_check,
        }, policy

    def _status(self, outcome: Outcome, points, warnings) -> tuple[str, datetime | None]:
        now = self.now
        late = any(due is not None and (done or now) > due for due, done in points)
        if outcome.status == "merged":
            return "on_track", None
        if outcome.status in DONE:
            return ("breached" if late else "met"), None
        if outcome.status in PAUSED:
            return ("breached" if late else "paused"), None
        upcoming = [due for due, done in points if due is not None and done is None and due > now]
        upcoming += [at for at in warnings if at > now]
        # A breached ticket is checked again for the escalation ladder; spread those checks out.
        next_check = min(upcoming) if upcoming else now + timedelta(minutes=1 + outcome.events[-1].at.minute)
        if late:
            return "breached", next_check
        return ("at_risk" if any(at <= now for at in warnings) else "on_track"), next_check


class Reference:
    """Ids of the configuration the bulk rows point at (created by the demo's Directory)."""

    def __init__(self):

        self.priorities = dict(Priority.objects.values_list("code", "pk"))
        self.statuses = dict(Status.objects.values_list("key", "pk"))
        self.categories = dict(Category.objects.values_list("code", "pk"))
        self.teams = dict(Team.objects.values_list("code", "pk"))
        self.agents: dict[int, list[tuple[int, str]]] = {}
        for user in User.objects.filter(role__in=("agent", "lead")).prefetch_related("teams").order_by("pk"):
            for team in user.teams.all():
                self.agents.setdefault(team.pk, []).append((user.pk, user.username))
        fallback = next(iter(self.agents.values()))
        self.fallback = fallback

    def agents_of(self, team_id: int | None) -> list[tuple[int, str]]:
        return self.agents.get(team_id, self.fallback)


def duplicate_index() -> list[Callable]:
    """The triage app's row builders (`band_rows_for`, `term_rows_for`, `feature_rows_for`)."""
    try:
        module = importlib.import_module("gongdan.triage.duplicates")
    except ImportError:
        return []
    return [
        getattr(module, name)
        for name in ("band_rows_for", "term_rows_for", "feature_rows_for")
        if hasattr(module, name)
    ]


SIGNATURE_TEXTS = 60


def index_signature() -> str:
    """Changes when the duplicate index rows the app builds change: the bench DB is then rebuilt.

    A digest of the rows built for a fixed sample of generated texts (Chinese and English), rather
    than of the code: a refactoring that builds the same rows keeps a loaded 1M database usable."""
    builders = duplicate_index()
    if not builders:
        return ""
    sample = Generator(Size("signature", SIGNATURE_TEXTS, 20, 30), datetime(2026, 1, 1, tzinfo=UTC), SEED)
    digest = hashlib.sha256()
    for spec in sample.tickets():
        for label, row in build(builders, _text(spec)):
            digest.update(repr((label, sorted(row.items()))).encode())
    return digest.hexdigest()[:16]


def create_reference() -> None:
    """Teams, staff with skills and shifts, demo customers and the category tree, through the demo."""

    with transaction.atomic():
        Directory.create()


class Loader:
    def __init__(self, size: Size, *, now: datetime, seed: int = SEED, progress: Callable[[str], None] = print):

        self.size, self.now, self.seed, self.progress = size, now, seed, progress
        self.generator = Generator(size, now, seed)
        self.planner = Planner(now, seed)
        self.reference = Reference()
        self.sla = Sla(now)
        self.customer_base = rows.next_id(Customer)
        self.ticket_base = rows.next_id(Ticket)
        self.event_id = rows.next_id(TicketEvent)
        self.device_base = rows.next_id(Device)
        self.devices: dict[str, int] = {}
        self.index_builders = duplicate_index()
        self.index = IndexRows(self.index_builders)
        self.index_models: list = []
        self.rng = random.Random(f"{seed}-loader")

    def customer_id(self, spec: CustomerSpec | int) -> int:
        return self.customer_base + (spec if isinstance(spec, int) else spec.index)

    def ticket_id(self, index: int) -> int:
        return self.ticket_base + index

    def load(self, fingerprint: str) -> Manifest:
        manifest = Manifest(
            fingerprint=fingerprint,
            size=self.size.name,
            first_ticket_id=self.ticket_base,
            first_customer_id=self.customer_base,
        )
        manifest.duplicate_index = bool(self.index_builders)
        with _fast_copy():
            manifest.customers = self._customers()
            self.progress(f"customers: {manifest.customers}")
            specs = self.generator.tickets()
            chunk = self._next_chunk(specs)
            while chunk:
                following = self._next_chunk(specs)  # its index rows are built while this chunk is written
                self._tickets(chunk, manifest)
                if chunk[-1].index % (CHUNK * 10) == CHUNK * 10 - 1 or not following:
                    self.progress(f"tickets: {manifest.tickets} events: {manifest.events}")
                chunk = following
        self.index.close()
        self._finish()
        manifest.last_event_id = self.event_id - 1
        manifest.long_ticket = f"GD-{self.ticket_id(self.size.tickets - 1):06d}"
        manifest.loaded_at = self.now.isoformat()
        return manifest

    def _next_chunk(self, specs: Iterator[TicketSpec]) -> list[TicketSpec]:
        chunk = [spec for _, spec in zip(range(CHUNK), specs, strict=False)]
        self.index.prepare(_text(spec) for spec in chunk)
        return chunk

    def _customers(self) -> int:

        specs = self.generator.customers
        created = self.now - timedelta(days=self.size.days + 30)
        with transaction.atomic():
            rows.write(Customer, (self._customer_row(spec, created) for spec in specs))
            rows.write(CustomerIdentity, _identities(specs, self.customer_base, created), with_pk=False)
            rows.write(Device, self._device_rows(specs))
        return len(specs)

    def _device_rows(self, specs: list[CustomerSpec]) -> Iterator[dict]:
        for spec in specs:
            for device in spec.devices:
                self.devices[device.serial_number] = device_id = self.device_base + len(self.devices)
                yield {
                    "id": device_id,
                    "customer_id": self.customer_id(spec),
                    "serial_number": device.serial_number,
                    "model": device.model,
                    "location": device.location,
                }

    def _customer_row(self, spec: CustomerSpec, created: datetime) -> dict:
        return {
            "id": self.customer_id(spec),
            "name": spec.name,
            "tier": spec.tier,
            "language": spec.language,
            "timezone": "Europe/London" if spec.language == "en" and spec.index % 3 == 0 else "Asia/Shanghai",
            "created_at": created,
        }

    def _tickets(self, chunk: list[TicketSpec], manifest: Manifest) -> None:

        tickets, events, states = [], [], []
        index_rows: dict[type, list[dict]] = {}
        for spec in chunk:
            outcome = self.planner.plan(spec, long=spec.index == self.size.tickets - 1)
            ticket, state = self._ticket_row(spec, outcome)
            tickets.append(ticket)
            events.extend(self._event_rows(spec, ticket, outcome))
            if state is not None:
                states.append(state)
            for model, row in self.index.rows(ticket["id"], _text(spec)):
                index_rows.setdefault(model, []).append(row)
        with transaction.atomic():
            rows.write(Ticket, tickets)
            rows.write(TicketEvent, events)
            rows.write(TicketSla, states)
            for model, model_rows in index_rows.items():
                rows.write(model, model_rows, with_pk=False)
                if model not in self.index_models:
                    self.index_models.append(model)
        manifest.tickets += len(tickets)
        manifest.events += len(events)
        manifest.active += len(states)
        manifest.index_rows += sum(len(model_rows) for model_rows in index_rows.values())

    def _ticket_row(self, spec: TicketSpec, outcome: Outcome) -> tuple[dict, dict | None]:
        ref, customer = self.reference, self.generator.customers[spec.customer]
        team_id = ref.teams.get(team_of(spec.group))
        assignee = self.rng.choice(ref.agents_of(team_id)) if outcome.assigned else None
        ticket_id = self.ticket_id(spec.index)
        row = {
            "id": ticket_id,
            "number": f"GD-{ticket_id:06d}",
            "subject": spec.subject,
            "description": spec.description,
            "channel": "api",
            "ticket_type": spec.ticket_type,
            "customer_id": self.customer_id(spec.customer),
            "category_id": ref.categories.get(spec.kind),
            "priority_id": ref.priorities[spec.priority],
            "status_id": ref.statuses[outcome.status],
            "assignee_id": assignee[0] if assignee else None,
            "team_id": team_id,
            "device_sn": spec.device_sn,
            "device_id": self.devices.get(spec.device_sn),
            "fault_code": spec.fault_code,
            "first_response_at": outcome.first_response_at,
            "resolved_at": outcome.resolved_at,
            "closed_at": outcome.closed_at,
            "closure_kind": outcome.closure_kind,
            "rating": outcome.rating,
            "language": spec.language,
            "last_effective_action_at": outcome.last_effective_action_at,
            "merged_into_id": self.ticket_id(spec.duplicate_of) if outcome.merged else None,
            "created_at": spec.created_at,
            "updated_at": outcome.updated_at,
            "_assignee": assignee,
        }
        columns, policy = self.sla.columns(spec, outcome, customer.tier == "vip")
        row.update(columns)
        return row, self._state_row(spec, outcome, row, policy)

    def _state_row(self, spec: TicketSpec, outcome: Outcome, ticket: dict, policy: Policy | None) -> dict | None:
        if outcome.status in (*DONE, "merged") or policy is None:
            return None
        answered = outcome.first_response_at
        due = ticket.get("first_response_due_at")
        return {
            "ticket_id": ticket["id"],
            "policy_id": policy.policy_id,
            "calendar_id": policy.calendar_id,
            "clock_start_at": spec.created_at,
            "paused_at": outcome.status_since if outcome.status in PAUSED else None,
            "in_progress_since": outcome.status_since if outcome.status == "open" else None,
            "p0_since": spec.created_at if spec.priority == "P0" else None,
            "first_response_outcome": ("breached" if due and answered > due else "met") if answered else "",
            "breached_at": due if ticket["sla_status"] == "breached" else None,
        }

    def _event_rows(self, spec: TicketSpec, ticket: dict, outcome: Outcome) -> Iterator[dict]:
        assignee = ticket.pop("_assignee") or self.reference.agents_of(ticket["team_id"])[0]
        for event in outcome.events:
            new = event.new
            if event.event_type == "assigned":
                new = {"assignee": assignee[0], "team": ticket["team_id"]}
            self.event_id += 1
            yield {
                "id": self.event_id - 1,
                "ticket_id": ticket["id"],
                "event_type": event.event_type,
                "actor_id": assignee[0] if event.actor == "agent" else None,
                "actor_customer_id": ticket["customer_id"] if event.actor == "customer" else None,
                "channel": {"customer": "api", "agent": "web"}.get(event.actor, "system"),
                "summary": f"指派给 {assignee[1]}" if event.event_type == "assigned" else event.summary[:200],
                "body": event.body,
                "old_value": {"assignee": None, "team": ticket["team_id"]}
                if event.event_type == "assigned"
                else event.old,
                "new_value": new,
                "is_public": event.is_public,
                "is_effective": event.is_effective,
                "counts_as_first_response": event.first_response,
                "created_at": event.at,
            }

    def _finish(self) -> None:

        models_ = [Customer, CustomerIdentity, Device, Ticket, TicketEvent, TicketSla]
        models_ += self.index_models
        rows.reset_sequences(models_)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def _text(spec: TicketSpec) -> str:
    return f"{spec.subject}\n{spec.description}".strip()


def _identities(specs: list[CustomerSpec], base: int, created: datetime) -> Iterator[dict]:
    for spec in specs:
        yield {
            "customer_id": base + spec.index,
            "kind": "email",
            "value": spec.email,
            "verified": True,
            "created_at": created,
        }
        yield {"customer_id": base + spec.index, "kind": "phone", "value": spec.phone, "created_at": created}


class _fast_copy:
    """PostgreSQL: no per-row foreign-key triggers while copying (ids are consistent by construction)."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        return False
