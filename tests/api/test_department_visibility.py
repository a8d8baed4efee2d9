"""R8.2 / R14.1 over the API: department staff see only tickets of their teams or collaborations."""

import pytest

from gongdan.tickets import services
from gongdan.tickets.models import Ticket, TicketEvent
from tests import factories
from tests.api.conftest import assert_problem


@pytest.fixture
def tickets(customer, agent_actor, purchasing_team):
    owned = factories.ticket_for(customer, subject="采购：更换主板", team=purchasing_team)
    collaborating = factories.ticket_for(customer, subject="需要采购配件")
    services.update_fields(
        actor=agent_actor, ticket=collaborating, changes={"collaborating_departments": [purchasing_team.code]}
    )
    unrelated = factories.ticket_for(customer, subject="密码重置")
    return owned, collaborating, unrelated


def test_department_staff_list_only_tickets_of_their_team_or_collaboration(as_purchasing, tickets):
    owned, collaborating, unrelated = tickets
    body = as_purchasing.get("/api/v1/tickets").json()
    assert [item["number"] for item in body["items"]] == [collaborating.number, owned.number]
    assert unrelated.number not in str(body)
    assert "密码重置" not in str(body)


def test_department_staff_searching_for_an_unrelated_ticket_find_nothing(as_purchasing, tickets):
    unrelated = tickets[2]
    assert as_purchasing.get(f"/api/v1/tickets?q={unrelated.number}").json()["items"] == []


def test_department_staff_reading_an_unrelated_ticket_get_404(as_purchasing, tickets):
    unrelated = tickets[2]
    for path in ("", "/events", "/attachments"):
        assert_problem(as_purchasing.get(f"/api/v1/tickets/{unrelated.number}{path}"), 404, "not-found")


def test_department_staff_see_the_staff_view_of_their_tickets(as_purchasing, tickets, purchasing_team):
    collaborating = tickets[1]
    body = as_purchasing.get(f"/api/v1/tickets/{collaborating.number}").json()
    assert body["view"] == "staff"
    assert body["collaborating_departments"] == [purchasing_team.code]


def test_department_staff_may_write_notes_on_their_tickets_but_not_change_fields(as_purchasing, tickets):
    owned = tickets[0]
    note = as_purchasing.post(
        f"/api/v1/tickets/{owned.number}/notes",
        {"body": "主板已下单，PO-2231", "summary": "已下采购单"},
        content_type="application/json",
    )
    assert note.status_code == 201
    assert note.json()["event_type"] == "note"
    before = Ticket.objects.values("priority_id", "status_id").get(pk=owned.pk)
    events = TicketEvent.objects.filter(ticket=owned).count()
    patch = as_purchasing.patch(
        f"/api/v1/tickets/{owned.number}", {"priority": "P0", "reason": "急"}, content_type="application/json"
    )
    assert_problem(patch, 403, "forbidden")
    assert Ticket.objects.values("priority_id", "status_id").get(pk=owned.pk) == before
    assert TicketEvent.objects.filter(ticket=owned).count() == events


def test_department_staff_writing_on_an_unrelated_ticket_get_404_and_nothing_changes(as_purchasing, tickets):
    unrelated = tickets[2]
    events = TicketEvent.objects.filter(ticket=unrelated).count()
    response = as_purchasing.post(
        f"/api/v1/tickets/{unrelated.number}/notes", {"body": "看看"}, content_type="application/json"
    )
    assert_problem(response, 404, "not-found")
    assert TicketEvent.objects.filter(ticket=unrelated).count() == events
