"""The ticket page's lazy duplicates panel: an agent sees the suspected original, confirms it and
searches related tickets by device SN."""

import pytest
from playwright.sync_api import expect

from gongdan.tickets.constants import LinkKind
from gongdan.tickets.models import TicketLink
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agent_confirms_a_suspected_duplicate_and_searches_by_serial_number(
    page, live_server, agent, customer, sign_in, shot
):
    original = factories.ticket_for(customer, subject="空调不制冷", description="空调吹热风，室外机不转")
    again = factories.ticket_for(customer, subject="空调还是不制冷", description="空调吹热风，室外机不转")
    other = factories.ticket_for(customer, subject="冰箱不制冷", description="冷藏室不凉", device_sn="SN-FR-0042")
    sign_in(page, agent, "en")

    page.goto(f"{live_server.url}/desk/t/{again.number}/")

    panel = page.locator("#duplicates-panel")
    suspicion = panel.locator(f".suspicion[data-original='{original.number}']")
    expect(suspicion).to_contain_text("same customer")
    shot(page, "duplicates-panel")
    suspicion.get_by_role("button", name="Confirm duplicate").click()
    expect(panel.locator(".suspicion")).to_contain_text("Confirmed duplicate")
    assert TicketLink.objects.filter(source=again, target=original, kind=LinkKind.DUPLICATE_OF).exists()

    # The confirmation swapped the panel in; typing can land before htmx has wired the new form, so
    # the search is submitted explicitly rather than left to the typing trigger.
    search = panel.get_by_placeholder("Phone, device SN or keywords")
    search.fill("sn-fr-0042")
    search.press("Enter")
    expect(panel.locator(".related-results")).to_contain_text(other.number)
