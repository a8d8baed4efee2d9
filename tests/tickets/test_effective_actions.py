"""R3.3/R3.4: only effective actions move last_effective_action_at; summaries must say something."""

import datetime as dt

import pytest
import time_machine

from gongdan.core.errors import InvalidInput, VagueSummary
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import DeskPolicy

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=1)


@pytest.fixture
def quiet_ticket(customer):
    from tests import factories

    with time_machine.travel(T0, tick=False):
        return factories.ticket_for(customer, subject="打印机卡纸")


def _at(moment, action):
    with time_machine.travel(moment, tick=False):
        return action()


def test_a_substantive_public_reply_is_effective(quiet_ticket, agent_actor):
    event = _at(T1, lambda: services.add_reply(actor=agent_actor, ticket=quiet_ticket, body="请打开后盖取出卡住的纸张"))
    quiet_ticket.refresh_from_db()
    assert event.is_effective is True
    assert quiet_ticket.last_effective_action_at == T1


def test_an_acknowledgement_only_reply_is_not_effective(quiet_ticket, agent_actor):
    event = _at(T1, lambda: services.add_reply(actor=agent_actor, ticket=quiet_ticket, body="收到！"))
    quiet_ticket.refresh_from_db()
    assert (event.is_effective, event.is_public) == (False, True)
    assert quiet_ticket.last_effective_action_at is None
    assert quiet_ticket.updated_at == T1


def test_an_internal_note_with_a_summary_is_effective_and_without_one_is_not(quiet_ticket, agent_actor):
    plain = _at(T0, lambda: services.add_note(actor=agent_actor, ticket=quiet_ticket, body="看了一下日志"))
    quiet_ticket.refresh_from_db()
    assert (plain.is_effective, quiet_ticket.last_effective_action_at) == (False, None)
    noted = _at(
        T1,
        lambda: services.add_note(
            actor=agent_actor, ticket=quiet_ticket, body="定界为进纸辊磨损", summary="定位进纸辊磨损"
        ),
    )
    quiet_ticket.refresh_from_db()
    assert (noted.is_effective, noted.is_public, noted.summary) == (True, False, "定位进纸辊磨损")
    assert quiet_ticket.last_effective_action_at == T1


def test_a_status_change_is_effective_only_with_a_summary(quiet_ticket, agent_actor):
    _at(T0, lambda: services.change_status(actor=agent_actor, ticket=quiet_ticket, status="open"))
    quiet_ticket.refresh_from_db()
    assert quiet_ticket.last_effective_action_at is None
    _at(
        T1,
        lambda: services.change_status(
            actor=agent_actor, ticket=quiet_ticket, status="pending-customer", summary="等客户提供型号"
        ),
    )
    quiet_ticket.refresh_from_db()
    assert quiet_ticket.last_effective_action_at == T1


def test_assignment_and_priority_changes_are_recorded_but_not_effective(quiet_ticket, agent_actor, other_agent):
    _at(T1, lambda: services.assign(actor=agent_actor, ticket=quiet_ticket, assignee=other_agent, reason="换班"))
    _at(T1, lambda: services.set_priority(actor=agent_actor, ticket=quiet_ticket, code="P1", reason="影响门店收银"))
    quiet_ticket.refresh_from_db()
    assert quiet_ticket.last_effective_action_at is None
    events = list(
        quiet_ticket.events.filter(event_type__in=[EventType.ASSIGNED, EventType.PRIORITY_CHANGED])
        .order_by("id")
        .values_list("event_type", "is_effective", "old_value", "new_value")
    )
    assert events == [
        (
            EventType.ASSIGNED,
            False,
            {"assignee": None, "team": None},
            {"assignee": other_agent.pk, "team": None, "assignee_name": "王坐席", "team_name": None},
        ),
        (EventType.PRIORITY_CHANGED, False, {"priority": "P2"}, {"priority": "P1"}),
    ]


def test_a_customer_message_never_counts_as_an_effective_action(quiet_ticket, customer_actor):
    event = _at(T1, lambda: services.add_reply(actor=customer_actor, ticket=quiet_ticket, body="纸张型号是A4 80g"))
    quiet_ticket.refresh_from_db()
    assert (event.is_effective, quiet_ticket.last_effective_action_at) == (False, None)


@pytest.mark.parametrize("vague", ["正在处理", "处理中。", "Processing", " in progress "])
def test_a_vague_summary_is_refused_and_nothing_is_written(quiet_ticket, agent_actor, vague):
    with pytest.raises(VagueSummary) as refused:
        services.add_note(actor=agent_actor, ticket=quiet_ticket, body="日志已上传", summary=vague)
    assert "没有说明具体做了什么" in refused.value.message_zh
    assert quiet_ticket.events.count() == 1


def test_a_summary_over_the_headline_limit_is_refused(quiet_ticket, agent_actor):
    with pytest.raises(InvalidInput) as refused:
        services.add_note(actor=agent_actor, ticket=quiet_ticket, body="x", summary="已" * 21)
    assert refused.value.fields == {"summary": "too_long"}
    assert quiet_ticket.events.count() == 1


def test_the_effective_action_types_are_configurable(quiet_ticket, agent_actor):
    policy = DeskPolicy.current()
    policy.effective_event_types = [EventType.NOTE]
    policy.save()
    reply = _at(T1, lambda: services.add_reply(actor=agent_actor, ticket=quiet_ticket, body="请重启打印机后再试"))
    quiet_ticket.refresh_from_db()
    assert (reply.is_effective, quiet_ticket.last_effective_action_at) == (False, None)


def test_a_note_mentions_staff_by_username(quiet_ticket, agent_actor, other_agent, customer):
    note = services.add_note(
        actor=agent_actor, ticket=quiet_ticket, body=f"@{other_agent.username} 请看一下，@{customer.user.username} 不算"
    )
    assert list(note.mentions.values_list("username", flat=True)) == [other_agent.username]
