"""A customer submits a request, sees the reply, confirms and rates; the portal fits a phone."""

import re

import pytest
from playwright.sync_api import expect

from gongdan.core.context import Actor, Channel
from gongdan.tickets import services
from gongdan.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 812}


def test_a_customer_submits_sees_the_reply_confirms_and_rates(page, live_server, customer, agent, sign_in, shot):
    factories.category("printer", "打印机")
    sign_in(page, customer.user)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.click("#new-request")
    page.select_option("#id_category", label="打印机")
    page.fill("#id_subject", "打印机卡纸")
    page.fill("#id_description", "每打印三页就卡纸一次，型号 HP M404")
    page.set_input_files(
        "#id_attachments", files=[{"name": "卡纸.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n0000"}]
    )
    shot(page, "portal-new-request")
    page.click("#request-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/t/GD-\d+/$"))
    expect(page.locator("#timeline")).to_contain_text("卡纸.png")

    ticket = Ticket.objects.get(subject="打印机卡纸")
    desk = Actor(user=agent, channel=Channel.WEB)
    services.add_note(actor=desk, ticket=ticket, body="内部：怀疑是搓纸轮老化")
    services.add_reply(actor=desk, ticket=ticket, body="您好，请清理搓纸轮后再试。")
    services.change_status(actor=desk, ticket=ticket, status="resolved", summary="指导客户清理搓纸轮")
    page.reload()
    expect(page.locator("#timeline")).to_contain_text("请清理搓纸轮后再试")
    expect(page.locator("#timeline")).not_to_contain_text("搓纸轮老化")
    shot(page, "portal-ticket-resolved")

    page.check("#id_solved_0")
    page.check("#id_clear_0")
    page.check("#id_rating_4")
    page.fill("#id_comment", "处理很及时")
    page.click("#confirm-form button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("已关闭")
    expect(page.locator("#confirm-form")).to_have_count(0)
    ticket.refresh_from_db()
    assert (ticket.status.kind, ticket.rating, ticket.closure_kind) == ("closed", 5, "customer_confirmed")


def test_the_portal_and_the_queue_fit_a_375_px_phone(page, live_server, customer, agent, sign_in, shot, browser):
    ticket = factories.ticket_for(customer, subject="手机上查看工单进度")
    page.set_viewport_size(PHONE)
    sign_in(page, customer.user)
    page.goto(f"{live_server.url}/portal/t/{ticket.number}/")
    expect(page.locator("h1")).to_contain_text("手机上查看工单进度")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "portal-ticket-phone")

    context = browser.new_context(viewport=PHONE)
    try:
        phone = context.new_page()
        sign_in(phone, agent)
        phone.goto(f"{live_server.url}/desk/q/unassigned/")
        expect(phone.get_by_role("link", name=ticket.number)).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(phone, "queue-phone")
    finally:
        context.close()
