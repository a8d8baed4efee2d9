"""What each fired SLA signal tells whom: a timeline event on the ticket, and notices with its history."""

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from gongdan.automation import services as outbox
from gongdan.core.context import Actor
from gongdan.sla import constants as c
from gongdan.sla.models import SlaSettings, SlaSignal, TicketSla
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket

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


def _lead(ticket: Ticket):
    return ticket.team.lead if ticket.team_id and ticket.team.lead_id else None


def people(ticket: Ticket, sla_settings: SlaSettings, who: str) -> list:
    """The people a ladder target names; an empty rung falls through to the next one up."""
    chain = {
        c.StepTarget.ASSIGNEE: lambda: [ticket.assignee] if ticket.assignee_id else [],
        c.StepTarget.TEAM_LEAD: lambda: [lead] if (lead := _lead(ticket)) else [],
        c.StepTarget.MANAGER: lambda: list(sla_settings.managers.all()),
        c.StepTarget.DIRECTOR: lambda: list(sla_settings.directors.all()),
        c.StepTarget.DUTY_MANAGER: lambda: list(sla_settings.duty_managers.all()),
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


def _plan(ticket: Ticket, signal: SlaSignal, sla_settings: SlaSettings) -> tuple[str, str, str, list, bool]:
    """(event type, Chinese headline, English headline, recipients, urgent) for one signal."""
    zh, en = TARGET_LABELS[signal.target]
    kind = signal.kind
    if kind == c.SignalKind.P0_ALERT:
        recipients = [u for u in [ticket.assignee, _lead(ticket), *sla_settings.duty_managers.all()] if u]
        return EventType.P0_ALERT, "新 P0 工单", "new P0 ticket", recipients, True
    if kind == c.SignalKind.WARNING:
        who = people(ticket, sla_settings, c.StepTarget.ASSIGNEE)
        return EventType.SLA_WARNING, f"{zh}已用 {signal.stage}%", f"{en} {signal.stage}% used", who, False
    if kind == c.SignalKind.BREACH:
        return EventType.SLA_BREACHED, f"{zh}已超时", f"{en} breached", [], False
    if kind == c.SignalKind.ESCALATION:
        step = _step_target(ticket, signal)
        szh, sen = STEP_LABELS[step]
        who = people(ticket, sla_settings, step)
        return EventType.ESCALATED, f"升级第 {signal.stage} 级 → {szh}", f"escalation {signal.stage} → {sen}", who, True
    if kind == c.SignalKind.STAGNATION_YELLOW:
        return EventType.STAGNANT, "停滞（黄）", "stagnant (yellow)", [], False
    if kind == c.SignalKind.STAGNATION_RED:
        directors = people(ticket, sla_settings, c.StepTarget.DIRECTOR)
        assignee = [ticket.assignee] if ticket.assignee_id else []
        return EventType.STAGNANT, "停滞（红）", "stagnant (red)", [*directors, *assignee], False
    who = people(ticket, sla_settings, c.StepTarget.DUTY_MANAGER)
    return EventType.P0_BREAKER, "P0 无有效处理，转值班经理", "P0 silent: to the duty manager", who, True


def _step_target(ticket: Ticket, signal: SlaSignal) -> str:
    from gongdan.sla import policies

    state = getattr(ticket, "sla", None)
    for step in policies.ladder(state.policy if state else None):
        if step.order == signal.stage:
            return step.target
    return c.StepTarget.DIRECTOR


def history(ticket: Ticket) -> str:
    """The ticket's timeline as plain text, newest last: what an escalation carries along (R7.5)."""
    lines = []
    events = ticket.events.select_related("actor", "actor_customer").order_by("-created_at", "-id")[:HISTORY_LINES]
    for event in reversed(list(events)):
        public = "" if event.is_public else " [内部 internal]"
        lines.append(
            f"{event.created_at:%Y-%m-%d %H:%M} · {event.event_type} · {event.actor_label}{public} · {event.summary}"
        )
    return "\n".join(lines)


def _body(ticket: Ticket, headline: str) -> str:
    link = django_settings.SITE_URL + reverse("web:ticket", args=[ticket.number])
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
        history(ticket),
    ]
    return "\n".join(lines)


def announce(ticket: Ticket, state: TicketSla, sla_settings: SlaSettings, signal: SlaSignal) -> None:
    """Write the signal's timeline event and notify its people (through the outbox, after commit)."""
    from gongdan.tickets.services import record_event

    event_type, zh, en, recipients, urgent = _plan(ticket, signal, sla_settings)
    headline = f"{zh} / {en}"
    record_event(
        ticket,
        Actor.system(),
        event_type,
        summary=headline[:200],
        new={"signal": signal.kind, "target": signal.target, "stage": signal.stage, "due": signal.due_at.isoformat()},
        refresh_sla=False,
    )
    people_notified = [user for user in recipients if user is not None and user.is_active]
    if people_notified:
        outbox.notify(
            recipients=people_notified,
            subject=f"[{ticket.number}] {headline}: {ticket.subject}"[:300],
            body=_body(ticket, headline),
            ticket=ticket,
            urgent=urgent,
            dedupe_key=f"sla:{signal.pk}",
        )
    signal.recipients = sorted({user.get_username() for user in people_notified})
    signal.save(update_fields=["recipients"])
