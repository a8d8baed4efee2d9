"""Builds the demo desk: accounts and configuration with the ORM, tickets only through the services.

The whole load is one transaction: either the demo is there completely or not at all. Each step of
the plan runs at its historic time (time-machine), so `created_at`, events, confirmations and
outbox deliveries carry realistic timestamps. Demo mail is delivered to a dummy backend.
"""

import logging
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from gongdan.accounts.models import Shift, Skill, Team, User, UserSkill
from gongdan.automation import services as outbox
from gongdan.automation.models import OutboxMessage
from gongdan.core import configcache
from gongdan.core.context import Actor
from gongdan.customers.models import Customer, CustomerIdentity, Device, Organization
from gongdan.demo import catalogue as cat
from gongdan.demo import data, kinds
from gongdan.demo import routing as demo_routing
from gongdan.demo.planner import DAYS, HORIZON, PROMO_DAYS, Step, Who, plan
from gongdan.feedback import services as feedback
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.sla import services as sla
from gongdan.sla.models import SlaSettings
from gongdan.tickets import services
from gongdan.tickets.models import Category, CustomFieldDefinition, Ticket, TicketEvent
from gongdan.triage import services as triage
from gongdan.triage.constants import DEFAULT_RULES

DUMMY_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


@dataclass
class Summary:
    loaded: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    closures: dict[str, int] = field(default_factory=dict)
    window: tuple[datetime, datetime] | None = None


def is_loaded() -> bool:
    return User.objects.filter(username=data.ADMIN_USERNAME, email=data.ADMIN_EMAIL).exists()


def blocking_data() -> str | None:
    """Why the demo cannot be loaded into this database, or None."""
    demo_usernames = [s.username for s in data.STAFF] + [c.username for c in data.CUSTOMERS if c.username]
    taken = sorted(User.objects.filter(username__in=demo_usernames).values_list("username", flat=True))
    if taken:
        return f"users already exist: {', '.join(taken[:5])}"
    if Ticket.objects.exists():
        return "the database already holds tickets"
    return None


def window_end(now: datetime | None = None) -> datetime:
    """The end of the demo window: local midnight of the load day, so the plan is date-independent."""
    local = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(local.date(), time.min), local.tzinfo)


def build(now: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Load the demo unless it is there already. Returns what was built. `progress(done, total)` is
    called as tickets are created (the load takes minutes; `load_demo` prints it)."""
    import time_machine  # a dev dependency; the demo is a development and evaluation tool

    if is_loaded():
        return Summary(loaded=False)
    started = timezone.now()
    end = window_end(now)
    start = end - timedelta(days=DAYS)
    from huey.contrib.djhuey import HUEY

    was_immediate, huey_log = HUEY.immediate, logging.getLogger("huey")
    was_level = huey_log.level
    HUEY.immediate = True  # the after-commit kicks run in-process instead of queueing hundreds of tasks
    huey_log.setLevel(logging.WARNING)
    try:
        with (
            override_settings(EMAIL_BACKEND=DUMMY_EMAIL),
            transaction.atomic(),
            time_machine.travel(start - timedelta(days=1), tick=False) as traveller,
            configcache.scope(),
        ):
            directory = Directory.create()
            _triage_configuration(start)
            demo_routing.hold_for_replay()
            Player(directory, traveller, start, progress).play(plan())
            # Rules and the model only after the history, so the history's timeline stays as planned.
            triage.seed_default_rules(actor=Actor.system())
            triage.train_classifier(actor=Actor.system())
            # Routing goes live at the end of the window, when no field shift is running (the same every day).
            traveller.move_to(max(timezone.now(), end - timedelta(minutes=1)))
            demo_routing.configure()
    finally:
        HUEY.immediate = was_immediate
        huey_log.setLevel(was_level)
    summary = summarise()
    summary.seconds = (timezone.now() - started).total_seconds()
    summary.window = (start, end)
    return summary


def _triage_configuration(start: datetime) -> None:
    """Two rule set versions (so the A/B page has both groups) and the planner's promotion days as a
    business window in which payment failures are P0 (R4.2, R4.4)."""
    triage.publish_rule_set(actor=Actor.system(), name="默认 / Default", config=DEFAULT_RULES)
    tuned = {**DEFAULT_RULES, "complaint_points": 8, "complaint_cap": 24}
    triage.publish_rule_set(actor=Actor.system(), name="投诉加权 / Complaints weigh more", config=tuned)
    first = timezone.localdate(start + timedelta(days=PROMO_DAYS.start))
    triage.create_window(
        actor=Actor.system(),
        name="大促活动 / Promotion",
        kind="promotion",
        points=10,
        starts_on=first,
        ends_on=first + timedelta(days=len(PROMO_DAYS) - 1),
        category_overrides={"pay-failed": "P0"},
    )


def summarise() -> Summary:
    statuses = dict(Ticket.objects.values_list("status__key").annotate(n=Count("id")).order_by("status__key"))
    closures = dict(
        Ticket.objects.exclude(closure_kind="").values_list("closure_kind").annotate(n=Count("id")).order_by()
    )
    counts = {
        "teams": Team.objects.count(),
        "staff": User.objects.exclude(role="customer").count(),
        "customers": Customer.objects.count(),
        "devices": Device.objects.count(),
        "categories": Category.objects.count(),
        "request kinds": Category.objects.filter(depth=3).count(),
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "effective events": TicketEvent.objects.filter(is_effective=True).count(),
        "outbox messages": OutboxMessage.objects.count(),
    }
    return Summary(loaded=True, counts=counts, statuses=statuses, closures=closures)


def _given_name(staff: data.StaffData) -> str:
    if staff.role == "admin":
        return "Admin"
    return staff.display_name.split()[0] if staff.language == "en" else staff.display_name.split("（")[0][1:]


def _family_name(staff: data.StaffData) -> str:
    if staff.role == "admin":
        return ""
    return staff.display_name.split()[-1] if staff.language == "en" else staff.display_name[:1]


class Directory:
    """The people, places and configuration the plan refers to by key."""

    def __init__(self):
        self.users: dict[str, User] = {}
        self.customers: dict[str, Customer] = {}
        self.categories: dict[str, Category] = {}
        self.teams: dict[str, Team] = {}

    @classmethod
    def create(cls) -> "Directory":
        directory = cls()
        directory._teams_and_staff()
        directory._customers()
        directory._categories()
        return directory

    def _teams_and_staff(self) -> None:
        skills = {s.code: Skill.objects.create(code=s.code, name_zh=s.name_zh, name_en=s.name_en) for s in data.SKILLS}
        for team in data.TEAMS:
            self.teams[team.code] = Team.objects.create(
                code=team.code,
                name_zh=team.name_zh,
                name_en=team.name_en,
                kind=team.kind,
                parent=self.teams.get(team.parent) if team.parent else None,
                email=team.email,
            )
        hashes = {role: make_password(password) for role, password in data.PASSWORDS.items()}
        for staff in data.STAFF:
            is_admin = staff.role == "admin"
            user = User.objects.create(
                username=staff.username,
                email=data.ADMIN_EMAIL if is_admin else staff.email,
                password=hashes[staff.role],
                role=staff.role,
                display_name=staff.display_name,
                first_name=_given_name(staff),
                last_name=_family_name(staff),
                phone=staff.phone,
                language=staff.language,
                availability=staff.availability,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            user.teams.set([self.teams[code] for code in staff.teams])
            UserSkill.objects.bulk_create(
                UserSkill(user=user, skill=skills[code], proficiency=level) for code, level in staff.skills.items()
            )
            Shift.objects.bulk_create(
                Shift(user=user, weekday=day, start=time.fromisoformat(begin), end=time.fromisoformat(end))
                for days, begin, end in staff.shifts
                for day in days
            )
            self.users[staff.username] = user
        for team in data.TEAMS:
            Team.objects.filter(pk=self.teams[team.code].pk).update(lead=self.users[team.lead])
        sla_settings = SlaSettings.current()
        for contacts, usernames in data.SLA_CONTACTS.items():
            getattr(sla_settings, contacts).set([self.users[name] for name in usernames])

    def _customers(self) -> None:
        organizations = {
            o.key: Organization.objects.create(name=o.name, domain=o.domain, tier=o.tier, share_tickets=o.share_tickets)
            for o in data.ORGANIZATIONS
        }
        customer_hash = make_password(data.PASSWORDS["customer"])
        for item in data.CUSTOMERS:
            user = None
            if item.username:
                user = User.objects.create(
                    username=item.username, email=item.email, password=customer_hash, role="customer"
                )
            customer = Customer.objects.create(
                name=item.name,
                organization=organizations.get(item.org) if item.org else None,
                user=user,
                tier=item.tier,
                timezone=item.timezone,
                language=item.language,
                sees_organization_tickets=item.sees_organization_tickets,
                notes=item.notes,
            )
            identities = [("email", item.email.lower()), ("phone", item.phone)]
            identities += [
                (kind, value)
                for kind, value in (
                    ("wecom", item.wecom),
                    ("dingtalk", item.dingtalk),
                    ("wechat", item.wechat),
                    ("crm", item.crm),
                )
                if value
            ]
            CustomerIdentity.objects.bulk_create(
                CustomerIdentity(customer=customer, kind=kind, value=value, verified=kind in ("email", "crm"))
                for kind, value in identities
            )
            Device.objects.bulk_create(
                Device(
                    customer=customer,
                    serial_number=d.serial_number,
                    model=d.model,
                    installed_at=d.installed_at,
                    location=d.location,
                )
                for d in item.devices
            )
            self.customers[item.key] = customer

    def _categories(self) -> None:
        for top in cat.TOPS:
            self.categories[top.code] = Category.objects.create(code=top.code, name_zh=top.name_zh, name_en=top.name_en)
        for group in cat.GROUPS:
            self.categories[group.code] = Category.objects.create(
                code=group.code,
                name_zh=group.name_zh,
                name_en=group.name_en,
                parent=self.categories[group.parent],
                default_team=self.teams[group.team],
            )
        for kind in kinds.KINDS:
            group = cat.GROUPS_BY_CODE[kind.group]
            self.categories[kind.code] = Category.objects.create(
                code=kind.code,
                name_zh=kind.name_zh,
                name_en=kind.name_en,
                parent=self.categories[kind.group],
                default_team=self.teams[group.team],
            )
        for key, label_zh, label_en, field_type, groups in cat.CUSTOM_FIELDS:
            definition = CustomFieldDefinition.objects.create(
                key=key, label_zh=label_zh, label_en=label_en, field_type=field_type
            )
            definition.categories.set([self.categories[code] for code in groups])

    def actor(self, who: Who) -> Actor:
        if who.kind == "staff":
            ip = data.office_ip(who.key) if who.with_ip else None
            return Actor(user=self.users[who.key], ip=ip, channel=who.channel)
        if who.kind == "customer":
            customer = self.customers[who.key]
            ip = data.customer_ip(who.key) if who.with_ip else None
            return Actor(user=customer.user, customer=customer, ip=ip, channel=who.channel)
        return Actor.system(channel=who.channel)


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small valid grey PNG, standing in for a photo from site."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    raw = b"".join(b"\x00" + b"\x90" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


FILES = {
    "log": lambda: b"2026-01-01 10:02:11 ERROR request failed: upstream timeout (code 504)\n" * 20,
    "photo": _png,
    "guide": lambda: b"%PDF-1.4\n% Gongdan demo guide\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n",
}


class Player:
    """Plays the planned steps in time order through the services."""

    def __init__(self, directory: Directory, traveller: Any, start: datetime, progress=None):
        self.progress = progress or (lambda done, total: None)
        self.directory = directory
        self.traveller = traveller
        self.start = start
        self.tickets: dict[str, Ticket] = {}

    def play(self, steps: list[Step]) -> None:
        total = sum(1 for step in steps if step.action == "create" and step.at <= HORIZON)
        created = 0
        for step in steps:
            if step.at > HORIZON:
                break
            if step.action == "create":
                created += 1
                if created % 25 == 0 or created == total:
                    self.progress(created, total)
            self.traveller.move_to(self.start + timedelta(seconds=step.at))
            getattr(self, f"_{step.action}")(step, self.directory.actor(step.who))
        self.traveller.move_to(self.start + timedelta(seconds=HORIZON))
        while sla.sweep() == sla.c.SWEEP_BATCH:
            pass
        outbox.deliver_due(limit=10_000)

    def _ticket(self, step: Step) -> Ticket:
        return self.tickets[step.ticket]

    def _sweep(self, step: Step, actor: Actor) -> None:
        feedback.auto_close_due()
        while sla.sweep() == sla.c.SWEEP_BATCH:
            pass
        outbox.deliver_due(limit=1000)

    def _create(self, step: Step, actor: Actor) -> None:
        args = step.args
        self.tickets[step.ticket] = services.create_ticket(
            actor=actor,
            customer=self.directory.customers[args["customer"]],
            subject=args["subject"],
            description=args["description"],
            category=self.directory.categories[args["category"]],
            priority_code=args["priority"],
            ticket_type=args["ticket_type"],
            device_sn=args["device_sn"],
            site_location=args["site_location"],
            fault_code=args["fault_code"],
            tags=args["tags"],
            custom_fields=args["custom_fields"],
            external_refs=[("crm", args["crm"])] if args["crm"] else [],
        )

    def _assign(self, step: Step, actor: Actor) -> None:
        services.assign(
            actor=actor,
            ticket=self._ticket(step),
            assignee=self.directory.users[step.args["assignee"]],
            team=self.directory.teams[step.args["team"]],
        )

    def _reply(self, step: Step, actor: Actor) -> None:
        services.add_reply(actor=actor, ticket=self._ticket(step), body=step.args["body"])

    def _note(self, step: Step, actor: Actor) -> None:
        services.add_note(actor=actor, ticket=self._ticket(step), body=step.args["body"], summary=step.args["summary"])

    def _status(self, step: Step, actor: Actor) -> None:
        services.change_status(
            actor=actor,
            ticket=self._ticket(step),
            status=step.args["status"],
            summary=step.args.get("summary", ""),
            reason=step.args.get("reason", ""),
        )

    def _priority(self, step: Step, actor: Actor) -> None:
        services.set_priority(
            actor=actor, ticket=self._ticket(step), code=step.args["code"], reason=step.args["reason"]
        )

    def _fields(self, step: Step, actor: Actor) -> None:
        changes = dict(step.args["changes"])
        if "engineer" in changes:
            changes["engineer"] = self.directory.users[changes["engineer"]]
        services.update_fields(actor=actor, ticket=self._ticket(step), changes=changes)

    def _ext_ref(self, step: Step, actor: Actor) -> None:
        services.add_external_ref(
            actor=actor, ticket=self._ticket(step), system=step.args["system"], reference=step.args["reference"]
        )

    def _attach(self, step: Step, actor: Actor) -> None:
        name, content_type = cat.ATTACHMENTS[step.args["file"]]
        upload = services.Upload(name, FILES[step.args["file"]](), content_type)
        services.attach(
            actor=actor,
            ticket=self._ticket(step),
            files=[upload],
            is_public=step.args["public"],
            summary=step.args.get("summary", ""),
        )

    def _confirm(self, step: Step, actor: Actor) -> None:
        confirmation = ResolutionConfirmation.objects.filter(
            ticket=self._ticket(step), answered_at__isnull=True, superseded=False
        ).latest("created_at")
        feedback.answer_confirmation(
            token=feedback.make_token(confirmation),
            solved=step.args["solved"],
            clear=step.args.get("clear"),
            rating=step.args.get("rating"),
            comment=step.args.get("comment", ""),
            ip=actor.ip,
            channel=actor.channel,
        )

    def _merge(self, step: Step, actor: Actor) -> None:
        target = self.tickets[step.args["target"]]
        reason = step.args["reason"].format(target=target.number)
        services.merge(actor=actor, source=self._ticket(step), target=target, reason=reason)

    def _link(self, step: Step, actor: Actor) -> None:
        target = self.tickets[step.args["target"]]
        services.link(actor=actor, ticket=self._ticket(step), target=target, kind="recurrence_of")
