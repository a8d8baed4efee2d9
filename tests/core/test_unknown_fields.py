"""Issue 24.8: a body field the API does not know is refused with 422 naming it; nothing changes."""

import json

from gongdan.tickets.models import Ticket
from tests.api.conftest import assert_problem, bearer


def _patch(client, headers, number, payload):
    return client.patch(f"/api/v1/tickets/{number}", json.dumps(payload), content_type="application/json", **headers)


def test_a_patch_with_fields_outside_the_schema_is_refused_naming_them_and_changes_nothing(client, agent, ticket):
    payload = {"subject": "新标题", "status": "closed", "customer_id": 99, "resolution_due_at": "2030-01-01T00:00:00Z"}
    response = _patch(client, bearer(agent), ticket.number, payload)
    body = assert_problem(response, 422, "unknown-fields")
    assert body["errors"]["unknown_fields"] == ["status", "customer_id", "resolution_due_at"]
    assert body["detail_en"] == (
        "Unknown fields, nothing was changed: status, customer_id, resolution_due_at. Send only the documented fields."
    )
    assert body["detail_zh"] == (
        "存在未知字段，未做任何修改：status, customer_id, resolution_due_at。请只发送文档中列出的字段。"
    )
    ticket.refresh_from_db()
    assert ticket.subject == "无法登录，验证码收不到"


def test_a_customer_sending_internal_fields_learns_that_its_write_did_not_happen(client, customer, ticket):
    response = _patch(client, bearer(customer.user), ticket.number, {"created_at": "2020-01-01T00:00:00Z"})
    assert assert_problem(response, 422, "unknown-fields")["errors"]["unknown_fields"] == ["created_at"]


def test_unknown_fields_inside_a_list_are_named_by_their_path(client, agent, ticket):
    payload = {"materials": [{"item": "扫码枪", "quantity": 1, "price": 30}]}
    response = _patch(client, bearer(agent), ticket.number, payload)
    assert assert_problem(response, 422, "unknown-fields")["errors"]["unknown_fields"] == ["materials.0.price"]


def test_a_create_with_an_unknown_field_creates_nothing(client, agent, customer):
    payload = {"customer_id": customer.pk, "subject": "打印机卡纸", "created_at": "2020-01-01T00:00:00Z"}
    response = client.post("/api/v1/tickets", json.dumps(payload), content_type="application/json", **bearer(agent))
    assert assert_problem(response, 422, "unknown-fields")["errors"]["unknown_fields"] == ["created_at"]
    assert Ticket.objects.count() == 0


def test_known_fields_alone_still_pass(client, agent, ticket):
    response = _patch(client, bearer(agent), ticket.number, {"subject": "新标题"})
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.subject == "新标题"
