"""Agents log a phone call or a walk-in as a ticket (issue 17, defect 1) and search every ticket,
closed ones and external references too (defect 3)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongdan.core.context import Actor, Channel
from gongdan.customers.models import Customer, CustomerIdentity, Device
from gongdan.tickets import services
from gongdan.tickets.constants import ExternalSystem
from gongdan.tickets.models import Ticket
from tests import factories


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_an_agent_logs_a_phone_call_for_a_known_customer(agent, customer):
    client = english(agent)
    page = client.get("/desk/new/")
    assert page.status_code == 200 and 'id="new-ticket-form"' in page.content.decode()

    response = client.post(
        "/desk/new/",
        {
            "customer": customer.pk,
            "channel": "phone",
            "subject": "打印机卡纸",
            "description": "客户来电：每打印三页卡纸一次",
            "priority": "P1",
            "attachments": [SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n0000", "image/png")],
        },
    )

    ticket = Ticket.objects.get(subject="打印机卡纸")
    assert response.status_code == 302 and response["Location"] == f"/desk/t/{ticket.number}/"
    assert (ticket.customer, ticket.channel, ticket.priority.code, ticket.created_by) == (
        customer,
        "phone",
        "P1",
        agent,
    )
    assert list(ticket.attachments.values_list("filename", flat=True)) == ["照片.png"]


def test_a_walk_in_customer_is_created_on_the_spot(agent):
    response = english(agent).post(
        "/desk/new/",
        {"new_name": "王小明", "new_phone": "138 0013 8000", "channel": "walk_in", "subject": "收银机无法开机"},
    )

    ticket = Ticket.objects.get(subject="收银机无法开机")
    assert response.status_code == 302
    assert (ticket.customer.name, ticket.channel) == ("王小明", "walk_in")
    assert CustomerIdentity.objects.filter(customer=ticket.customer, kind="phone").exists()


def test_without_a_customer_the_form_says_what_is_missing_and_creates_nothing(agent):
    response = english(agent).post("/desk/new/", {"channel": "phone", "subject": "无客户"})

    assert response.status_code == 422
    assert "Choose a customer found above, or give the new customer&#x27;s name." in response.content.decode()
    assert not Ticket.objects.exists() and not Customer.objects.exists()


def test_the_lookup_finds_customers_by_phone_name_and_device_sn(agent, customer):
    CustomerIdentity.objects.create(customer=customer, kind="phone", value="13800138000")
    Device.objects.create(customer=customer, serial_number="SN-HP-404", model="HP M404")
    client = english(agent)

    for query in ("138 0013 8000", "zhang", "SN-HP-404"):
        html = client.get("/desk/new/customers/", {"q": query}).content.decode()
        assert f'data-id="{customer.pk}"' in html, query


def test_hints_show_the_customers_open_tickets_and_related_ones(agent, customer):
    open_one = factories.ticket_for(customer, subject="打印机脱机")
    html = english(agent).get("/desk/new/hints/", {"customer": customer.pk, "subject": "打印机"}).content.decode()
    assert open_one.number in html


def test_a_customer_cannot_open_the_new_ticket_page(customer):
    client = Client()
    client.force_login(customer.user)
    assert client.get("/desk/new/").status_code == 404


def test_search_finds_closed_tickets_by_keyword_and_tickets_by_external_reference(agent, customer, lead):
    desk = Actor(user=lead, channel=Channel.WEB)
    printer = factories.ticket_for(customer, subject="打印机卡纸")
    services.change_status(actor=desk, ticket=printer, status="resolved")
    services.change_status(actor=desk, ticket=printer, status="closed", reason="电话确认")
    erp = factories.ticket_for(customer, subject="采购单未到货")
    services.add_external_ref(actor=desk, ticket=erp, system=ExternalSystem.ERP_PO, reference="PO-2026-7788")
    client = english(agent)

    by_word = client.get("/desk/search/", {"q": "打印机"}).content.decode()
    by_ref = client.get("/desk/search/", {"q": "7788"}).content.decode()
    open_only = client.get("/desk/search/", {"q": "打印机", "state": "open"}).content.decode()

    assert f'data-number="{printer.number}"' in by_word
    assert f'data-number="{erp.number}"' in by_ref
    assert f'data-number="{printer.number}"' not in open_only


def test_search_lists_customers_organisations_and_devices_for_the_desk(agent, customer):
    Device.objects.create(customer=customer, serial_number="SN-XY-9", model="POS-9")
    html = english(agent).get("/desk/search/", {"q": "SN-XY"}).content.decode()
    assert "SN SN-XY-9 POS-9" in html
