"""An agent sees the P0 breaker banner and presses "next ticket": the oldest P0 opens, now theirs."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_next_ticket_under_the_p0_breaker_opens_the_first_p0(page, live_server, agent, customer, sign_in, shot):
    factories.ticket_for(customer, subject="打印机卡纸", priority_code="P3")
    p0s = [factories.ticket_for(customer, subject=f"产线停机 {n}", priority_code="P0") for n in range(4)]
    sign_in(page, agent, "en")

    page.goto(live_server.url + "/desk/q/mine/")
    expect(page.locator("#breaker-banner")).to_contain_text("4 P0 tickets wait (more than 3).")
    shot(page, "routing-breaker-banner")
    page.click("#next-ticket")

    expect(page).to_have_url(re.compile(rf"/desk/t/{p0s[0].number}/$"))
    expect(page.locator("#routing-panel")).to_contain_text(f"{agent}")
    expect(page.locator("#routing-panel")).to_contain_text("next ticket: P0 breaker open")
    shot(page, "routing-next-ticket")
    p0s[0].refresh_from_db()
    assert p0s[0].assignee == agent
