"""The desk's status and assignment forms carry the ticket version they were rendered from: a change
someone else made meanwhile refuses the submit with the current values (issue 24 item 3)."""

import re

import pytest

from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket, TicketEvent


def _rendered_version(client, ticket, prefix: str) -> int:
    html = client.get(f"/desk/t/{ticket.number}/").content.decode()
    found = re.search(rf'<input type="hidden" name="{prefix}-version" value="(\d+)"', html)
    assert found, f"no hidden {prefix}-version field"
    return int(found.group(1))


def test_both_edit_forms_carry_the_current_version(agent_client, ticket):
    version = Ticket.objects.get(pk=ticket.pk).version
    assert version > 0
    assert _rendered_version(agent_client, ticket, "st") == version
    assert _rendered_version(agent_client, ticket, "as") == version


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "was changed by someone else after you loaded it"),
        ("zh-hans", "在你打开之后已被他人修改"),
    ],
)
def test_a_status_change_from_a_stale_page_is_refused_with_the_current_values(
    agent_client, ticket, agent_actor, other_agent, language, expected
):
    seen = _rendered_version(agent_client, ticket, "st")
    services.assign(actor=agent_actor, ticket=ticket, assignee=other_agent, reason="交接")  # someone else, meanwhile
    response = agent_client.post(
        f"/desk/t/{ticket.number}/status/",
        {"st-status": "pending-customer", "st-reason": "", "st-version": seen},
        HTTP_ACCEPT_LANGUAGE=language,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert expected in html
    assert str(other_agent) in html  # the current assignee is named in the message
    current = Ticket.objects.get(pk=ticket.pk)
    assert current.status.kind == "new"  # nothing was saved
    assert not TicketEvent.objects.filter(ticket=ticket, event_type=EventType.STATUS_CHANGED).exists()
    # The form comes back with the agent's choice kept and the version renewed: a second submit applies.
    assert f'name="st-version" value="{current.version}"' in html
    again = agent_client.post(
        f"/desk/t/{ticket.number}/status/",
        {"st-status": "pending-customer", "st-reason": "", "st-version": current.version},
    )
    assert again.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status.kind == "pending"


def test_an_assignment_from_a_stale_page_is_refused(lead_client, ticket, agent_actor, other_agent):
    seen = _rendered_version(lead_client, ticket, "as")
    services.add_note(actor=agent_actor, ticket=ticket, body="客户说明天再试")
    response = lead_client.post(
        f"/desk/t/{ticket.number}/assign/",
        {"as-assignee": other_agent.pk, "as-reason": "换人", "as-version": seen},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "your change was not saved" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee_id != other_agent.pk


def test_a_form_without_a_version_still_applies(agent_client, ticket):
    response = agent_client.post(f"/desk/t/{ticket.number}/status/", {"st-status": "pending-customer", "st-reason": ""})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status.kind == "pending"
