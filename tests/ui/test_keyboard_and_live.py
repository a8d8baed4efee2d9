"""Keyboard shortcuts and live updates, in the browser."""

import re

import pytest
from playwright.sync_api import expect

from gongdan.core.context import Actor, Channel
from gongdan.tickets import services
from gongdan.web.models import WorkspacePolicy
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_help_overlay_and_queue_navigation_work_from_the_keyboard(page, live_server, agent, customer, sign_in):
    first = factories.ticket_for(customer, subject="键盘操作一")
    factories.ticket_for(customer, subject="键盘操作二")
    sign_in(page, agent)
    page.goto(f"{live_server.url}/desk/q/unassigned/")
    page.keyboard.press("?")
    expect(page.locator("dialog#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog#help")).to_be_hidden()
    # The unassigned queue lists the oldest first: j, j selects the second row, k goes back to the first.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/desk/t/{first.number}/$"))
    page.keyboard.press("n")
    expect(page.locator("#composer input[value=note]")).to_be_checked()
    expect(page.locator("#id_body")).to_be_focused()


def test_a_reply_from_elsewhere_appears_on_the_open_ticket_without_a_reload(
    page, live_server, agent, other_agent, customer, sign_in
):
    WorkspacePolicy.objects.update_or_create(pk=1, defaults={"refresh_seconds": 1})
    ticket = factories.ticket_for(customer, subject="实时刷新")
    sign_in(page, agent)
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    page.fill("#id_body", "还没写完的回复")
    # Let the lazily loaded panels finish first: on the in-memory SQLite their reads and this
    # thread's write would otherwise race for the shared-cache table lock.
    expect(page.locator("#merge-panel")).to_be_visible()
    expect(page.locator("#duplicates-panel")).to_be_visible()
    services.add_reply(actor=Actor(user=other_agent, channel=Channel.WEB), ticket=ticket, body="同事的回复：已远程处理")
    expect(page.locator("#timeline")).to_contain_text("同事的回复：已远程处理")
    expect(page.locator("#id_body")).to_have_value("还没写完的回复")
