"""Optimistic concurrency on the ticket API (issue 24 item 3): the version is the `ETag` of
`GET /api/v1/tickets/<number>`; `If-Match` on PATCH refuses a change based on an older read with
412 problem+json carrying the current values; without `If-Match` PATCH works as before."""

import threading
from collections import Counter

import pytest
from django.db import connection

from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket, TicketEvent
from gongdan.tickets.services import versions
from tests import factories
from tests.api.conftest import assert_problem, session_client

URL = "/api/v1/tickets/{}"


def _etag(client, ticket) -> str:
    response = client.get(URL.format(ticket.number))
    assert response.status_code == 200
    return response["ETag"]


def _patch(client, ticket, body: dict, **headers):
    return client.patch(URL.format(ticket.number), body, content_type="application/json", **headers)


@pytest.mark.django_db
def test_the_etag_is_the_version_every_recorded_event_bumps(as_agent, ticket):
    ticket.refresh_from_db()
    assert _etag(as_agent, ticket) == f'"v{ticket.version}"'
    before = ticket.version
    response = _patch(as_agent, ticket, {"subject": "验证码收不到"}, HTTP_IF_MATCH=f'"v{before}"')
    assert response.status_code == 200
    assert response["ETag"] == f'"v{before + 1}"'  # one fields-changed event
    assert _etag(as_agent, ticket) == f'"v{before + 1}"'
    assert TicketEvent.objects.filter(ticket=ticket, event_type=EventType.FIELDS_CHANGED).count() == 1


@pytest.mark.django_db
def test_a_patch_based_on_an_older_read_is_refused_with_the_current_values(as_agent, agent, ticket):
    stale = _etag(as_agent, ticket)
    assert _patch(as_agent, ticket, {"subject": "第一位坐席的标题"}, HTTP_IF_MATCH=stale).status_code == 200
    response = _patch(
        as_agent,
        ticket,
        {"priority": "P1", "subject": "第二位坐席的标题"},
        HTTP_IF_MATCH=stale,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_problem(response, 412, "precondition-failed")
    ticket.refresh_from_db()
    assert response["ETag"] == f'"v{ticket.version}"'
    assert body["current"]["version"] == ticket.version
    assert body["current"]["subject"] == "第一位坐席的标题"
    assert body["current"]["priority"] == ticket.priority.code != "P1"
    assert body["detail"].startswith(f"{ticket.number} was changed by someone else after you loaded it")
    assert body["detail_zh"].startswith(f"{ticket.number} 在你打开之后已被他人修改")
    assert (ticket.subject, ticket.priority.code) == ("第一位坐席的标题", body["current"]["priority"])


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "*", "W/{etag}", '"v999", {etag}'])
def test_without_if_match_or_with_a_matching_one_the_patch_applies(as_agent, ticket, header):
    etag = _etag(as_agent, ticket)
    headers = {} if header is None else {"HTTP_IF_MATCH": header.format(etag=etag)}
    response = _patch(as_agent, ticket, {"subject": "新的标题"}, **headers)
    assert response.status_code == 200, response.content
    assert Ticket.objects.get(pk=ticket.pk).subject == "新的标题"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ['"v999"', "garbage", 'W/"x1"'])
def test_an_if_match_naming_no_current_version_changes_nothing(as_agent, ticket, header):
    before = Ticket.objects.get(pk=ticket.pk)
    response = _patch(as_agent, ticket, {"subject": "不该保存"}, HTTP_IF_MATCH=header)
    assert_problem(response, 412, "precondition-failed")
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.subject, after.version) == (before.subject, before.version)


def test_if_match_parsing():
    assert versions.parse_if_match(None) is None
    assert versions.parse_if_match(" * ") is None
    assert versions.parse_if_match('"v7"') == [7]
    assert versions.parse_if_match('W/"v7", "v9"') == [7, 9]
    assert versions.parse_if_match('"7", v8, "abc"') == []


PAIRS = 20


def _send(user, ticket, body: dict, headers: dict, barrier: threading.Barrier, statuses: list) -> None:
    client = session_client(user)
    try:
        barrier.wait(timeout=30)
        response = _patch(client, ticket, body, **headers)
        statuses.append((body["subject"], response.status_code))
    finally:
        connection.close()


def _pair(agent, other_agent, ticket, headers: dict) -> list:
    barrier, statuses = threading.Barrier(2), []
    bodies = [{"priority": "P1", "subject": f"A {ticket.pk}"}, {"category": "login", "subject": f"B {ticket.pk}"}]
    threads = [
        threading.Thread(target=_send, args=(user, ticket, body, headers, barrier, statuses))
        for user, body in zip((agent, other_agent), bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_patch_pairs_never_fail_and_stale_ones_are_refused(agent, other_agent, customer):
    """Two agents PATCH one ticket at the same moment (`{priority, subject}` and `{category,
    subject}`), twenty times without If-Match and twenty times with the same If-Match."""
    factories.category()
    blind = [factories.ticket_for(customer) for _ in range(PAIRS)]
    guarded = [factories.ticket_for(customer) for _ in range(PAIRS)]

    for ticket in blind:
        statuses = _pair(agent, other_agent, ticket, {})
        assert sorted(status for _, status in statuses) == [200, 200]
        ticket = Ticket.objects.select_related("priority", "category").get(pk=ticket.pk)
        assert (ticket.priority.code, ticket.category.code) == ("P1", "login")  # both applied, last subject wins

    outcomes = Counter()
    for ticket in guarded:
        before = Ticket.objects.select_related("priority").get(pk=ticket.pk)
        version, priority = before.version, before.priority.code
        assert priority != "P1"
        statuses = _pair(agent, other_agent, ticket, {"HTTP_IF_MATCH": f'"v{version}"'})
        assert sorted(status for _, status in statuses) == [200, 412]
        winner = next(subject for subject, status in statuses if status == 200)
        ticket = Ticket.objects.select_related("priority", "category").get(pk=ticket.pk)
        assert ticket.subject == winner  # the refused writer overwrote nothing
        outcomes[winner.split()[0]] += 1
        if winner.startswith("A"):
            assert ticket.priority.code == "P1" and ticket.category_id is None
        else:
            assert ticket.category.code == "login" and ticket.priority.code == priority
    assert sum(outcomes.values()) == PAIRS
