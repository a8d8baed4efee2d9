"""A new ticket the worker has not judged yet shows "triage pending" on its page and in the queue,
in the agent's language; once judged, the badge is gone."""

import pytest

from gongdan.tickets.services import judgement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "分诊处理中"), ("en", "Triage pending")])
def test_a_pending_ticket_shows_the_badge_until_it_is_judged(agent_client, agent, customer, language, label):
    agent.language = language
    agent.save()
    with judgement.synchronously(False):
        ticket = factories.ticket_for(customer, subject="打印机卡纸")
    page = agent_client.get(f"/desk/t/{ticket.number}/", HTTP_ACCEPT_LANGUAGE=language)
    queue = agent_client.get("/desk/q/unassigned/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == queue.status_code == 200
    assert label in page.content.decode() and label in queue.content.decode()

    judgement.drain()
    page = agent_client.get(f"/desk/t/{ticket.number}/", HTTP_ACCEPT_LANGUAGE=language)
    queue = agent_client.get("/desk/q/unassigned/", HTTP_ACCEPT_LANGUAGE=language)
    assert label not in page.content.decode() and label not in queue.content.decode()
