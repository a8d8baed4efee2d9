"""Issue 24.1/24.6: outages answer 503 + Retry-After naming what failed, never where it lives;
an after-commit kick that cannot reach Redis never fails the request that committed."""

import json
import logging
import socket
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from gongdan.automation.models import OutboxMessage
from gongdan.core.models import IdempotencyRecord
from gongdan.tickets.models import Ticket
from tests.api.conftest import assert_problem, bearer

DRIVER_TEXT = 'connection to server at "10.9.8.7", port 6543 failed: Connection refused'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_refuses(when=lambda sql: True):
    """The database connection fails (as a restarting server makes it) for the statements chosen."""

    def refuse(execute, sql, params, many, context):
        if when(sql):
            raise OperationalError(DRIVER_TEXT)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def _assert_names_no_place(response):
    text = response.content.decode()
    assert "10.9.8.7" not in text and "6543" not in text and "refused" not in text


def test_the_api_answers_503_problem_with_retry_after_during_a_database_outage(client, agent):
    headers = bearer(agent)
    with database_refuses():
        response = client.get("/api/v1/tickets", **headers)
    body = assert_problem(response, 503, "service-unavailable")
    assert response["Retry-After"] == "5"
    assert body["detail_en"] == (
        "The service is temporarily unavailable (the database cannot be reached). "
        "Retry after 5 seconds; a request sent with an Idempotency-Key is safe to repeat."
    )
    _assert_names_no_place(response)


def test_a_page_answers_a_bilingual_503_page_not_a_500(agent, settings):
    settings.GONGDAN_OUTAGE_RETRY_AFTER = 7
    browser = Client(raise_request_exception=False)
    browser.force_login(agent)
    with database_refuses():
        response = browser.get("/desk/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "服务暂时不可用" in text and "Temporarily unavailable" in text
    assert "请在 7 秒后重试" in text and "retry in 7 seconds" in text
    _assert_names_no_place(response)


def test_healthz_says_the_database_is_unavailable_and_nothing_more(client, db):
    with database_refuses():
        response = client.get("/healthz")
    assert (response.status_code, response.json(), response["Retry-After"]) == (
        503,
        {"status": "error", "database": "unavailable"},
        "5",
    )


def test_healthz_reports_a_down_queue_as_degraded_without_its_address(client, db, monkeypatch):
    from huey import RedisHuey

    port = _free_port()
    monkeypatch.setattr(
        "huey.contrib.djhuey.HUEY", RedisHuey("healthz", url=f"redis://127.0.0.1:{port}/0?socket_connect_timeout=1")
    )
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "degraded", "database": connection.vendor, "queue": "unavailable"},
    )
    assert str(port) not in response.content.decode()


def test_a_request_failing_mid_way_keeps_nothing_and_its_retry_runs_for_real(client, agent, customer):
    headers = {**bearer(agent), "HTTP_IDEMPOTENCY_KEY": "p0-1"}
    payload = json.dumps({"customer_id": customer.pk, "subject": "全线停机", "priority": "P0"})
    with database_refuses(lambda sql: sql.startswith('INSERT INTO "tickets_ticketevent"')):
        failed = client.post("/api/v1/tickets", payload, content_type="application/json", **headers)
    assert_problem(failed, 503, "service-unavailable")
    assert (Ticket.objects.count(), IdempotencyRecord.objects.count()) == (0, 0)

    retried = client.post("/api/v1/tickets", payload, content_type="application/json", **headers)
    replayed = client.post("/api/v1/tickets", payload, content_type="application/json", **headers)
    assert (retried.status_code, replayed.status_code, replayed["Idempotent-Replayed"]) == (201, 201, "true")
    assert replayed.content == retried.content
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["全线停机"]


@pytest.fixture
def redis_down(monkeypatch):
    """The worker's queue is a Redis that does not answer (nothing listens on the port)."""
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisStorage(url=f"redis://127.0.0.1:{_free_port()}/0"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_write_whose_worker_kick_fails_answers_201_and_its_retries_replay(
    client, agent, customer, redis_down, caplog
):
    headers = bearer(agent)
    created = client.post(
        "/api/v1/tickets",
        json.dumps({"customer_id": customer.pk, "subject": "Redis 停了也要受理", "priority": "P0"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="p0-redis-down",
        **headers,
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]

    def reply():  # a public reply mails the customer: its commit kicks the worker
        return client.post(
            f"/api/v1/tickets/{number}/replies",
            json.dumps({"body": "工程师已出发"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="reply-1",
            **headers,
        )

    with caplog.at_level(logging.WARNING, logger="gongdan.core.aftercommit"):
        first = reply()
    retries = [reply() for _ in range(3)]

    assert first.status_code == 201, first.content
    assert [(r.status_code, r["Idempotent-Replayed"]) for r in retries] == [(201, "true")] * 3
    assert {r.content for r in retries} == {first.content}
    assert Ticket.objects.get(number=number).events.filter(body="工程师已出发").count() == 1
    # The P0's fast-lane judgement kick failed at creation, the reply's mail kick here: both logged, neither refused.
    assert [r.getMessage() for r in caplog.records] == [
        "after-commit judge_in_fast_lane failed (ConnectionError); the periodic sweep will catch up",
        "after-commit _kick_worker failed (ConnectionError); the periodic sweep will catch up",
    ]
    # The mail the kick was for waits in the outbox for the sweep: nothing is lost.
    assert list(OutboxMessage.objects.values_list("recipient", "state")) == [(customer.primary_email, "pending")]
