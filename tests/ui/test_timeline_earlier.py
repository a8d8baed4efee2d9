"""A long timeline shows its newest events; "Show earlier events" loads the rest in place."""

import pytest
from playwright.sync_api import expect

from gongdan.core.context import Actor, Channel
from gongdan.tickets import services
from gongdan.web import timeline
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_show_earlier_events_loads_the_older_part_of_a_long_timeline(page, live_server, agent, customer, sign_in):
    ticket = factories.ticket_for(customer, subject="很长的处理记录")
    actor = Actor(user=agent, channel=Channel.WEB)
    for i in range(timeline.LATEST + 4):
        services.add_note(actor=actor, ticket=ticket, body=f"第 {i} 条排查记录")
    total = ticket.events.count()
    sign_in(page, agent)
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    items = page.locator("#timeline .timeline-item")
    expect(items).to_have_count(timeline.LATEST)
    expect(page.locator("#timeline")).not_to_contain_text("第 0 条排查记录")
    page.locator("#timeline-earlier a").click()
    expect(items).to_have_count(total)
    expect(page.locator("#timeline-earlier")).to_have_count(0)
    expect(items.first).to_contain_text(ticket.events.order_by("created_at", "id").first().actor_label)
    expect(page.locator("#timeline")).to_contain_text("第 0 条排查记录")
