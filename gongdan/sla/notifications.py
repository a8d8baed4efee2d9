"""What each fired SLA signal tells whom: a timeline event on the ticket, and notices with its history."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation

from gongdan.automation import services as outbox
from gongdan.core import siteurl
from gongdan.sla import constants as c
from gongdan.sla.deadlines import Due, Step
from gongdan.tickets import rendering
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket, TicketEvent

TARGET_LABELS = {
    c.Target.FIRST_RESPONSE: ("首次响应", "first response"),
    c.Target.NEXT_RESPONSE: ("再次响应", "next response"),
    c.Target.RESOLUTION: ("解决", "resolution"),
    "": ("", ""),
}
STEP_LABELS = {
    c.StepTarget.ASSIGNEE: ("处理人", "assignee"),
    c.StepTarget.TEAM_LEAD: ("组长", "team lead"),
    c.StepTarget.MANAGER: ("经理", "manager"),
    c.StepTarget.DIRECTOR: ("总监", "director"),
    c.StepTarget.DUTY_MANAGER: ("值班经理", "duty manager"),
}
HISTORY_LINES = 50


@dataclass
class Staff:
    """The people named in the SLA settings, read once per batch and only when a notice needs them."""

    ids: dict[str, tuple[int, ...]]
    _users: dict[int, object] | None = None

    def named(self, name: str) -> list:
        if self._users is None:
            from gongdan.accounts.models import User

            wanted = {pk for ids in self.ids.values() for pk in ids}
            self._users = {user.pk: user for user in User.objects.filter(pk__in=wanted)} if wanted else {}
        return [self._users[pk] for pk in self.ids.get(name, ()) if pk in self._users]


def _lead(ticket: Ticket):
    return ticket.team.lead if ticket.team_id and ticket.team.lead_id else None


def people(ticket: Ticket, staff: Staff, who: str) -> list:
    """The people a ladder target names; an empty rung falls through to the next one up."""
    chain = {
        c.StepTarget.ASSIGNEE: lambda: [ticket.assignee] if ticket.assignee_id else [],
        c.StepTarget.TEAM_LEAD: lambda: [lead] if (lead := _lead(ticket)) else [],
        c.StepTarget.MANAGER: lambda: staff.named("managers"),
        c.StepTarget.DIRECTOR: lambda: staff.named("directors"),
        c.StepTarget.DUTY_MANAGER: lambda: staff.named("duty_managers"),
    }
    order = [c.StepTarget.ASSIGNEE, c.StepTarget.TEAM_LEAD, c.StepTarget.MANAGER, c.StepTarget.DIRECTOR]
    rungs = [who] if who not in order else order[order.index(who) :]
    if who == c.StepTarget.DUTY_MANAGER:
        rungs += [c.StepTarget.TEAM_LEAD, c.StepTarget.MANAGER]
    for rung in rungs:
        found = [user for user in chain[rung]() if user.is_active]
        if found:
            return found
    return []


@dataclass(frozen=True)
class Plan:
    """What one fired signal tells whom."""

    event_type: str
    headline: str  # "中文 / English"
    recipients: list  # active people only
    urgent: bool
    step: str = ""  # the escalation rung, for the timeline event's parameters

    @property
    def usernames(self) -> list[str]:
        return sorted({user.get_username() for user in self.recipients})


def plan(ticket: Ticket, due: Due, staff: Staff, steps: list[Step]) -> Plan:
    event_type, step, recipients, urgent = _plan(ticket, due, staff, steps)
    zh, en = headlines(due.kind, due.target, due.stage, step)
    active = [user for user in recipients if user is not None and user.is_active]
    return Plan(event_type, f"{zh} / {en}", active, urgent, step)


def headlines(kind: str, target: str, stage: int, step: str = "") -> tuple[str, str]:
    """(Chinese, English) headline of a signal: notices carry both; the timeline shows one."""
    zh, en = TARGET_LABELS.get(target, ("", ""))
    if kind == c.SignalKind.P0_ALERT:
        return "新 P0 工单", "new P0 ticket"
    if kind == c.SignalKind.WARNING:
        return f"{zh}已用 {stage}%", f"{en} {stage}% used"
    if kind == c.SignalKind.BREACH:
        return f"{zh}已超时", f"{en} breached"
    if kind == c.SignalKind.ESCALATION:
        if step not in STEP_LABELS:
            return f"升级第 {stage} 级", f"escalation {stage}"
        szh, sen = STEP_LABELS[step]
        return f"升级第 {stage} 级 → {szh}", f"escalation {stage} → {sen}"
    if kind == c.SignalKind.STAGNATION_YELLOW:
        return "停滞（黄）", "stagnant (yellow)"
    if kind == c.SignalKind.STAGNATION_RED:
        return "停滞（红）", "stagnant (red)"
    return "P0 无有效处理，转值班经理", "P0 silent: to the duty manager"


def describe(old: dict, new: dict, summary: str) -> str:
    """An SLA event's timeline line in the viewer's language (registered with `tickets.rendering`)."""
    if "signal" not in new:
        return summary  # written before events were stored as parameters
    zh, en = headlines(new["signal"], new.get("target", ""), new.get("stage", 0), new.get("step", ""))
    return zh if rendering.chinese() else en


def _plan(ticket: Ticket, due: Due, staff: Staff, steps: list[Step]) -> tuple[str, str, list, bool]:
    """(event type, escalation step, recipients, urgent) for one signal."""
    kind = due.kind
    if kind == c.SignalKind.P0_ALERT:
        recipients = [u for u in [ticket.assignee, _lead(ticket), *staff.named("duty_managers")] if u]
        return EventType.P0_ALERT, "", recipients, True
    if kind == c.SignalKind.WARNING:
        return EventType.SLA_WARNING, "", people(ticket, staff, c.StepTarget.ASSIGNEE), False
    if kind == c.SignalKind.BREACH:
        return EventType.SLA_BREACHED, "", [], False
    if kind == c.SignalKind.ESCALATION:
        # The rung of the ladder the step was computed from (the policy of this very refresh).
        step = next((step.target for step in steps if step.order == due.stage), c.StepTarget.DIRECTOR)
        return EventType.ESCALATED, step, people(ticket, staff, step), True
    if kind == c.SignalKind.STAGNATION_YELLOW:
        return EventType.STAGNANT, "", [], False
    if kind == c.SignalKind.STAGNATION_RED:
        directors = people(ticket, staff, c.StepTarget.DIRECTOR)
        assignee = [ticket.assignee] if ticket.assignee_id else []
        return EventType.STAGNANT, "", [*directors, *assignee], False
    return EventType.P0_BREAKER, "", people(ticket, staff, c.StepTarget.DUTY_MANAGER), True


@dataclass(frozen=True)
class Line:
    """One timeline entry as the history of a notice shows it."""

    created_at: datetime
    id: int
    text: str


def line(created_at: datetime, pk: int, event_type: str, actor: str, is_public: bool, summary: str) -> Line:
    public = "" if is_public else " [内部 internal]"
    return Line(created_at, pk, f"{created_at:%Y-%m-%d %H:%M} · {event_type} · {actor}{public} · {summary}")


def histories(ticket_ids: list[int]) -> dict[int, list[Line]]:
    """The last HISTORY_LINES timeline entries of each ticket, oldest first: one query for the batch."""
    out: dict[int, list[Line]] = {pk: [] for pk in ticket_ids}
    if not ticket_ids:
        return out
    newest_first = [F("created_at").desc(), F("id").desc()]
    rows = (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids)
        .annotate(row=Window(RowNumber(), partition_by=[F("ticket_id")], order_by=newest_first))
        .filter(row__lte=HISTORY_LINES)
        .values_list(
            "ticket_id",
            "id",
            "created_at",
            "event_type",
            "is_public",
            "summary",
            "new_value",
            "actor__display_name",
            "actor__username",
            "actor_customer__name",
            "actor_id",
            "actor_customer_id",
        )
    )
    for ticket_id, pk, created_at, event_type, is_public, summary, new, *who in rows:
        display, username, customer, by, by_customer = who
        actor = (display or username) if by else (customer if by_customer else "system")
        text = summary or both_languages(event_type, new, summary)
        out[ticket_id].append(line(created_at, pk, event_type, actor, is_public, text))
    for lines in out.values():
        lines.sort(key=lambda item: (item.created_at, item.id))
    return out


def both_languages(event_type: str, new, summary: str) -> str:
    """An event stored as parameters, in Chinese and English: notices go to people of either language."""
    event = SimpleNamespace(event_type=event_type, old_value=None, new_value=new, summary=summary)
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(rendering.describe(event))
    return " / ".join(dict.fromkeys(text for text in texts if text))


def history_text(lines: list[Line]) -> str:
    """The timeline as plain text, newest last: what an escalation carries along (R7.5)."""
    ordered = sorted(lines, key=lambda item: (item.created_at, item.id))[-HISTORY_LINES:]
    return "\n".join(item.text for item in ordered)


def history(ticket: Ticket) -> str:
    return history_text(histories([ticket.pk])[ticket.pk])


def body(ticket: Ticket, headline: str, history: str) -> str:
    link = siteurl.absolute(reverse("web:ticket", args=[ticket.number]))
    due = [
        ("首次响应 / first response", ticket.first_response_due_at),
        ("再次响应 / next response", ticket.next_response_due_at),
        ("解决 / resolution", ticket.resolution_due_at),
    ]
    lines = [
        f"{ticket.number} {ticket.subject}",
        headline,
        f"优先级 / priority: {ticket.priority.code}",
        f"状态 / status: {ticket.status.label_zh} / {ticket.status.label_en}",
        f"客户 / customer: {ticket.customer.name} ({ticket.customer.tier})",
        f"处理人 / assignee: {ticket.assignee or '—'}",
        *[f"{label} 截止 / due: {timezone.localtime(at):%Y-%m-%d %H:%M %Z}" for label, at in due if at],
        link,
        "",
        "—— 工单历史 / ticket history ——",
        history,
    ]
    return "\n".join(lines)


def notice(ticket: Ticket, signal_pk: int, found: Plan, history: str) -> outbox.Notice:
    return outbox.Notice(
        recipients=found.recipients,
        subject=f"[{ticket.number}] {found.headline}: {ticket.subject}"[:300],
        body=body(ticket, found.headline, history),
        ticket=ticket,
        urgent=found.urgent,
        dedupe_key=f"sla:{signal_pk}",
    )
