"""R3.1: first response = the first substantive public reply from the desk."""

import datetime as dt

import pytest
import time_machine

from gongdan.core.errors import InvalidInput
from gongdan.tickets import services
from tests import factories

T0 = dt.datetime(2026, 11, 3, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def fresh(customer):
    with time_machine.travel(T0, tick=False):
        return factories.ticket_for(customer, subject="页面白屏")


def _reply(actor, ticket, body, minutes):
    with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
        return services.add_reply(actor=actor, ticket=ticket, body=body)


def test_the_first_substantive_reply_sets_the_first_response_time(fresh, agent_actor):
    _reply(agent_actor, fresh, "好的", 3)
    _reply(agent_actor, fresh, "OK.", 4)
    event = _reply(agent_actor, fresh, "请清除浏览器缓存后按 Ctrl+F5 刷新", 12)
    _reply(agent_actor, fresh, "如仍白屏请截图给我们", 20)
    fresh.refresh_from_db()
    assert fresh.first_response_at == T0 + dt.timedelta(minutes=12)
    assert fresh.first_response_seconds == 720
    assert list(fresh.events.filter(counts_as_first_response=True).values_list("pk", flat=True)) == [event.pk]


@pytest.mark.parametrize("blank", ["", "   ", "\n\t "])
def test_a_whitespace_only_reply_is_refused(fresh, agent_actor, blank):
    with pytest.raises(InvalidInput) as refused:
        _reply(agent_actor, fresh, blank, 1)
    assert refused.value.fields == {"body": "blank"}
    fresh.refresh_from_db()
    assert (fresh.first_response_at, fresh.events.count()) == (None, 1)


def test_notes_and_customer_messages_are_not_a_first_response(fresh, agent_actor, customer_actor):
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        services.add_note(actor=agent_actor, ticket=fresh, body="内部：疑似 CDN 故障", summary="疑似CDN故障")
    _reply(customer_actor, fresh, "还是白屏，很着急", 2)
    fresh.refresh_from_db()
    assert fresh.first_response_at is None


def test_the_acknowledgement_list_is_configurable(fresh, agent_actor):
    from gongdan.tickets.models import DeskPolicy

    policy = DeskPolicy.current()
    policy.ack_phrases = ["稍等"]
    policy.save()
    _reply(agent_actor, fresh, "稍等", 2)
    _reply(agent_actor, fresh, "好的", 5)
    fresh.refresh_from_db()
    assert fresh.first_response_seconds == 300


def test_the_first_desk_reply_opens_a_new_ticket(fresh, agent_actor):
    _reply(agent_actor, fresh, "请提供报错截图", 2)
    fresh.refresh_from_db()
    assert fresh.status.key == "open"
