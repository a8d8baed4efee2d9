"""R10.1 over the API: a confirmation link can be read and answered without a login."""

import pytest

from gongdan.feedback.models import ResolutionConfirmation
from gongdan.feedback.services import make_token
from gongdan.tickets import services
from tests.api.conftest import assert_problem

JSON = "application/json"


@pytest.fixture
def resolved(ticket, agent_actor):
    services.change_status(actor=agent_actor, ticket=ticket, status="open")
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    confirmation = ResolutionConfirmation.objects.get(ticket=ticket)
    return ticket, make_token(confirmation)


def test_reading_an_open_confirmation_shows_the_ticket(client, resolved):
    ticket, token = resolved
    body = client.get(f"/api/v1/confirmations/{token}").json()
    assert (body["ticket_number"], body["subject"], body["open"], body["reason_en"]) == (
        ticket.number,
        "无法登录，验证码收不到",
        True,
        "",
    )


def test_answering_solved_closes_the_ticket_with_the_rating(client, resolved):
    ticket, token = resolved
    response = client.post(
        f"/api/v1/confirmations/{token}",
        {"solved": True, "clear": True, "rating": 5, "comment": "谢谢"},
        content_type=JSON,
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.json() == {"ticket_number": ticket.number, "status": "closed", "closed": True}
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.rating, ticket.closure_kind) == ("closed", 5, "customer_confirmed")
    event = ticket.events.get(event_type="customer_confirmed")
    assert (event.ip, event.channel) == ("198.51.100.4", "api")
    after = client.get(f"/api/v1/confirmations/{token}").json()
    assert (after["open"], after["reason_zh"]) == (False, "感谢，您已经提交过本次确认。")


def test_answering_not_solved_reopens_the_ticket(client, resolved):
    _ticket, token = resolved
    body = client.post(
        f"/api/v1/confirmations/{token}", {"solved": False, "comment": "还是不行"}, content_type=JSON
    ).json()
    assert (body["status"], body["closed"]) == ("open", False)


def test_answering_twice_is_refused_and_the_first_answer_stands(client, resolved):
    ticket, token = resolved
    client.post(f"/api/v1/confirmations/{token}", {"solved": True, "rating": 4}, content_type=JSON)
    again = client.post(f"/api/v1/confirmations/{token}", {"solved": False}, content_type=JSON)
    assert_problem(again, 400, "invalid-token")
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.rating) == ("closed", 4)


def test_a_rating_outside_1_to_5_is_a_validation_problem(client, resolved):
    ticket, token = resolved
    assert_problem(
        client.post(f"/api/v1/confirmations/{token}", {"solved": True, "rating": 6}, content_type=JSON),
        422,
        "validation-error",
    )
    ticket.refresh_from_db()
    assert ticket.status.kind == "resolved"


def test_a_forged_token_is_404(client, db):
    assert_problem(client.get("/api/v1/confirmations/forged-token"), 404, "not-found")
    assert_problem(
        client.post("/api/v1/confirmations/forged-token", {"solved": True}, content_type=JSON), 404, "not-found"
    )
