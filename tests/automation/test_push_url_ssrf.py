"""Push URLs cannot reach this machine or private networks (issue 13, item 2): refused when saved and
again when the worker sends, in every spelling; redirects are not followed; an allow-list opens a network."""

import datetime as dt
import socket

import pytest
import time_machine
from pytest_httpserver import HTTPServer

from gongdan.automation import services as outbox
from gongdan.automation.models import NotificationPreference, OutboxMessage
from gongdan.core import netguard
from tests.api.conftest import assert_problem, session_client

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

# The 14 spellings of "here" the outside test used; each aims at the live server's port.
ENCODINGS = [
    "127.0.0.1",
    "localhost",
    "localhost.",
    "LOCALHOST",
    "2130706433",
    "0x7f000001",
    "[::1]",
    "[::ffff:7f00:1]",
    "[64:ff9b::7f00:1]",
    "0.0.0.0",
    "169.254.169.254",
    "10.0.0.1",
    "[fe80::1]",
    "hooks.example.net",  # a name whose DNS answer is 127.0.0.1
]


@pytest.fixture(autouse=True)
def no_allow_list(settings, monkeypatch):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = []
    real = netguard.system_getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host == "hooks.example.net":
            host, flags = "127.0.0.1", flags | socket.AI_NUMERICHOST
        return real(host, port, family, type, proto, flags)

    monkeypatch.setattr(netguard, "system_getaddrinfo", getaddrinfo)


@pytest.fixture
def as_agent(agent):
    return session_client(agent)


def _push(user, url: str) -> OutboxMessage:
    NotificationPreference.objects.create(user=user, channel="apprise", target=url)
    with time_machine.travel(T0, tick=False):
        [message] = outbox.notify(
            recipients=[user], subject="GD-000007 P0", body="产线停机", urgent=True, dedupe_key="n"
        )
        outbox.deliver_due()
    message.refresh_from_db()
    return message


@pytest.mark.parametrize("host", ENCODINGS)
def test_saving_a_push_url_to_a_local_address_is_refused_with_a_bilingual_reason(host, as_agent, agent, httpserver):
    response = as_agent.put(
        "/api/v1/me/notification-preferences",
        [{"channel": "apprise", "target": f"json://{host}:{httpserver.port}/hook"}],
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = assert_problem(response, 422, "invalid-input")
    assert body["errors"] == {"0.target": "blocked_address"}
    assert "may not reach" in body["detail_en"] and "GONGDAN_OUTBOUND_ALLOWED_NETWORKS" in body["detail_en"]
    assert "通知不得发往该地址" in body["detail_zh"]
    assert not NotificationPreference.objects.filter(user=agent).exists()


@pytest.mark.parametrize("host", ENCODINGS)
def test_the_worker_refuses_a_saved_local_push_url_at_send_time(host, agent, httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")

    message = _push(agent, f"json://{host}:{httpserver.port}/hook")

    assert httpserver.log == []
    assert message.state == "pending" and message.attempts == 1
    assert "not allow-listed" in message.last_error
    assert message.last_error.startswith("BlockedAddress: ")


def test_an_allow_listed_address_is_saved_and_reached(settings, as_agent, agent, httpserver: HTTPServer):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = f"json://hooks.example.net:{httpserver.port}/hook"

    saved = as_agent.put(
        "/api/v1/me/notification-preferences", [{"channel": "apprise", "target": url}], content_type="application/json"
    )
    assert saved.status_code == 200, saved.content
    NotificationPreference.objects.filter(user=agent).delete()
    message = _push(agent, url)

    assert message.state == "sent"
    assert [request.path for request, _ in httpserver.log] == ["/hook"]


def test_a_redirect_from_an_allowed_address_is_not_followed(settings, agent, httpserver: HTTPServer):
    settings.GONGDAN_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    inner = HTTPServer(host="127.0.0.1")
    inner.start()
    try:
        inner.expect_request("/admin").respond_with_data("inside")
        httpserver.expect_request("/hook").respond_with_data(
            "", status=302, headers={"Location": f"http://127.0.0.1:{inner.port}/admin"}
        )

        message = _push(agent, f"json://127.0.0.1:{httpserver.port}/hook?redirect=yes")

        assert inner.log == []
        assert [request.path for request, _ in httpserver.log] == ["/hook"]
        assert message.state == "pending" and message.last_error == "RuntimeError: apprise reported a failed delivery"
    finally:
        inner.stop()


def test_the_admin_form_refuses_a_local_push_url(admin_user, agent, client):
    client.force_login(admin_user)
    response = client.post(
        "/admin/automation/notificationpreference/add/",
        {
            "user": agent.pk,
            "channel": "apprise",
            "target": "json://0x7f000001:9/hook",
            "is_active": "on",
            "urgent_ignores_quiet_hours": "on",
        },
    )

    assert response.status_code == 200
    assert "通知不得发往该地址" in response.content.decode()
    assert not NotificationPreference.objects.exists()
