"""An agent opens a ticket, sees the priority score breakdown in the lazy triage panel and overrides
the priority with a reason."""

from datetime import date

import pytest
from playwright.sync_api import expect

from gongdan.triage.models import BusinessWindow, PriorityOverride
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agent_sees_the_breakdown_and_overrides_the_priority(page, live_server, agent, customer, sign_in, shot):
    payment = factories.category("payment", "支付与账务")
    pay_failed = factories.category("pay-failed", "支付失败", parent=payment)
    BusinessWindow.objects.create(
        name="全年大促",
        starts_on=date(2000, 1, 1),
        ends_on=date(2100, 1, 1),
        points=10,
        category_overrides={"pay-failed": "P0"},
    )
    ticket = factories.ticket_for(customer, subject="付款失败", description="下单付款失败", category=pay_failed)
    sign_in(page, agent)
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")

    expect(page.locator("#triage-total")).to_have_text("45.0")
    expect(page.locator("#triage-computed")).to_have_text("P0")
    expect(page.locator("#triage-breakdown [data-dimension=base]")).to_contain_text("payment (text: 付款失败)")
    expect(page.locator("#triage-breakdown [data-dimension=context]")).to_contain_text("全年大促")
    expect(page.locator("#triage-override-rule")).to_contain_text("pay-failed")
    shot(page, "triage-breakdown")

    page.select_option("#id_ov-code", "P1")
    page.fill("#id_ov-reason", "客户确认只影响一笔订单")
    page.click("#override-form button[type=submit]")
    expect(page.locator("#triage-overrides")).to_contain_text("P0 → P1")
    expect(page.locator("#triage-overrides")).to_contain_text("客户确认只影响一笔订单")
    override = PriorityOverride.objects.get(ticket=ticket)
    assert (override.new_priority, override.score, override.user) == ("P1", 45.0, agent)
