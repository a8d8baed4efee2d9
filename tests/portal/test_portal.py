import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongdan.customers.models import Device
from gongdan.feedback.models import ResolutionConfirmation
from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Attachment, Ticket, TicketEvent
from tests import factories


def test_a_customer_submits_a_request_with_category_device_and_attachment(customer_client, customer):
    category = factories.category("printer", "打印机")
    Device.objects.create(customer=customer, serial_number="SN-HP-42", model="HP M404")
    response = customer_client.post(
        "/portal/new/",
        {
            "category": category.pk,
            "subject": "打印机卡纸",
            "description": "每打印三页就卡纸一次",
            "device": "SN-HP-42",
            "attachments": [SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")],
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/portal/t/{ticket.number}/"
    assert (ticket.subject, ticket.category, ticket.device_sn, ticket.channel) == (
        "打印机卡纸",
        category,
        "SN-HP-42",
        "portal",
    )
    assert ticket.device.serial_number == "SN-HP-42"
    assert list(Attachment.objects.values_list("filename", "is_public")) == [("photo.png", True)]


def test_a_request_without_a_subject_shows_the_field_error_in_english(customer_client):
    response = customer_client.post("/portal/new/", {"subject": "", "description": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html
    assert 'aria-invalid="true"' in html
    assert Ticket.objects.count() == 0


def test_the_customer_never_sees_internal_notes_or_internal_fields(customer_client, ticket, agent_actor):
    services.add_note(actor=agent_actor, ticket=ticket, body="内部：客户是老用户，注意语气", summary="内部备注")
    services.add_reply(actor=agent_actor, ticket=ticket, body="您好，请尝试清除浏览器缓存。")
    ticket.tags.create(name="内部标签")
    html = customer_client.get(f"/portal/t/{ticket.number}/").content.decode()
    assert "您好，请尝试清除浏览器缓存。" in html
    assert "内部：客户是老用户" not in html
    assert "内部备注" not in html
    assert "内部标签" not in html
    assert "10.0.0.5" not in html


def test_the_customer_replies_from_the_portal(customer_client, ticket, customer):
    response = customer_client.post(f"/portal/t/{ticket.number}/reply/", {"body": "清除缓存后还是不行"})
    assert response.status_code == 302
    reply = TicketEvent.objects.get(ticket=ticket, event_type=EventType.REPLY)
    assert (reply.actor_customer, reply.channel, reply.is_public) == (customer, "portal", True)


def test_the_customer_confirms_and_rates_a_resolution(customer_client, ticket, agent_actor):
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    page = customer_client.get(f"/portal/t/{ticket.number}/").content.decode()
    assert 'id="confirm-form"' in page
    response = customer_client.post(
        f"/portal/t/{ticket.number}/confirm/", {"solved": "yes", "clear": "yes", "rating": "5", "comment": "很快"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.rating, ticket.closure_kind) == ("closed", 5, "customer_confirmed")
    confirmation = ResolutionConfirmation.objects.get(ticket=ticket)
    assert (confirmation.solved, confirmation.rating, confirmation.comment) == (True, 5, "很快")


def test_a_customer_saying_not_solved_reopens_the_ticket(customer_client, ticket, agent_actor):
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    customer_client.post(
        f"/portal/t/{ticket.number}/confirm/", {"solved": "no", "clear": "no", "rating": "2", "comment": "还是收不到"}
    )
    ticket.refresh_from_db()
    assert ticket.status.kind == "open"
    assert ticket.rating is None


def test_confirming_an_unresolved_ticket_changes_nothing(customer_client, ticket):
    response = customer_client.post(
        f"/portal/t/{ticket.number}/confirm/", {"solved": "yes", "clear": "yes", "rating": "5"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.rating) == ("new", None)


def test_another_customers_ticket_is_a_404(client, other_customer, ticket):
    client.force_login(other_customer.user)
    assert client.get(f"/portal/t/{ticket.number}/").status_code == 404
    assert client.post(f"/portal/t/{ticket.number}/reply/", {"body": "hi"}).status_code == 404
    assert TicketEvent.objects.filter(ticket=ticket, event_type=EventType.REPLY).count() == 0


def test_staff_do_not_use_the_portal(client, agent):
    client.force_login(agent)
    assert client.get("/portal/").status_code == 404


@pytest.mark.parametrize("rows", [5, 30])
def test_my_tickets_takes_the_same_queries_for_5_and_30_rows(
    customer_client, customer, rows, django_assert_max_num_queries
):
    for i in range(rows):
        factories.ticket_for(customer, subject=f"请求 {i}")
    customer_client.get("/portal/")
    with django_assert_max_num_queries(6):
        response = customer_client.get("/portal/")
    assert len(response.context["tickets"]) == rows
