"""An agent picks a ticket from a queue, replies, adds a note and resolves; a refused transition
shows its message; a second agent sees the collision notice."""

import re

import pytest
from playwright.sync_api import expect

from gongdan.tickets import services
from gongdan.tickets.models import Ticket
from tests import factories
from tests.ui.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agent_picks_a_ticket_replies_adds_a_note_and_resolves(page, live_server, agent, customer, shot):
    ticket = factories.ticket_for(customer, subject="无法登录，验证码收不到")
    factories.ticket_for(customer, subject="打印机卡纸")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/$"))
    shot(page, "login")
    page.fill("#id_username", agent.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/desk/q/mine/$"))

    page.click("#queue-unassigned")
    expect(page.locator("[data-count=unassigned]")).to_have_text("2")
    shot(page, "queue-unassigned")
    page.get_by_role("link", name=ticket.number).click()
    expect(page.locator("h1")).to_contain_text("无法登录，验证码收不到")

    page.fill("#id_body", "您好，请在登录页点击“重新发送验证码”，并检查垃圾邮件。")
    page.click("#composer-send")
    expect(page.locator("#timeline")).to_contain_text("重新发送验证码")
    expect(page.locator("#ticket-status")).to_have_text("处理中")

    page.check("#composer input[name=kind][value=note]")
    page.fill("#id_summary", "查看短信网关日志")
    page.fill("#id_body", "@agent_li 短信网关昨晚有告警，已联系运营商")
    page.click("#composer-send")
    expect(page.locator("#timeline .internal")).to_contain_text("短信网关昨晚有告警")

    page.select_option("#id_st-status", "resolved")
    page.fill("#id_st-summary", "重置验证码服务后恢复")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("已解决（待确认）")
    shot(page, "ticket-resolved")

    ticket.refresh_from_db()
    assert ticket.status.key == "resolved"
    kinds = list(ticket.events.order_by("id").values_list("event_type", flat=True))
    assert kinds == ["created", "reply", "status_changed", "note", "status_changed", "confirmation_requested"]


def test_a_refused_transition_shows_its_message(page, live_server, agent, agent_actor, customer, sign_in):
    ticket = factories.ticket_for(customer, subject="显示器闪烁")
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved")
    sign_in(page, agent)
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    page.select_option("#id_st-status", "open")
    page.click("#status-form button[type=submit]")
    error = page.locator("#status-form .invalid-feedback")
    expect(error).to_have_text("从“已解决（待确认）”变为“处理中”（回退或直接关闭）需要填写原因。")
    expect(page.locator("#id_st-reason")).to_have_attribute("aria-invalid", "true")
    assert Ticket.objects.get(pk=ticket.pk).status.key == "resolved"


def test_a_second_agent_sees_who_else_is_on_the_ticket(
    page, live_server, agent, other_agent, customer, sign_in, browser
):
    ticket = factories.ticket_for(customer, subject="VPN 连不上")
    sign_in(page, agent)
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    page.fill("#id_body", "正在写回复")
    other_context = browser.new_context()
    try:
        other = other_context.new_page()
        sign_in(other, other_agent)
        other.goto(f"{live_server.url}/desk/t/{ticket.number}/")
        expect(other.locator("#presence .collision")).to_contain_text("李坐席")
    finally:
        other_context.close()
