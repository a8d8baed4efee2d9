"""Writes through the API go through the ticket services, with the API channel, the caller and their IP."""

import datetime as dt

import pytest
import time_machine

from gongdan.tickets import services
from gongdan.tickets.models import ExternalReference, Ticket, TicketEvent, TicketLink
from gongdan.tickets.schemas import CUSTOMER_VIEW, STAFF_VIEW
from tests import factories
from tests.api.conftest import assert_problem

JSON = "application/json"


def _events(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("event_type", flat=True))


def test_a_customer_opens_a_ticket_for_themselves_and_gets_the_customer_view(as_customer, customer):
    response = as_customer.post(
        "/api/v1/tickets",
        {"subject": "空调不制冷", "description": "室内机滴水", "device_sn": "GREE-1", "ticket_type": "repair"},
        content_type=JSON,
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == set(CUSTOMER_VIEW.ticket_fields)
    ticket = Ticket.objects.get(number=body["number"])
    assert (ticket.customer, ticket.channel, ticket.ticket_type, ticket.priority.code) == (
        customer,
        "api",
        "repair",
        "P2",
    )
    created = ticket.events.get()
    assert (created.actor_customer, created.ip, created.channel) == (customer, "203.0.113.7", "api")


def test_a_customer_may_not_set_staff_only_fields_when_opening_a_ticket(as_customer, agent):
    response = as_customer.post(
        "/api/v1/tickets", {"subject": "加急", "priority": "P0", "assignee_id": agent.pk}, content_type=JSON
    )
    body = assert_problem(response, 422, "invalid-input")
    assert body["errors"] == {"assignee_id": "staff_only", "priority": "staff_only"}
    assert Ticket.objects.count() == 0


def test_staff_open_a_ticket_for_a_customer_with_every_field(as_agent, agent, customer, service_team, ticket):
    category = factories.category("printer", "打印机")
    response = as_agent.post(
        "/api/v1/tickets",
        {
            "customer_id": customer.pk,
            "subject": "打印机卡纸",
            "category": "printer",
            "priority": "P1",
            "tags": ["打印机", "现场"],
            "team": service_team.code,
            "assignee_id": agent.pk,
            "parent": ticket.number,
            "external_refs": [{"system": "crm", "reference": "CRM-9"}],
            "fault_code": "E-05",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == set(STAFF_VIEW.ticket_fields)
    assert body["category"] == {
        "code": "printer",
        "name_zh": "打印机",
        "name_en": "printer",
        "depth": 1,
        "path": ["printer"],
    }
    assert (body["priority"], body["team"], body["parent"], body["fault_code"]) == (
        "P1",
        "kefu-1",
        ticket.number,
        "E-05",
    )
    assert body["assignee"] == {"id": agent.pk, "display_name": "李坐席"}
    assert body["tags"] == ["打印机", "现场"]
    assert body["external_refs"] == [{"system": "crm", "reference": "CRM-9", "url": ""}]
    assert Ticket.objects.get(number=body["number"]).category == category


def test_staff_must_name_the_customer(as_agent):
    body = assert_problem(
        as_agent.post("/api/v1/tickets", {"subject": "无主工单"}, content_type=JSON), 422, "invalid-input"
    )
    assert body["errors"] == {"customer_id": "required"}
    assert Ticket.objects.count() == 0


def test_department_staff_do_not_open_tickets_for_customers(as_purchasing, customer):
    response = as_purchasing.post("/api/v1/tickets", {"subject": "x", "customer_id": customer.pk}, content_type=JSON)
    assert_problem(response, 403, "forbidden")
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("created", "due"),
    [
        # Evening in Shanghai: the deadline falls on a whole second of the next business morning.
        (dt.datetime(2026, 12, 2, 13, 30, 0, 250000, tzinfo=dt.UTC), "2026-12-03T03:00:00.000Z"),
        # Office hours: the deadline keeps the creation's fraction of a second.
        (dt.datetime(2026, 12, 2, 2, 0, 0, 250000, tzinfo=dt.UTC), "2026-12-02T04:00:00.250Z"),
    ],
)
def test_the_staff_view_carries_the_twelve_core_fields(as_agent, customer, created, due):
    with time_machine.travel(created, tick=False):
        ticket = factories.ticket_for(customer, subject="无法登录，验证码收不到")
        body = as_agent.get(f"/api/v1/tickets/{ticket.number}").json()
    core = {
        "customer_id",
        "device_sn",
        "fault_code",
        "first_response_seconds",
        "resolution_seconds",
        "rating",
        "materials",
        "engineer_id",
        "collaborating_departments",
        "knowledge_ref",
        "sentiment",
        "sla_status",
    }
    assert core <= set(body)
    assert body["view"] == "staff"
    assert body["sla_status"] == "on_track"
    # One fixed format, whole second or not: UTC, milliseconds, Z.
    assert body["first_response_due_at"] == due
    assert body["created_at"] == created.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert body["stagnation_level"] == ""


def test_patch_routes_each_change_to_its_service_and_records_the_reason(
    as_agent, agent, ticket, purchasing_team, purchasing
):
    factories.category("billing", "账单")
    response = as_agent.patch(
        f"/api/v1/tickets/{ticket.number}",
        {
            "priority": "P1",
            "reason": "客户是 VIP",
            "category": "billing",
            "assignee_id": agent.pk,
            "tags": ["vip"],
            "fault_code": "E-7",
            "materials": [{"item": "主板", "quantity": 2, "unit": "块"}],
            "engineer_id": purchasing.pk,
            "collaborating_departments": [purchasing_team.code],
            "sentiment": "negative",
        },
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["category"]["code"], body["assignee"]["id"]) == ("P1", "billing", agent.pk)
    assert (body["tags"], body["fault_code"], body["sentiment"]) == (["vip"], "E-7", "negative")
    assert body["materials"] == [{"item": "主板", "quantity": 2.0, "unit": "块"}]
    assert (body["engineer_id"], body["collaborating_departments"]) == (purchasing.pk, ["purchasing"])
    assert _events(ticket) == [
        "created",
        "priority_changed",
        "category_changed",
        "assigned",
        "fields_changed",
        "tags_changed",
    ]
    assert TicketEvent.objects.get(ticket=ticket, event_type="priority_changed").body == "客户是 VIP"
    assert set(
        TicketEvent.objects.filter(ticket=ticket).exclude(event_type="created").values_list("channel", flat=True)
    ) == {"api"}


def test_a_patch_that_fails_halfway_changes_nothing(as_agent, ticket):
    response = as_agent.patch(
        f"/api/v1/tickets/{ticket.number}", {"priority": "P0", "category": "no-such-category"}, content_type=JSON
    )
    body = assert_problem(response, 422, "invalid-input")
    assert body["errors"] == {"category": "unknown"}
    ticket.refresh_from_db()
    assert ticket.priority.code == "P2"
    assert _events(ticket) == ["created"]


def test_patch_refuses_null_for_fields_that_cannot_be_empty(as_agent, ticket):
    response = as_agent.patch(f"/api/v1/tickets/{ticket.number}", {"subject": None, "team": None}, content_type=JSON)
    body = assert_problem(response, 422, "invalid-input")
    assert body["errors"] == {"subject": "null", "team": "null"}
    assert _events(ticket) == ["created"]


def test_patch_with_null_assignee_unassigns(as_agent, agent, ticket, agent_actor):
    services.assign(actor=agent_actor, ticket=ticket, assignee=agent)
    body = as_agent.patch(f"/api/v1/tickets/{ticket.number}", {"assignee_id": None}, content_type=JSON).json()
    assert body["assignee"] is None


def test_a_customer_may_not_patch_their_own_ticket(as_customer, ticket):
    response = as_customer.patch(f"/api/v1/tickets/{ticket.number}", {"subject": "改标题"}, content_type=JSON)
    assert_problem(response, 403, "forbidden")
    ticket.refresh_from_db()
    assert ticket.subject == "无法登录，验证码收不到"


def test_a_transition_moves_the_ticket_and_returns_it(as_agent, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/transitions", {"status": "open", "summary": "已联系客户"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["status"]["key"] == "open"
    event = TicketEvent.objects.get(ticket=ticket, event_type="status_changed")
    assert (event.summary, event.channel, event.is_effective) == ("已联系客户", "api", True)


def test_a_vague_summary_is_refused(as_agent, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/transitions", {"status": "open", "summary": "处理中"}, content_type=JSON
    )
    assert_problem(response, 422, "vague-summary")
    ticket.refresh_from_db()
    assert ticket.status.kind == "new"


def test_a_desk_reply_is_public_counts_as_first_response_and_opens_the_ticket(as_agent, agent, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/replies",
        {"body": "请检查短信拦截设置", "summary": "指导排查"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["view"], body["event_type"], body["is_public"], body["actor_id"]) == ("staff", "reply", True, agent.pk)
    assert body["counts_as_first_response"] is True
    ticket.refresh_from_db()
    assert ticket.status.kind == "open"
    assert ticket.first_response_at is not None


def test_a_customer_reply_comes_back_in_the_customer_view(as_customer, customer, ticket):
    response = as_customer.post(f"/api/v1/tickets/{ticket.number}/replies", {"body": "还是收不到"}, content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert body["view"] == "customer"
    assert set(body) == {"id", "event_type", "actor_name", "channel", "summary", "text", "body", "created_at", "view"}
    assert body["actor_name"] == customer.name


def test_an_acknowledgement_only_reply_is_kept_but_is_no_first_response(as_agent, ticket):
    response = as_agent.post(f"/api/v1/tickets/{ticket.number}/replies", {"body": "收到"}, content_type=JSON)
    assert response.json()["counts_as_first_response"] is False
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_a_note_is_internal_and_notifies_mentioned_staff(as_agent, lead, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/notes",
        {"body": "@lead_zhao 请确认是否升级", "summary": "请组长确认"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["event_type"], body["is_public"], body["mentions"]) == ("note", False, ["lead_zhao"])


def test_staff_read_the_whole_timeline_in_order(as_agent, ticket, agent_actor):
    services.add_note(actor=agent_actor, ticket=ticket, body="内部")
    services.add_reply(actor=agent_actor, ticket=ticket, body="您好，请重启")
    events = as_agent.get(f"/api/v1/tickets/{ticket.number}/events").json()
    assert [e["event_type"] for e in events] == ["created", "note", "reply", "status_changed"]
    assert events[1]["ip"] == "10.0.0.5"


def test_linking_two_tickets(as_agent, customer, ticket):
    other = factories.ticket_for(customer)
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/links", {"target": other.number, "kind": "duplicate_of"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json() == {"source": ticket.number, "target": other.number, "kind": "duplicate_of"}
    assert TicketLink.objects.filter(source=ticket, target=other, kind="duplicate_of").count() == 1
    links = as_agent.get(f"/api/v1/tickets/{other.number}").json()["links"]
    assert links == [{"kind": "duplicate_of", "direction": "in", "ticket": ticket.number}]


def test_linking_to_a_missing_ticket_is_404(as_agent, ticket):
    response = as_agent.post(f"/api/v1/tickets/{ticket.number}/links", {"target": "GD-999999"}, content_type=JSON)
    assert_problem(response, 404, "not-found")
    assert TicketLink.objects.count() == 0


def test_merging_marks_the_source_merged_and_returns_the_target(as_agent, customer, ticket):
    master = factories.ticket_for(customer, subject="主工单")
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/merge", {"target": master.number, "reason": "重复提交"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["number"] == master.number
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.merged_into) == ("merged", master)
    assert as_agent.get(f"/api/v1/tickets/{ticket.number}").json()["merged_into"] == master.number


def test_merging_a_ticket_into_itself_is_refused(as_agent, ticket):
    response = as_agent.post(f"/api/v1/tickets/{ticket.number}/merge", {"target": ticket.number}, content_type=JSON)
    assert_problem(response, 422, "invalid-input")
    ticket.refresh_from_db()
    assert ticket.status.kind == "new"


def test_adding_an_external_reference(as_agent, ticket):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/external-refs",
        {"system": "erp_po", "reference": " PO-2026-7 "},
        content_type=JSON,
    )
    assert response.status_code == 201
    assert response.json() == {"system": "erp_po", "reference": "PO-2026-7", "url": ""}
    assert list(ExternalReference.objects.values_list("ticket__number", "reference")) == [(ticket.number, "PO-2026-7")]


@pytest.mark.parametrize("system", ["sap", ""])
def test_an_unknown_external_system_is_a_validation_problem(as_agent, ticket, system):
    response = as_agent.post(
        f"/api/v1/tickets/{ticket.number}/external-refs", {"system": system, "reference": "1"}, content_type=JSON
    )
    assert_problem(response, 422, "validation-error")
    assert ExternalReference.objects.count() == 0
