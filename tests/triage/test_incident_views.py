"""Incident clusters on the desk: the strip in the queue and on the board, the incident page, bulk
reply and bulk resolve with readable errors."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from gongdan.tickets.constants import StatusKind
from gongdan.tickets.models import Ticket
from gongdan.triage.duplicates import tasks
from gongdan.triage.models import IncidentCluster
from tests import factories

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def incident(customer, other_customer):
    with time_machine.travel(NOW, tick=False):
        factories.ticket_for(customer, subject="收银系统宕机", description="门店无法收款")
        factories.ticket_for(other_customer, subject="收银系统宕机", description="门店无法收款")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        tasks.embed_and_check()
    return IncidentCluster.objects.get()


def test_the_strip_shows_one_row_with_the_count_and_the_queue_and_board_load_it(client, lead, incident):
    client.force_login(lead)

    strip = client.get(reverse("triage:incidents-strip")).content.decode()
    queue = client.get(reverse("web:home")).content.decode()
    board = client.get(reverse("web:board")).content.decode()

    assert strip.count("data-incident=") == 1
    assert f'href="{reverse("triage:incident", args=[incident.pk])}"' in strip
    assert '<span class="badge text-bg-danger">2</span>' in strip
    assert reverse("triage:incidents-strip") in queue and reverse("triage:incidents-strip") in board


def test_a_customer_cannot_read_the_incident_strip(client, customer, incident):
    client.force_login(customer.user)

    assert client.get(reverse("triage:incidents-strip")).status_code == 404


def test_bulk_resolve_from_the_incident_page_resolves_every_ticket(client, agent, incident):
    client.force_login(agent)

    page = client.get(reverse("triage:incident", args=[incident.pk]))
    response = client.post(reverse("triage:incident-resolve", args=[incident.pk]), {"reason": "已修复"}, follow=True)

    assert page.status_code == 200 and "收银系统宕机" in page.content.decode()
    assert response.status_code == 200
    assert set(Ticket.objects.values_list("status__kind", flat=True)) == {StatusKind.RESOLVED}
    assert IncidentCluster.objects.get().closed_at is not None


def test_an_empty_bulk_reply_is_refused_with_a_readable_message(client, agent, incident):
    client.force_login(agent)

    response = client.post(reverse("triage:incident-reply", args=[incident.pk]), {"body": " "}, follow=True)

    assert response.status_code == 200
    assert "回复内容不能为空" in response.content.decode()
