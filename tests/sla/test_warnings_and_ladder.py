"""Warnings before a breach, the breach, and the escalation ladder: each fires exactly once."""

from gongdan.automation.models import OutboxMessage
from gongdan.sla import notifications
from gongdan.sla import services as sla
from gongdan.sla.models import SlaSignal, TicketSla
from gongdan.tickets import services
from gongdan.tickets.constants import EventType, SlaStatus
from tests import factories
from tests.sla.conftest import at


def _sla_events(ticket):
    kinds = [EventType.SLA_WARNING, EventType.SLA_BREACHED, EventType.ESCALATED]
    rows = ticket.events.filter(event_type__in=kinds).values_list("event_type", "new_value", "summary")
    return [(kind, notifications.both_languages(kind, new, summary)) for kind, new, summary in rows]


def _assigned_p2(customer, lead_actor, agent, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    return services.assign(actor=lead_actor, ticket=ticket, assignee=agent, team=agent.teams.get())


def test_the_warning_fires_once_at_75_percent_and_tells_the_assignee(customer, lead_actor, desk, travel):
    ticket = _assigned_p2(customer, lead_actor, desk["agent"], travel)
    travel(at(2026, 11, 18, 11, 29))
    assert sla.sweep() == 0
    travel(at(2026, 11, 18, 11, 30))
    assert sla.sweep() == 1
    assert sla.sweep() == 0
    ticket.refresh_from_db()

    assert _sla_events(ticket) == [(EventType.SLA_WARNING, "首次响应已用 75% / first response 75% used")]
    assert ticket.sla_status == SlaStatus.AT_RISK
    assert ticket.sla_next_check_at == at(2026, 11, 18, 12)
    assert list(OutboxMessage.objects.filter(ticket=ticket).values_list("recipient", flat=True)) == [
        desk["agent"].email
    ]


def test_after_a_breach_the_ladder_climbs_one_step_at_a_time_each_once(customer, lead_actor, desk, travel):
    ticket = _assigned_p2(customer, lead_actor, desk["agent"], travel)
    moments = [(11, 30), (12, 0), (12, 0), (12, 29), (12, 30), (13, 0), (13, 59), (14, 0), (15, 0)]
    for hour, minute in moments:
        travel(at(2026, 11, 18, hour, minute))
        sla.sweep()
    ticket.refresh_from_db()

    assert _sla_events(ticket) == [
        (EventType.SLA_WARNING, "首次响应已用 75% / first response 75% used"),
        (EventType.SLA_BREACHED, "首次响应已超时 / first response breached"),
        (EventType.ESCALATED, "升级第 1 级 → 处理人 / escalation 1 → assignee"),
        (EventType.ESCALATED, "升级第 2 级 → 组长 / escalation 2 → team lead"),
        (EventType.ESCALATED, "升级第 3 级 → 经理 / escalation 3 → manager"),
        (EventType.ESCALATED, "升级第 4 级 → 总监 / escalation 4 → director"),
    ]
    fired = SlaSignal.objects.filter(ticket=ticket, kind="escalation").order_by("stage")
    assert [(s.stage, s.fired_at, s.recipients) for s in fired] == [
        (1, at(2026, 11, 18, 12), ["agent_li"]),
        (2, at(2026, 11, 18, 12, 30), ["lead_zhao"]),
        (3, at(2026, 11, 18, 13), ["manager_qian"]),
        (4, at(2026, 11, 18, 14), ["director_sun"]),
    ]
    state = TicketSla.objects.get(ticket=ticket)
    assert (state.breached_at, state.escalation_level, ticket.sla_status) == (at(2026, 11, 18, 12), 4, "breached")


def test_every_escalation_carries_the_ticket_history(customer, lead_actor, desk, travel):
    ticket = _assigned_p2(customer, lead_actor, desk["agent"], travel)
    travel(at(2026, 11, 18, 11))
    services.add_note(actor=lead_actor, ticket=ticket, body="客户是老用户，优先处理", summary="优先处理老客户")
    for minute in (0, 30):
        travel(at(2026, 11, 18, 12, minute))
        sla.sweep()

    to_lead = OutboxMessage.objects.get(ticket=ticket, recipient=desk["lead"].email)
    assert to_lead.subject.startswith(f"[紧急 URGENT] [{ticket.number}] 升级第 2 级 → 组长")
    assert "—— 工单历史 / ticket history ——" in to_lead.body
    assert "note · 赵组长 [内部 internal] · 优先处理老客户" in to_lead.body
    assert "sla_breached · system [内部 internal] · 首次响应已超时" in to_lead.body


def test_the_ladder_stops_once_the_breached_target_is_met(customer, lead_actor, agent_actor, desk, travel):
    ticket = _assigned_p2(customer, lead_actor, desk["agent"], travel)
    travel(at(2026, 11, 18, 12, 10))
    sla.sweep()
    services.add_reply(actor=agent_actor, ticket=ticket, body="已定位问题：短信网关限流，正在切换备用通道。")
    travel(at(2026, 11, 18, 15))
    sla.sweep()

    assert list(SlaSignal.objects.filter(ticket=ticket, kind="escalation").values_list("stage", flat=True)) == [1]
    assert TicketSla.objects.get(ticket=ticket).first_response_outcome == "breached"


def test_a_breach_between_two_sweeps_is_recorded_by_the_late_reply_itself(
    customer, lead_actor, agent_actor, desk, travel
):
    ticket = _assigned_p2(customer, lead_actor, desk["agent"], travel)
    travel(at(2026, 11, 18, 12, 0, 30))  # due at 12:00; the next sweep would run at 12:01
    services.add_reply(actor=agent_actor, ticket=ticket, body="已定位问题：短信网关限流。")
    travel(at(2026, 11, 18, 12, 1))
    sla.sweep()

    breaches = SlaSignal.objects.filter(ticket=ticket, kind="breach")
    assert [(s.target, s.due_at) for s in breaches] == [("first_response", at(2026, 11, 18, 12))]
    assert ticket.events.filter(event_type=EventType.SLA_BREACHED).count() == 1


def test_a_next_response_breach_fires_once_per_customer_message(customer, customer_actor, agent_actor, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    services.add_reply(actor=agent_actor, ticket=ticket, body="请提供手机号后四位。")
    travel(at(2026, 11, 18, 11))
    services.add_reply(actor=customer_actor, ticket=ticket, body="尾号 8899")
    ticket.refresh_from_db()
    assert ticket.next_response_due_at == at(2026, 11, 18, 15)
    for hour in (15, 16, 17):
        travel(at(2026, 11, 18, hour))
        sla.sweep()
    services.add_reply(actor=agent_actor, ticket=ticket, body="已为尾号 8899 的号码解除拦截。")
    ticket.refresh_from_db()

    assert ticket.next_response_due_at is None
    assert SlaSignal.objects.filter(ticket=ticket, kind="breach", target="next_response").count() == 1


def test_the_sweep_touches_only_the_tickets_that_are_due(customer, travel):
    travel(at(2026, 11, 18, 10))
    due = factories.ticket_for(customer, priority_code="P0")
    later = [factories.ticket_for(customer, priority_code="P3") for _ in range(5)]
    travel(at(2026, 11, 18, 10, 12))

    assert sla.sweep() == 1
    assert list(SlaSignal.objects.filter(ticket__in=later)) == []
    assert list(SlaSignal.objects.filter(ticket=due).values_list("kind", "stage")) == [("warning", 75), ("p0_alert", 0)]


def test_a_breach_seen_late_climbs_the_ladder_one_step_at_a_time_from_when_it_is_seen(
    customer, lead_actor, desk, travel
):
    """Issue 17, defect 9: after a late look (or a priority change into the past) all four steps
    fired in the same minute; now each step waits its gap after the one before."""
    ticket = _assigned_p2(customer, lead_actor, desk["agent"], travel)
    for hour, minute in [(16, 0), (16, 1), (16, 29), (16, 30), (16, 59), (17, 0), (17, 59), (18, 0), (19, 0)]:
        travel(at(2026, 11, 18, hour, minute))
        sla.sweep()

    fired = SlaSignal.objects.filter(ticket=ticket, kind="escalation").order_by("stage")
    assert [(s.stage, s.fired_at) for s in fired] == [
        (1, at(2026, 11, 18, 16)),
        (2, at(2026, 11, 18, 16, 30)),
        (3, at(2026, 11, 18, 17)),
        (4, at(2026, 11, 18, 18)),
    ]
