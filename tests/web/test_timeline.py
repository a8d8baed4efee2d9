"""The ticket page shows the newest events of a long timeline; "Show earlier events" loads the rest."""

import pytest

from gongdan.tickets import services
from gongdan.tickets.models import TicketEvent
from gongdan.web import timeline


def _notes(ticket, actor, n):
    for i in range(n):
        services.add_note(actor=actor, ticket=ticket, body=f"排查记录 {i}")


def _ids(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id").values_list("pk", flat=True))


def test_a_long_timeline_shows_the_newest_events_and_a_link_to_the_earlier_ones(agent_client, ticket, web_actor):
    _notes(ticket, web_actor, timeline.LATEST + 5)
    every = _ids(ticket)
    response = agent_client.get(f"/desk/t/{ticket.number}/")
    shown = response.context["timeline"]
    assert [event.pk for event in shown.events] == every[-timeline.LATEST :]
    assert shown.earlier_than == every[-timeline.LATEST]
    html = response.content.decode()
    assert f'hx-get="/desk/t/{ticket.number}/events/?before={every[-timeline.LATEST]}"' in html
    assert 'href="?timeline=all#timeline"' in html
    assert f'id="event-{every[0]}"' not in html
    assert f'id="event-{every[-1]}"' in html


def test_show_earlier_loads_exactly_the_events_before_the_oldest_shown(agent_client, ticket, web_actor):
    _notes(ticket, web_actor, timeline.LATEST + 5)
    every = _ids(ticket)
    response = agent_client.get(f"/desk/t/{ticket.number}/events/", {"before": every[-timeline.LATEST]})
    assert response.status_code == 200
    assert [event.pk for event in response.context["events"]] == every[: -timeline.LATEST]
    html = response.content.decode()
    assert html.count('class="timeline-item') == len(every) - timeline.LATEST
    assert "排查记录 0" in html


def test_without_script_the_link_reopens_the_page_with_every_event(agent_client, ticket, web_actor):
    _notes(ticket, web_actor, timeline.LATEST + 5)
    every = _ids(ticket)
    response = agent_client.get(f"/desk/t/{ticket.number}/", {"timeline": "all"})
    assert [event.pk for event in response.context["timeline"].events] == every
    html = response.content.decode()
    assert 'id="timeline-earlier"' not in html
    # The live refresh keeps showing everything.
    assert "&amp;timeline=all" in html


def test_a_short_timeline_has_no_earlier_link(agent_client, ticket):
    response = agent_client.get(f"/desk/t/{ticket.number}/")
    assert [event.pk for event in response.context["timeline"].events] == _ids(ticket)
    assert response.context["timeline"].earlier_than is None
    assert 'id="timeline-earlier"' not in response.content.decode()


def test_earlier_events_of_an_unknown_or_foreign_event_are_empty(agent_client, ticket, customer, web_actor):
    from tests import factories

    other = factories.ticket_for(customer, subject="另一张工单")
    foreign = TicketEvent.objects.filter(ticket=other).values_list("pk", flat=True).first()
    response = agent_client.get(f"/desk/t/{ticket.number}/events/", {"before": foreign})
    assert list(response.context["events"]) == []
    assert agent_client.get(f"/desk/t/{ticket.number}/events/", {"before": "x"}).status_code == 404


def test_customers_cannot_load_timeline_events(client, customer, ticket):
    client.force_login(customer.user)
    first = _ids(ticket)[0]
    assert client.get(f"/desk/t/{ticket.number}/events/", {"before": first}).status_code == 404


@pytest.mark.parametrize("notes", [3, 60])
def test_the_ticket_page_takes_the_same_queries_for_a_short_and_a_long_timeline(
    agent_client, ticket, web_actor, notes, django_assert_max_num_queries
):
    _notes(ticket, web_actor, notes)
    agent_client.get(f"/desk/t/{ticket.number}/")  # warm the session and the cached configuration
    with django_assert_max_num_queries(14):
        response = agent_client.get(f"/desk/t/{ticket.number}/")
    assert len(response.context["timeline"].events) == min(len(_ids(ticket)), timeline.LATEST)


def test_consecutive_system_events_fold_into_one_item(agent_client, ticket):
    """Issue 17, defect 9: a late ladder's warnings, breach and steps read as one group, not a wall."""
    from gongdan.core import clock
    from gongdan.tickets.models import TicketEvent

    for kind, signal in (("sla_breached", "breach"), ("escalated", "escalation"), ("escalated", "escalation")):
        TicketEvent.objects.create(
            ticket=ticket,
            event_type=kind,
            channel="system",
            new_value={"signal": signal, "target": "first_response", "stage": 1},
            created_at=clock.now(),
        )

    html = agent_client.get(f"/desk/t/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert html.count('class="timeline-group"') == 1
    assert "3 system events: SLA breached · Escalated" in html
