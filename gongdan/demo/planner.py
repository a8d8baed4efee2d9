"""Plans 60 days of desk life as a time-ordered list of steps. Pure and seeded: no database, no clock.

Times are seconds since the start of the window (local midnight 60 days before the load day). The
builder plays the steps in order and drops those after the window's end, so recent tickets stop
wherever their story has reached: new, open, pending, on hold or resolved awaiting confirmation.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from gongdan.demo import catalogue as cat
from gongdan.demo import kinds
from gongdan.demo.data import CUSTOMERS, STAFF, STAFF_BY_USERNAME, TEAMS, CustomerData

SEED = 20261123
DAYS = 60
HORIZON = DAYS * 86400
TICKET_COUNT = 300
PROMO_DAYS = range(42, 45)  # a three-day promotion, 16–18 days before the load day
SWEEP_HOURS = 2  # the auto-close and outbox sweep: hourly in production, every 2 h keeps the load fast

MINUTE, HOUR, DAY = 60, 3600, 86400
PRIORITIES = ("P0", "P1", "P2", "P3", "P4")
FIRST_RESPONSE = {"P0": (3, 14), "P1": (10, 55), "P2": (20, 240), "P3": (60, 600), "P4": (120, 1200)}  # minutes
RESOLUTION = {"P0": (1, 6), "P1": (2, 20), "P2": (5, 60), "P3": (20, 110), "P4": (30, 140)}  # hours
# Hour-of-day weights for new requests (local time): quiet nights, busy mornings and afternoons.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 10, 7, 9, 11, 11, 10, 8, 6, 5, 5, 4, 3, 2)
RATINGS = ((5, 52), (4, 28), (3, 11), (2, 5), (1, 4))


@dataclass(frozen=True)
class Who:
    """Who acts: a staff username, a customer key or the system, and through which channel."""

    kind: str  # "staff", "customer", "system"
    key: str = ""
    channel: str = "system"
    with_ip: bool = True


@dataclass(frozen=True)
class Step:
    at: int  # seconds since the start of the window
    seq: int
    action: str
    ticket: str
    who: Who
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    """One ticket being planned: its cast and a cursor that only moves forward."""

    key: str
    kind: cat.Kind
    customer: CustomerData
    language: str
    channel: str
    priority: str
    agent: str
    lead: str
    team: str
    created: int
    cursor: int = 0
    device: Any = None


def _team_lead(code: str) -> str:
    return next(t.lead for t in TEAMS if t.code == code)


AGENTS = [s for s in STAFF if s.role == "agent"]
FIELD_ENGINEERS = [s for s in STAFF if s.is_field_engineer]
DEPARTMENT_STAFF = {
    "tech-support": ("tech_sun", "tech_wu"),
    "purchasing": ("buyer_zheng",),
    "logistics": ("logistics_he",),
    "finance": ("finance_xu",),
}


class Planner:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.seq = 0
        self.steps: list[Step] = []
        self.count = 0

    # ---- public ---------------------------------------------------------------------------

    def plan(self) -> list[Step]:
        index = 0
        while self.count < TICKET_COUNT:
            index += 1
            self._primary(f"T{index:03d}")
        for hour in range(0, DAYS * 24, SWEEP_HOURS):
            self._add(hour * HOUR + 7 * MINUTE, "sweep", "", Who("system"))
        return sorted(self.steps, key=lambda s: (s.at, s.seq))

    # ---- helpers --------------------------------------------------------------------------

    def _add(self, at: int, action: str, ticket: str, who: Who, **args: Any) -> Step:
        self.seq += 1
        step = Step(at=at, seq=self.seq, action=action, ticket=ticket, who=who, args=args)
        self.steps.append(step)
        return step

    def _do(self, story: Story, delay: int, action: str, who: Who, **args: Any) -> int:
        """Add a step `delay` seconds after the story's cursor (at least one minute later)."""
        story.cursor = story.cursor + max(delay, MINUTE) + self.rng.randrange(0, 50)
        self._add(story.cursor, action, story.key, who, **args)
        return story.cursor

    def _minutes(self, low: float, high: float) -> int:
        return int(self.rng.uniform(low, high) * MINUTE)

    def _hours(self, low: float, high: float) -> int:
        return int(self.rng.uniform(low, high) * HOUR)

    def _weighted(self, pairs):
        items = list(pairs)
        return self.rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]

    def _desk_time(self, at: int, priority: str) -> int:
        """P0/P1 are worked around the clock; other work waits for the day shift (08:00–22:00)."""
        hour = (at % DAY) // HOUR
        if priority in ("P0", "P1") or 8 <= hour < 22:
            return at
        day_start = at - at % DAY + (DAY if hour >= 22 else 0)
        return day_start + 9 * HOUR + self._minutes(0, 40)

    def _staff(self, username: str, channel: str = "web") -> Who:
        return Who("staff", username, channel)

    def _customer_who(self, story: Story) -> Who:
        customer = story.customer
        if customer.username:
            return Who("customer", customer.key, "portal")
        channel = story.channel if story.channel in ("email", "im", "web") else "email"
        return Who("customer", customer.key, channel, with_ip=channel == "web")

    def _text(self, story: Story, zh: str, en: str) -> str:
        return zh if story.language == "zh-hans" else en

    # ---- choosing the cast ----------------------------------------------------------------

    def _choose_customer(self, kind: cat.Kind) -> CustomerData:
        candidates = [
            c
            for c in CUSTOMERS
            if c.segment in kind.audience and (kind.device is None or any(d.kind == kind.device for d in c.devices))
        ]
        weights = [3 if c.tier == "vip" else 2 if c.org else 1 for c in candidates]
        return self.rng.choices(candidates, weights=weights)[0]

    def _choose_agent(self, kind: cat.Kind, customer: CustomerData) -> str:
        skilled = [a for a in AGENTS if kind.skill in a.skills]
        if customer.language == "en":
            skilled = [a for a in AGENTS if "english" in a.skills] or skilled
        weights = [
            a.skills.get(kind.skill, 2) + (3 if customer.tier == "vip" and "vip" in a.skills else 0) for a in skilled
        ]
        return self.rng.choices(skilled, weights=weights)[0].username

    def _choose_channel(self, kind: cat.Kind, customer: CustomerData) -> str:
        if kind.machine_alarm:
            return "api"
        options = [("email", 3), ("phone", 2)]
        options.append(("portal", 4) if customer.username else ("web", 2))
        if customer.wecom or customer.dingtalk or customer.wechat:
            options.append(("im", 3))
        return self._weighted(options)

    def _choose_priority(self, kind: cat.Kind, customer: CustomerData, day: int) -> str:
        if kind.promo_sensitive and day in PROMO_DAYS:
            return "P0"
        priority = self._weighted(kind.priorities.items())
        if customer.tier == "vip" and priority in ("P2", "P3") and self.rng.random() < 0.4:
            priority = PRIORITIES[PRIORITIES.index(priority) - 1]
        return priority

    def _created_at(self) -> tuple[int, int]:
        day = self._weighted((d, 10 + d // 4 + (25 if d in PROMO_DAYS else 0)) for d in range(DAYS))
        hour = self._weighted(enumerate(HOUR_WEIGHTS))
        return day, day * DAY + hour * HOUR + self.rng.randrange(0, HOUR)

    # ---- a ticket's story -----------------------------------------------------------------

    def _primary(self, key: str) -> None:
        day, created = self._created_at()
        kind = self._weighted((k, k.weight) for k in kinds.KINDS)
        if day in PROMO_DAYS and self.rng.random() < 0.35:
            kind = kinds.KINDS_BY_CODE["pay-failed"]
        customer = self._choose_customer(kind)
        story = self._story(key, kind, customer, created, self._choose_priority(kind, customer, day))
        age_days = DAYS - day
        outcome = self._choose_outcome(age_days, kind)
        self._create(story)
        self._work(story, outcome)
        if outcome == "confirmed" and self.count < TICKET_COUNT and self.rng.random() < 0.07:
            self._recurrence(story)
        if not kind.machine_alarm and self.count < TICKET_COUNT and self.rng.random() < 0.08:
            self._duplicate(story)

    def _story(self, key: str, kind: cat.Kind, customer: CustomerData, created: int, priority: str) -> Story:
        agent = self._choose_agent(kind, customer)
        team = STAFF_BY_USERNAME[agent].teams[0]
        channel = self._choose_channel(kind, customer)
        devices = [d for d in customer.devices if d.kind == kind.device] if kind.device else []
        return Story(
            key=key,
            kind=kind,
            customer=customer,
            language=customer.language,
            channel=channel,
            priority=priority,
            agent=agent,
            lead=_team_lead(team),
            team=team,
            created=created,
            cursor=created,
            device=self.rng.choice(devices) if devices else None,
        )

    def _choose_outcome(self, age_days: int, kind: cat.Kind) -> str:
        if kind.machine_alarm:
            return "confirmed"
        if age_days <= 3 and self.rng.random() < 0.4:
            return "waiting"
        if age_days <= 14 and self.rng.random() < 0.3:
            options = [("pending_customer", 35), ("pending_third", 15), ("on_hold", 20)]
            if age_days >= 4:
                options.append(("stalled", 30))
            return self._weighted(options)
        return self._weighted((("confirmed", 64), ("no_answer", 21), ("rejected", 9), ("agent_closed", 6)))

    def _placeholders(self, story: Story) -> dict[str, str]:
        customer, device, zh = story.customer, story.device, story.language == "zh-hans"
        store = customer.store_id or "SH-0217"
        return {
            "sn": device.serial_number if device else "",
            "model": device.model if device else "",
            "location": device.location if device else "",
            "store": f"门店 {store}" if zh else f"store {store}",
            "order": f"DD2026{self.rng.randrange(10**8):08d}",
            "tail": customer.phone[-4:],
            "code": self.rng.choice(story.kind.faults) if story.kind.faults else "E-UNKNOWN",
        }

    def _create(self, story: Story, *, subject_prefix: str = "", phrasing: cat.Phrasing | None = None) -> None:
        kind, customer = story.kind, story.customer
        values = self._placeholders(story)
        subject, description = phrasing or self.rng.choice(kind.zh if story.language == "zh-hans" else kind.en)
        tags = list(kind.tags)
        if customer.tier == "vip":
            tags.append("VIP")
        if kind.promo_sensitive and story.priority == "P0":
            tags.append("大促期间")
        custom = {}
        if kind.custom == "store_id" and customer.store_id:
            custom["store_id"] = customer.store_id
        elif kind.custom == "order_no":
            custom["order_no"] = values["order"]
        if kind.machine_alarm:
            who = Who("system", channel="api")
        elif story.channel == "phone":
            who = self._staff(story.agent, "phone")
        else:
            who = Who("customer", customer.key, story.channel, with_ip=story.channel in ("portal", "web"))
        self.count += 1
        self._add(
            story.created,
            "create",
            story.key,
            who,
            customer=customer.key,
            category=kind.code,
            subject=subject_prefix + subject.format_map(values),
            description=description.format_map(values),
            priority=story.priority,
            ticket_type=kind.ticket_type,
            device_sn=story.device.serial_number if story.device else "",
            fault_code=values["code"] if kind.faults and self.rng.random() < 0.7 else "",
            site_location=story.device.location if story.device and kind.dept == "field-service" else "",
            tags=tags,
            custom_fields=custom,
            crm=customer.crm,
        )

    def _work(self, story: Story, outcome: str) -> None:
        if outcome == "waiting":  # still in the queue: maybe routed, nobody has answered yet
            if self.rng.random() < 0.5:
                at = story.created + self._minutes(1, 20)
                self._add(at, "assign", story.key, Who("system"), assignee=story.agent, team=story.team)
            return
        self._triage(story)
        if outcome in ("pending_customer", "pending_third", "on_hold", "stalled"):
            self._open_ended(story, outcome)
            return
        self._investigate(story)
        resolved_at = self._resolve(story)
        self._after_resolution(story, outcome, resolved_at)

    def _triage(self, story: Story) -> None:
        """Assignment, sometimes an acknowledgement-only reply, then the first substantive reply."""
        p = story.priority
        story.cursor = self._desk_time(story.created + self._minutes(1, 3 if p == "P0" else 25), p)
        if story.channel == "phone":
            assigner = self._staff(story.agent)
        elif p == "P0" or story.customer.tier == "vip" or self.rng.random() < 0.4:
            assigner = self._staff("duty_gao" if p == "P0" else story.lead)
        else:
            assigner = Who("system")
        self._add(story.cursor, "assign", story.key, assigner, assignee=story.agent, team=story.team)
        agent = self._staff(story.agent)
        if p != "P0" and self.rng.random() < 0.16:
            ack = self.rng.choice(cat.ACKS[story.language])
            self._do(story, self._minutes(1, 4), "reply", agent, body=ack)
        low, high = FIRST_RESPONSE[p]
        if story.customer.tier == "vip":
            low, high = low // 2 + 1, high // 2 + 1
        if self.rng.random() < 0.1:
            low, high = high, high * 3  # a late first response: SLA breaches exist too
        target = self._desk_time(story.created + self._minutes(low, high), p)
        group = cat.GROUPS_BY_CODE[story.kind.group]
        self._do(story, target - story.cursor, "reply", agent, body=self._text(story, group.ask_zh, group.ask_en))

    def _note(self, story: Story, delay: int) -> None:
        english = story.agent == "agent_emma"
        summary, body = self.rng.choice(cat.AGENT_NOTES_EN if english else cat.AGENT_NOTES)
        self._do(story, delay, "note", self._staff(story.agent), summary=summary, body=body)

    def _customer_info(self, story: Story, delay: int) -> None:
        group = cat.GROUPS_BY_CODE[story.kind.group]
        who = self._customer_who(story)
        if self.rng.random() < 0.3:
            attachment = "photo" if story.kind.device else "log"
            self._do(story, delay, "attach", who, file=attachment, public=True)
            delay = self._minutes(1, 3)
        self._do(story, delay, "reply", who, body=self._text(story, group.info_zh, group.info_en))

    def _investigate(self, story: Story) -> None:
        agent = self._staff(story.agent)
        if self.rng.random() < 0.35:
            summary_key, summary = cat.PENDING["customer"]
            self._do(story, self._minutes(2, 30), "status", agent, status=summary_key, summary=summary)
            self._customer_info(story, self._hours(0.5, 30))
        if self.rng.random() < 0.5:
            self._note(story, self._minutes(5, 90))
        if story.kind.sentiment:
            self._do(story, self._minutes(1, 20), "fields", agent, changes={"sentiment": story.kind.sentiment})
        if story.kind.ticket_type == "complaint" or (
            story.customer.tier == "vip" and story.priority in ("P2", "P3") and self.rng.random() < 0.35
        ):
            higher = PRIORITIES[max(PRIORITIES.index(story.priority) - 1, 1)]
            if higher != story.priority:
                reason = cat.ESCALATION_REASON
                self._do(story, self._minutes(5, 60), "priority", self._staff(story.lead), code=higher, reason=reason)
                story.priority = higher
        if story.kind.dept and self.rng.random() < 0.85:
            self._department(story)
        if story.kind.ticket_type == "question":
            self._do(story, self._minutes(5, 60), "attach", agent, file="guide", public=True, summary="上传操作指南")
        if self.rng.random() < 0.25:
            ref = self.rng.choice(cat.KNOWLEDGE_REFS)
            self._do(story, self._minutes(2, 30), "fields", agent, changes={"knowledge_ref": ref})

    def _department(self, story: Story) -> None:
        kind, dept = story.kind, story.kind.dept
        agent = self._staff(story.agent)
        self._do(story, self._minutes(5, 60), "fields", agent, changes={"collaborating_departments": [dept]})
        summary, body = cat.DEPARTMENT_HANDOFF[dept]
        self._do(story, self._minutes(1, 5), "note", agent, summary=summary, body=body)
        if dept == "field-service":
            self._field_visit(story)
            return
        member = self.rng.choice(DEPARTMENT_STAFF[dept])
        staff = self._staff(member)
        if dept == "purchasing":
            on_hold, resumed = cat.ON_HOLD
            self._do(story, self._minutes(5, 30), "status", agent, status="on-hold", summary=on_hold)
        summary, body = kind.dept_note
        self._do(story, self._hours(1, 20), "note", staff, summary=summary, body=body)
        reference = {
            "purchasing": ("erp_po", f"PO-2026{self.rng.randrange(10**5):05d}"),
            "logistics": ("wms_shipment", f"WMS-SH-{self.rng.randrange(10**6):06d}"),
            "finance": ("approval", f"OA-2026-{self.rng.randrange(10**4):04d}"),
        }.get(dept)
        if reference:
            self._do(story, self._minutes(2, 20), "ext_ref", staff, system=reference[0], reference=reference[1])
        if dept == "purchasing":
            self._do(story, self._hours(20, 60), "status", agent, status="open", summary=resumed)

    def _field_visit(self, story: Story) -> None:
        engineer = self.rng.choice(FIELD_ENGINEERS).username
        changes: dict[str, Any] = {"engineer": engineer}
        if story.device:
            changes["site_location"] = story.device.location
        self._do(story, self._minutes(5, 40), "fields", self._staff(story.lead), changes=changes)
        visit = self._hours(2, 8) if story.priority in ("P0", "P1") else self._hours(10, 40)
        summary, body = story.kind.dept_note
        self._do(story, visit, "note", self._staff(engineer, "web"), summary=summary, body=body)
        if self.rng.random() < 0.6:
            self._do(story, self._minutes(1, 10), "attach", self._staff(engineer), file="photo", public=False)
        if story.kind.materials:
            changes = {"materials": [dict(m) for m in story.kind.materials]}
            self._do(story, self._minutes(10, 90), "fields", self._staff(story.agent), changes=changes)

    def _resolve(self, story: Story) -> int:
        low, high = RESOLUTION[story.priority]
        due = self._desk_time(story.created + self._hours(low, high), story.priority)
        agent = self._staff(story.agent)
        summary, fix_zh, fix_en = story.kind.fix
        self._do(story, due - story.cursor, "reply", agent, body=self._text(story, fix_zh, fix_en))
        return self._do(story, self._minutes(1, 6), "status", agent, status="resolved", summary=summary)

    def _confirm(self, story: Story, delay: int) -> int:
        rating = self._weighted(RATINGS)
        comment = self.rng.choice(cat.RATING_COMMENTS[story.language]) if rating >= 3 else ""
        clear = rating >= 3 and self.rng.random() < 0.9
        who = self._customer_who(story)
        return self._do(story, delay, "confirm", who, solved=True, clear=clear, rating=rating, comment=comment)

    def _after_resolution(self, story: Story, outcome: str, resolved_at: int) -> None:
        if outcome == "confirmed":
            self._confirm(story, self._hours(0.3, 60))
        elif outcome == "rejected":
            comment = self.rng.choice(cat.REOPEN_COMMENTS[story.language])
            self._do(story, self._hours(2, 36), "confirm", self._customer_who(story), solved=False, comment=comment)
            self._note(story, self._hours(0.5, 6))
            self._resolve_again(story)
            self._confirm(story, self._hours(1, 48))
        elif outcome == "agent_closed":
            reason = cat.AGENT_CLOSE_REASON
            self._do(story, self._hours(1, 40), "status", self._staff(story.agent), status="closed", reason=reason)
        # "no_answer": the hourly sweep closes it after the confirmation window (R10.3).

    def _resolve_again(self, story: Story) -> None:
        agent = self._staff(story.agent)
        _summary, fix_zh, fix_en = story.kind.fix
        self._do(story, self._hours(4, 40), "reply", agent, body=self._text(story, fix_zh, fix_en))
        self._do(story, self._minutes(1, 6), "status", agent, status="resolved", summary="二次处理后已解决")

    def _open_ended(self, story: Story, outcome: str) -> None:
        agent = self._staff(story.agent)
        if outcome == "stalled":
            if self.rng.random() < 0.6:
                self._note(story, self._hours(1, 20))
            return
        if outcome == "pending_customer":
            status, summary = cat.PENDING["customer"]
        elif outcome == "pending_third":
            self._note(story, self._minutes(10, 120))
            status, summary = cat.PENDING["third"]
        else:
            status, summary = "on-hold", cat.ON_HOLD[0]
        self._do(story, self._minutes(5, 120), "status", agent, status=status, summary=summary)

    # ---- tickets that follow from another --------------------------------------------------

    def _duplicate(self, master: Story) -> None:
        """The same customer asks again on another channel (seed 000); the agent merges it."""
        resolutions = [s.at for s in self.steps if s.ticket == master.key and s.args.get("status") == "resolved"]
        latest = min([*resolutions, master.created + 20 * HOUR]) - 2 * HOUR
        start = master.created + 30 * MINUTE
        if latest <= start:
            return
        created = self.rng.randrange(start, latest)
        if created >= HORIZON:
            return
        channels = [c for c in ("im", "phone", "email") if c != master.channel]
        story = Story(
            key=f"{master.key}-dup",
            kind=master.kind,
            customer=master.customer,
            language=master.language,
            channel=self.rng.choice(channels),
            priority=master.priority,
            agent=master.agent,
            lead=master.lead,
            team=master.team,
            created=created,
            cursor=created,
            device=master.device,
        )
        self._create(story)
        reason = cat.MERGE_REASON
        self._do(story, self._minutes(10, 90), "merge", self._staff(master.agent), target=master.key, reason=reason)

    def _recurrence(self, master: Story) -> None:
        """The same problem comes back within 30 days of the close (R5.4)."""
        created = master.cursor + self._hours(48, 20 * 24)
        if created >= HORIZON - DAY:
            return
        priority = self._choose_priority(master.kind, master.customer, created // DAY)
        story = self._story(f"{master.key}-re", master.kind, master.customer, created, priority)
        prefix = "又出现了：" if story.language == "zh-hans" else "Again: "
        self._create(story, subject_prefix=prefix)
        self._triage(story)
        summary, body = cat.RECURRENCE_NOTE
        self._do(story, self._minutes(1, 10), "link", self._staff(story.agent), target=master.key)
        self._do(story, self._minutes(1, 5), "note", self._staff(story.agent), summary=summary, body=body)
        self._investigate(story)
        self._resolve(story)
        self._confirm(story, self._hours(1, 48))


def plan() -> list[Step]:
    return Planner().plan()
