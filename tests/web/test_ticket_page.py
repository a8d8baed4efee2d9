from gongdan.tickets import services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Ticket, TicketEvent


def test_an_agent_sees_the_header_timeline_and_customer_context(agent_client, ticket, customer):
    response = agent_client.get(f"/desk/t/{ticket.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert ticket.number in html
    assert "无法登录，验证码收不到" in html
    assert 'id="customer-panel"' in html
    assert "zhangsan@example.com" in html


def test_a_reply_goes_through_the_service_and_shows_on_the_timeline(agent_client, ticket, agent):
    response = agent_client.post(
        f"/desk/t/{ticket.number}/compose/", {"kind": "reply", "body": "请重启路由器后再试一次。", "summary": ""}
    )
    assert response.status_code == 302
    reply = TicketEvent.objects.get(ticket=ticket, event_type=EventType.REPLY)
    assert reply.actor == agent
    assert reply.is_public is True
    assert reply.channel == "web"
    ticket.refresh_from_db()
    assert ticket.status.kind == "open"
    assert ticket.first_response_at is not None


def test_an_internal_note_with_a_mention_is_not_public(agent_client, ticket, other_agent):
    agent_client.post(
        f"/desk/t/{ticket.number}/compose/",
        {"kind": "note", "body": "@agent_wang 请帮忙看一下日志", "summary": "查看服务器日志"},
        HTTP_HX_REQUEST="true",
    )
    note = TicketEvent.objects.get(ticket=ticket, event_type=EventType.NOTE)
    assert note.is_public is False
    assert note.is_effective is True
    assert list(note.mentions.values_list("username", flat=True)) == ["agent_wang"]


def test_an_empty_reply_shows_the_field_error_and_writes_nothing(agent_client, ticket):
    before = TicketEvent.objects.filter(ticket=ticket).count()
    response = agent_client.post(f"/desk/t/{ticket.number}/compose/", {"kind": "reply", "body": ""})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_a_step_back_without_a_reason_is_refused_with_its_message(agent_client, ticket, agent_actor):
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    response = agent_client.post(
        f"/desk/t/{ticket.number}/status/", {"st-status": "open", "st-reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert "needs a reason" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status.key == "resolved"


def test_assigning_from_the_ticket_page_uses_the_assign_service(lead_client, ticket, other_agent, lead):
    response = lead_client.post(
        f"/desk/t/{ticket.number}/assign/", {"as-assignee": other_agent.pk, "as-reason": "换人"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent
    event = TicketEvent.objects.get(ticket=ticket, event_type=EventType.ASSIGNED)
    assert event.actor == lead
    assert event.body == "换人"


def test_a_customer_cannot_open_the_workspace(client, customer, ticket):
    client.force_login(customer.user)
    assert client.get(f"/desk/t/{ticket.number}/").status_code == 404
    assert client.post(f"/desk/t/{ticket.number}/compose/", {"kind": "note", "body": "x"}).status_code == 404
    assert TicketEvent.objects.filter(ticket=ticket, event_type=EventType.NOTE).count() == 0


def test_department_staff_see_only_their_departments_tickets(client, purchasing, ticket):
    client.force_login(purchasing)
    assert client.get(f"/desk/t/{ticket.number}/").status_code == 404
    assert Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).exists()


def test_department_staff_write_internal_notes_but_no_public_replies(client, purchasing, purchasing_team, customer):
    from tests import factories

    ticket = factories.ticket_for(customer, subject="采购单号查询", team=purchasing_team)
    client.force_login(purchasing)
    page = client.get(f"/desk/t/{ticket.number}/").content.decode()
    assert 'value="reply"' not in page
    assert 'id="status-form"' not in page
    client.post(f"/desk/t/{ticket.number}/compose/", {"kind": "note", "body": "PO-778 已下单，预计周五到货"})
    refused = client.post(f"/desk/t/{ticket.number}/compose/", {"kind": "reply", "body": "您好"})
    assert refused.status_code == 422
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("event_type", flat=True))
    assert kinds == ["created", "note"]
    assert client.post(f"/desk/t/{ticket.number}/status/", {"st-status": "open"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status.key == "new"


def test_each_timeline_event_is_labelled_by_its_type_in_the_page_language(agent_client, ticket, web_actor):
    from django.utils import translation

    services.add_note(actor=web_actor, ticket=ticket, body="已远程查看日志")
    response = agent_client.get(f"/desk/t/{ticket.number}/")
    html = response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        created, note = str(EventType.CREATED.label), str(EventType.NOTE.label)
    assert f'<span class="event-type">{created}</span>' in html
    assert f'<span class="event-type">{note}</span>' in html
