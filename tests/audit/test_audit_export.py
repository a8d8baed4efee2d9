"""The audit trail for admins (R14.2): filter by actor, IP, action and time on a page and in the API,
export CSV/JSON streamed."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from gongdan.accounts.services import issue_api_token
from gongdan.audit import services as audit
from gongdan.audit.constants import Action
from gongdan.audit.models import AuditEvent

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def trail(agent, lead):
    AuditEvent.objects.all().delete()
    with time_machine.travel(T0, tick=False) as traveller:
        audit.record(action=Action.SIGNIN_SUCCESS, actor=agent, ip="203.0.113.5", detail="password")
        traveller.move_to(T0 + timedelta(hours=1))
        audit.record(action=Action.SIGNIN_FAILURE, actor=lead, ip="198.51.100.9", detail="password")
        traveller.move_to(T0 + timedelta(hours=2))
        audit.record(action=Action.SIGNIN_FAILURE, actor_label="=cmd|' /C calc'!A0", ip="198.51.100.9")
        traveller.move_to(T0 + timedelta(hours=3))
        audit.record(action=Action.SIGNOUT, actor=agent, ip="203.0.113.5")


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def admin_token(admin_user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=admin_user, name='audit')[1]}"}


def _api(admin_token, **params):
    return Client().get("/api/v1/audit/events", params, **admin_token)


def test_the_api_filters_by_actor_ip_action_and_time(trail, admin_token, agent):
    by_actor = _api(admin_token, actor=agent.username).json()
    assert [r["action"] for r in by_actor["results"]] == ["signout", "signin.success"]
    by_ip = _api(admin_token, ip="198.51.100.9").json()
    assert by_ip["count"] == 2
    by_action = _api(admin_token, action="signin.failure", since="2026-12-02T12:00:00+08:00").json()
    assert [(r["actor"], r["at"]) for r in by_action["results"]] == [
        ("=cmd|' /C calc'!A0", "2026-12-02T05:00:00.000Z"),
        ("lead_zhao", "2026-12-02T04:00:00.000Z"),
    ]
    window = _api(admin_token, since="2026-12-02T04:00:00Z", until="2026-12-02T05:00:00Z").json()
    assert [r["action"] for r in window["results"]] == ["signin.failure"]


def test_bad_filters_are_refused_with_422_problem_json(trail, admin_token):
    for params in ({"colour": "red"}, {"ip": "not-an-ip"}, {"since": "yesterday"}, {"action": "nope"}, {"limit": "0"}):
        response = _api(admin_token, **params)
        assert response.status_code == 422, params
        assert response["Content-Type"] == "application/problem+json"


def test_only_admins_read_the_trail(trail, agent, lead):
    for user in (agent, lead):
        token = issue_api_token(user=user, name="x")[1]
        assert Client().get("/api/v1/audit/events", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403
        client = Client()
        client.force_login(user)
        assert client.get("/desk/audit/").status_code == 404
        assert client.get("/desk/audit/export/").status_code == 404


def test_the_csv_export_streams_every_row_and_defuses_formulas(trail, admin_token):
    response = Client().get("/api/v1/audit/export", {"format": "csv", "action": "signin"}, **admin_token)
    assert response.streaming is True
    assert response["Content-Disposition"] == 'attachment; filename="gongdan-audit.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["action"], r["actor"], r["ip"]) for r in rows] == [
        ("signin.failure", "'=cmd|' /C calc'!A0", "198.51.100.9"),
        ("signin.failure", "lead_zhao", "198.51.100.9"),
        ("signin.success", "agent_li", "203.0.113.5"),
    ]


def test_the_json_export_of_a_large_range_is_complete(admin_client, agent):
    AuditEvent.objects.all().delete()
    AuditEvent.objects.bulk_create(
        [AuditEvent(at=T0 + timedelta(seconds=n), action="signin.success", actor_label=f"u{n}") for n in range(1234)]
    )
    response = admin_client.get("/desk/audit/export/", {"format": "json"})
    assert response.streaming is True
    chunks = list(response.streaming_content)
    assert len(chunks) > 1234  # one piece per row: never the whole export in one string
    data = json.loads(b"".join(chunks))
    assert len(data) == 1234
    assert data[0]["actor"] == "u1233"


def test_the_timeline_is_exported_with_the_same_filters(admin_token, ticket, agent):
    response = Client().get("/api/v1/audit/export", {"format": "json", "source": "timeline"}, **admin_token)
    data = json.loads(b"".join(response.streaming_content))
    assert data[-1]["object"] == f"ticket:{ticket.number}"
    assert data[-1]["action"] == "created"


def test_the_page_shows_the_filtered_rows_and_export_links(trail, admin_client):
    page = admin_client.get("/desk/audit/", {"ip": "203.0.113.5"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<tr><td><time") == 2
    assert 'href="/desk/audit/export/?ip=203.0.113.5&amp;format=csv"' in html
    bad = admin_client.get("/desk/audit/", {"since": "soon"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422
    assert "ISO 8601" in bad.content.decode()
