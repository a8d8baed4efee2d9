"""R14.1 over the API: a customer never reaches another customer's ticket or files, and never sees
internal notes, internal attachments or internal fields of their own tickets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongdan.core.context import Actor, Channel
from gongdan.tickets import services
from gongdan.tickets.models import Attachment, Ticket, TicketEvent, TicketLink
from gongdan.tickets.schemas import INTERNAL_TICKET_FIELDS
from tests import factories
from tests.api.conftest import assert_problem

SECRET_SUBJECT = "李四的发票抬头错误"


@pytest.fixture
def theirs(other_customer, agent_actor):
    ticket = factories.ticket_for(other_customer, subject=SECRET_SUBJECT, description="发票号 INV-7788")
    other = Actor(user=other_customer.user, customer=other_customer, channel=Channel.PORTAL)
    services.attach(actor=other, ticket=ticket, files=[services.Upload("invoice.pdf", b"%PDF-1.4 li si", "")])
    services.attach(
        actor=agent_actor, ticket=ticket, files=[services.Upload("notes.txt", b"internal", "")], is_public=False
    )
    return ticket


def _snapshot(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status_id,
        ticket.priority_id,
        ticket.assignee_id,
        ticket.updated_at,
        TicketEvent.objects.filter(ticket=ticket).count(),
        Attachment.objects.filter(ticket=ticket).count(),
        TicketLink.objects.count(),
    )


def test_reading_another_customers_ticket_answers_exactly_like_a_missing_one(as_customer, theirs):
    hidden = as_customer.get(f"/api/v1/tickets/{theirs.number}")
    missing = as_customer.get("/api/v1/tickets/GD-999999")
    assert_problem(hidden, 404, "not-found")
    assert hidden.content == missing.content
    assert SECRET_SUBJECT not in hidden.content.decode()


@pytest.mark.parametrize("suffix", ["events", "attachments"])
def test_the_timeline_and_files_of_another_customers_ticket_are_404(as_customer, theirs, suffix):
    response = as_customer.get(f"/api/v1/tickets/{theirs.number}/{suffix}")
    assert_problem(response, 404, "not-found")
    assert SECRET_SUBJECT not in response.content.decode()


def test_listing_and_searching_never_show_another_customers_ticket(as_customer, customer, theirs):
    mine = factories.ticket_for(customer, subject="我的打印机卡纸")
    for query in ["", f"?q={SECRET_SUBJECT}", f"?q={theirs.number}", "?q=INV-7788", "?status=new"]:
        response = as_customer.get(f"/api/v1/tickets{query}")
        assert response.status_code == 200
        body = response.content.decode()
        assert theirs.number not in body
        assert SECRET_SUBJECT not in body
    everything = as_customer.get("/api/v1/tickets").json()
    assert [item["number"] for item in everything["items"]] == [mine.number]
    assert as_customer.get(f"/api/v1/tickets?q={SECRET_SUBJECT}").json() == {"items": [], "next_cursor": None}


def test_downloading_another_customers_attachment_is_404_for_public_and_internal_files(as_customer, theirs):
    for attachment in Attachment.objects.filter(ticket=theirs):
        response = as_customer.get(f"/api/v1/attachments/{attachment.pk}/download")
        assert_problem(response, 404, "not-found")
        assert b"li si" not in response.content
        assert b"internal" not in response.content


def test_replying_transitioning_noting_or_patching_another_customers_ticket_is_404_and_changes_nothing(
    as_customer, theirs
):
    before = _snapshot(theirs)
    base = f"/api/v1/tickets/{theirs.number}"
    attempts = [
        as_customer.post(f"{base}/replies", {"body": "我也来说两句"}, content_type="application/json"),
        as_customer.post(f"{base}/transitions", {"status": "open"}, content_type="application/json"),
        as_customer.post(f"{base}/notes", {"body": "偷偷备注"}, content_type="application/json"),
        as_customer.post(f"{base}/external-refs", {"system": "crm", "reference": "X"}, content_type="application/json"),
        as_customer.patch(base, {"subject": "改掉"}, content_type="application/json"),
    ]
    for response in attempts:
        assert_problem(response, 404, "not-found")
    assert _snapshot(theirs) == before


def test_attaching_to_another_customers_ticket_is_404_and_stores_nothing(as_customer, theirs):
    before = _snapshot(theirs)
    upload = SimpleUploadedFile("evil.txt", b"hello", content_type="text/plain")
    response = as_customer.post(f"/api/v1/tickets/{theirs.number}/attachments", {"files": upload})
    assert_problem(response, 404, "not-found")
    assert _snapshot(theirs) == before


def test_linking_or_merging_onto_another_customers_ticket_is_404_and_changes_nothing(as_customer, customer, theirs):
    mine = factories.ticket_for(customer)
    before = (_snapshot(theirs), _snapshot(mine))
    for path, payload in [("links", {"target": theirs.number}), ("merge", {"target": theirs.number})]:
        response = as_customer.post(f"/api/v1/tickets/{mine.number}/{path}", payload, content_type="application/json")
        assert_problem(response, 404, "not-found")
    assert (_snapshot(theirs), _snapshot(mine)) == before


def test_a_customer_sees_the_reduced_schema_of_their_own_ticket(as_customer, ticket, agent_actor):
    services.update_fields(
        actor=agent_actor,
        ticket=ticket,
        changes={"sentiment": "angry", "knowledge_ref": "KB-1", "materials": [{"item": "主板", "quantity": 1}]},
        tags=["难缠客户"],
    )
    body = as_customer.get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["view"] == "customer"
    assert body["number"] == ticket.number
    assert not set(body) & INTERNAL_TICKET_FIELDS
    text = str(body)
    for secret in ("angry", "KB-1", "主板", "难缠客户"):
        assert secret not in text


def test_a_customer_never_sees_internal_notes_or_internal_attachments_of_their_own_ticket(
    as_customer, ticket, agent_actor
):
    services.add_note(actor=agent_actor, ticket=ticket, body="客户疑似转售，谨慎处理")
    event = services.attach(
        actor=agent_actor, ticket=ticket, files=[services.Upload("diag.txt", b"internal log", "")], is_public=False
    )
    internal = event.attachments.get()
    events = as_customer.get(f"/api/v1/tickets/{ticket.number}/events").json()
    assert [e["event_type"] for e in events] == ["created"]
    assert "转售" not in str(events)
    assert as_customer.get(f"/api/v1/tickets/{ticket.number}/attachments").json() == []
    assert_problem(as_customer.get(f"/api/v1/attachments/{internal.pk}/download"), 404, "not-found")


def test_a_customer_adding_a_note_to_their_own_ticket_gets_404_and_no_note_is_written(as_customer, ticket):
    before = _snapshot(ticket)
    response = as_customer.post(
        f"/api/v1/tickets/{ticket.number}/notes", {"body": "内部？"}, content_type="application/json"
    )
    assert_problem(response, 404, "not-found")
    assert _snapshot(ticket) == before


def test_a_customer_cannot_change_the_status_of_their_own_ticket(as_customer, ticket):
    before = _snapshot(ticket)
    response = as_customer.post(
        f"/api/v1/tickets/{ticket.number}/transitions", {"status": "resolved"}, content_type="application/json"
    )
    assert_problem(response, 403, "forbidden")
    assert _snapshot(ticket) == before


def test_a_customer_cannot_open_a_ticket_for_someone_else(as_customer, other_customer):
    before = Ticket.objects.count()
    response = as_customer.post(
        "/api/v1/tickets", {"subject": "代人报修", "customer_id": other_customer.pk}, content_type="application/json"
    )
    body = assert_problem(response, 422, "invalid-input")
    assert body["errors"] == {"customer_id": "invalid"}
    assert Ticket.objects.count() == before
