"""Errors are application/problem+json with a stable type, bilingual detail and, for validation, the fields."""

from gongdan.tickets import services
from gongdan.tickets.models import Ticket, TicketEvent
from tests.api.conftest import assert_problem


def test_a_request_without_credentials_gets_a_401_problem(client, ticket):
    for response in (client.get("/api/v1/tickets"), client.get(f"/api/v1/tickets/{ticket.number}")):
        body = assert_problem(response, 401, "unauthenticated")
        assert body["detail_en"] == "Authentication is required: a Bearer token or a session."
        assert body["detail_zh"] == "需要认证：请提供 Bearer 令牌或先登录。"


def test_an_unknown_bearer_token_gets_a_401_problem(client, db):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer gd_not-a-real-token")
    assert_problem(response, 401, "unauthenticated")


def test_a_schema_validation_error_lists_the_offending_fields(as_agent, customer):
    before = Ticket.objects.count()
    response = as_agent.post(
        "/api/v1/tickets", {"customer_id": customer.pk, "priority": "P9"}, content_type="application/json"
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["title"] == "Validation error"
    assert body["detail_en"] == "The request is not valid; see `errors`."
    assert sorted(tuple(error["loc"]) for error in body["errors"]) == [
        ("body", "payload", "priority"),
        ("body", "payload", "subject"),
    ]
    assert Ticket.objects.count() == before


def test_a_domain_validation_error_names_the_field_in_both_languages(as_agent, customer):
    response = as_agent.post(
        "/api/v1/tickets", {"customer_id": customer.pk, "subject": "   "}, content_type="application/json"
    )
    body = assert_problem(response, 422, "invalid-input")
    assert body["detail_en"] == "A subject is required."
    assert body["detail_zh"] == "请填写标题。"
    assert body["errors"] == {"subject": "blank"}


def test_the_detail_follows_accept_language(as_agent, customer):
    payload = {"customer_id": customer.pk, "subject": " "}
    english = as_agent.post("/api/v1/tickets", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = as_agent.post("/api/v1/tickets", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english.json()["detail"] == "A subject is required."
    assert chinese.json()["detail"] == "请填写标题。"


def test_an_illegal_transition_is_a_409_problem_and_the_status_stays(as_agent, ticket):
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/transitions", {"status": "closed"}, content_type="application/json"
    )
    body = assert_problem(response, 409, "illegal-transition")
    assert (
        body["detail_en"] == "A new ticket cannot move to closed (allowed: merged, on_hold, open, pending, resolved)."
    )
    ticket.refresh_from_db()
    assert ticket.status.kind == "new"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_step_back_without_a_reason_is_a_422_problem_and_the_status_stays(as_agent, ticket, agent_actor):
    services.change_status(actor=agent_actor, ticket=ticket, status="open")
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/transitions", {"status": "open"}, content_type="application/json"
    )
    body = assert_problem(response, 422, "reason-required")
    assert body["errors"] == {"reason": "required"}
    ticket.refresh_from_db()
    assert ticket.status.kind == "resolved"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_malformed_json_is_a_400_problem(as_agent):
    response = as_agent.post("/api/v1/tickets", "{not json", content_type="application/json")
    assert_problem(response, 400, "http-error")


def test_an_unknown_cursor_is_a_422_problem(as_agent):
    body = assert_problem(as_agent.get("/api/v1/tickets?cursor=forged"), 422, "invalid-input")
    assert body["errors"] == {"cursor": "invalid"}


def test_text_with_a_nul_character_is_refused_before_it_reaches_the_database(as_agent, customer):
    before = Ticket.objects.count()
    response = as_agent.post(
        "/api/v1/tickets", {"customer_id": customer.pk, "subject": "a\u0000b"}, content_type="application/json"
    )
    body = assert_problem(response, 422, "validation-error")
    assert [tuple(error["loc"]) for error in body["errors"]] == [("body", "payload", "subject")]
    assert Ticket.objects.count() == before
