from datetime import timedelta

import time_machine
from django.test import Client

from gongdan.core import clock
from gongdan.web.models import Presence


def test_a_second_agent_sees_that_the_first_is_writing_a_reply(agent_client, other_agent, ticket):
    agent_client.post(f"/desk/t/{ticket.number}/presence/", {"replying": "1"})
    other = Client()
    other.force_login(other_agent)
    response = other.post(f"/desk/t/{ticket.number}/presence/", {"replying": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "李坐席 is writing a reply to this ticket." in response.content.decode()
    # And the first agent, polling again, sees the second one viewing.
    response = agent_client.post(f"/desk/t/{ticket.number}/presence/", {"replying": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "王坐席 is also viewing this ticket." in response.content.decode()
    assert Presence.objects.filter(ticket=ticket).count() == 2


def test_an_agent_who_left_is_no_longer_shown(agent_client, other_agent, ticket):
    with time_machine.travel(clock.now() - timedelta(minutes=2), tick=False):
        agent_client.post(f"/desk/t/{ticket.number}/presence/", {"replying": "1"})
    other = Client()
    other.force_login(other_agent)
    response = other.post(f"/desk/t/{ticket.number}/presence/", {"replying": "0"})
    assert "collision" not in response.content.decode()


def test_the_live_poll_answers_204_when_nothing_changed(agent_client, ticket):
    stamp = str(ticket.updated_at.timestamp())
    assert agent_client.get(f"/desk/t/{ticket.number}/live/", {"v": stamp}).status_code == 204
    response = agent_client.get(f"/desk/t/{ticket.number}/live/", {"v": "0"})
    assert response.status_code == 200
    assert 'id="ticket-live"' in response.content.decode()


def test_a_customer_cannot_report_presence(client, customer, ticket):
    client.force_login(customer.user)
    assert client.post(f"/desk/t/{ticket.number}/presence/", {"replying": "1"}).status_code == 404
    assert Presence.objects.count() == 0
