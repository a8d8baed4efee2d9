"""A lead reassigns from the board; the language switch is remembered per user."""

import re

import pytest
from playwright.sync_api import expect

from gongdan.accounts.models import User
from tests import factories
from tests.ui.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_lead_reassigns_a_waiting_ticket_from_the_board(
    page, live_server, lead, agent, other_agent, lead_actor, customer, sign_in, shot
):
    from gongdan.tickets import services

    ticket = factories.ticket_for(customer, subject="门禁卡失效")
    services.assign(actor=lead_actor, ticket=ticket, assignee=agent)
    sign_in(page, lead)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/desk/board/$"))
    expect(page.locator("#load-chart svg")).to_have_count(1)
    shot(page, "lead-board")
    page.locator("table.waiting").get_by_role("link", name=ticket.number).click()
    page.select_option("#id_as-assignee", str(other_agent.pk))
    page.fill("#id_as-reason", "李坐席今天请假")
    page.click("#assign-form button[type=submit]")
    expect(page.locator("#ticket-assignee")).to_contain_text("王坐席")
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent


@pytest.mark.browser_context_args(locale="zh-CN")
def test_the_language_switch_is_remembered_for_the_next_sign_in(page, live_server, agent):
    # The browser asks for Chinese; after switching to English once, the agent gets English at every sign-in.
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", agent.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.click("#language-form button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Queues")).to_be_visible()
    assert User.objects.get(pk=agent.pk).language == "en"

    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.fill("#id_username", agent.username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/desk/q/mine/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
