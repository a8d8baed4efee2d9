"""Issue 24.4 on PostgreSQL: an in-progress Idempotency-Key claim is the claiming request's own
uncommitted row. A retry waits for it, then replays its answer or, when the claim died with its
connection or transaction, takes over; a claim that outlives the wait answers 409 + Retry-After."""

import hashlib
import json
import threading
import time

import pytest
from django.db import connection, connections, transaction

from gongdan.core import clock
from gongdan.core.idempotency import _set_local
from gongdan.core.models import IdempotencyRecord
from gongdan.tickets.models import Ticket
from tests.api.conftest import assert_problem, bearer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PATH = "/api/v1/tickets"


def _payload(customer) -> str:
    return json.dumps({"customer_id": customer.pk, "subject": "并发重试"})


def _claim_row(headers, key, body, **answer) -> IdempotencyRecord:
    digest = hashlib.sha256()
    for part in (PATH.encode(), b"application/json", body.encode()):
        digest.update(part)
    scope = "token:" + hashlib.sha256(headers["HTTP_AUTHORIZATION"].encode()).hexdigest()[:40]
    return IdempotencyRecord.objects.create(
        scope=scope,
        key=key,
        method="POST",
        path=PATH,
        request_hash=digest.hexdigest(),
        created_at=clock.now(),
        **answer,
    )


def _hold_claim(headers, key, body, *, seconds, then="rollback", answer=None, idle_limit=None):
    """Another request in flight: a thread with its own connection holds the claim row uncommitted."""
    holding = threading.Event()

    def run():
        try:
            with transaction.atomic():
                if idle_limit:
                    _set_local(idle_in_transaction_session_timeout=idle_limit)
                _claim_row(headers, key, body, **(answer or {}))
                holding.set()
                time.sleep(seconds)
                if then == "rollback":
                    transaction.set_rollback(True)
        except Exception:  # the server ended the session (idle limit): the claim is gone with it
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10)
    return thread


def _post(client, headers, key, body):
    return client.post(PATH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def test_a_retry_takes_over_a_claim_whose_request_died_without_answering(client, agent, customer):
    headers, body = bearer(agent), _payload(customer)
    holder = _hold_claim(headers, "k-died", body, seconds=1.0)
    started = time.monotonic()
    response = _post(client, headers, "k-died", body)
    holder.join()
    assert response.status_code == 201, response.content
    assert 0.5 < time.monotonic() - started < 5  # it waited for the claim, not for a 2-minute timeout
    assert Ticket.objects.filter(subject="并发重试").count() == 1


def test_a_retry_replays_the_answer_the_claiming_request_committed(client, agent, customer):
    headers, body = bearer(agent), _payload(customer)
    answer = {"status_code": 201, "content_type": "application/json", "response_body": b'{"number": "GD-000042"}'}
    holder = _hold_claim(headers, "k-done", body, seconds=1.0, then="commit", answer=answer)
    response = _post(client, headers, "k-done", body)
    holder.join()
    assert (response.status_code, response.content, response["Idempotent-Replayed"]) == (
        201,
        b'{"number": "GD-000042"}',
        "true",
    )
    assert Ticket.objects.count() == 0


def test_a_claim_still_alive_after_the_wait_answers_409_with_retry_after(client, agent, customer, settings):
    settings.GONGDAN_IDEMPOTENCY_WAIT_SECONDS = 1
    headers, body = bearer(agent), _payload(customer)
    holder = _hold_claim(headers, "k-busy", body, seconds=3.0)
    response = _post(client, headers, "k-busy", body)
    assert_problem(response, 409, "idempotency-in-progress")
    assert response["Retry-After"] == "1"
    holder.join()
    assert _post(client, headers, "k-busy", body).status_code == 201  # the holder is gone: taken over


def test_a_stuck_claim_dies_with_the_request_time_limit_and_its_retry_takes_over(client, agent, customer, settings):
    settings.GONGDAN_IDEMPOTENCY_WAIT_SECONDS = 10
    headers, body = bearer(agent), _payload(customer)
    # The stuck request makes no progress: the server ends its session after the claim limit.
    holder = _hold_claim(headers, "k-stuck", body, seconds=30.0, idle_limit="1s")
    started = time.monotonic()
    response = _post(client, headers, "k-stuck", body)
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 5
    holder.join()
    assert Ticket.objects.filter(subject="并发重试").count() == 1
    assert connection.vendor == "postgresql"
