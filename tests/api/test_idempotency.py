"""R2.4: `Idempotency-Key` on POST makes retries safe; keys are scoped to the caller."""

import json

from gongdan.core.models import IdempotencyRecord
from gongdan.tickets.models import Ticket
from tests.api.conftest import assert_problem, bearer


def _post(client, headers, payload, key="retry-1"):
    return client.post(
        "/api/v1/tickets",
        json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


def test_the_same_key_and_body_twice_creates_one_ticket_and_replays_the_first_answer(client, agent, customer):
    headers = bearer(agent)
    payload = {"customer_id": customer.pk, "subject": "扫码枪无法连接"}
    first = _post(client, headers, payload)
    second = _post(client, headers, payload)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Ticket.objects.filter(subject="扫码枪无法连接").count() == 1


def test_the_same_key_with_a_different_body_is_a_422_problem_and_creates_nothing(client, agent, customer):
    headers = bearer(agent)
    _post(client, headers, {"customer_id": customer.pk, "subject": "第一次"})
    response = _post(client, headers, {"customer_id": customer.pk, "subject": "第二次"})
    body = assert_problem(response, 422, "idempotency-key-reused")
    assert body["detail_zh"] == "该 Idempotency-Key 已用于另一个不同的请求。"
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["第一次"]


def test_keys_are_scoped_per_caller(client, agent, other_agent, customer):
    payload = {"customer_id": customer.pk, "subject": "两个集成方用了同一个键"}
    first = _post(client, bearer(agent), payload)
    second = _post(client, bearer(other_agent), payload)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert first.json()["number"] != second.json()["number"]
    assert Ticket.objects.filter(subject=payload["subject"]).count() == 2
    assert IdempotencyRecord.objects.filter(key="retry-1").count() == 2


def test_a_session_caller_gets_the_same_protection(as_agent, customer):
    payload = {"customer_id": customer.pk, "subject": "网页端重复提交"}
    first = _post(as_agent, {}, payload, key="form-42")
    second = _post(as_agent, {}, payload, key="form-42")
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.filter(subject=payload["subject"]).count() == 1


def test_a_refused_request_is_replayed_as_refused_without_running_again(client, agent, customer):
    headers = bearer(agent)
    payload = {"customer_id": customer.pk, "subject": " "}
    first = _post(client, headers, payload, key="bad-1")
    second = _post(client, headers, payload, key="bad-1")
    assert_problem(first, 422, "invalid-input")
    assert second.status_code == 422
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 0
