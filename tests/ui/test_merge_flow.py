"""An agent sees a merge proposal on the ticket, confirms it in the queue and reads the provenance."""

import re

import pytest
from playwright.sync_api import expect

from gongdan.tickets.constants import StatusKind
from gongdan.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agent_confirms_a_merge_proposal_and_sees_the_provenance(page, live_server, agent, customer, sign_in, shot):
    printer = factories.category("printer", "打印机")
    older = factories.ticket_for(customer, subject="打印机卡纸", category=printer)
    newer = factories.ticket_for(customer, subject="三楼打印机又卡纸了", category=printer)
    sign_in(page, agent, "zh-hans")

    page.goto(f"{live_server.url}/desk/t/{older.number}/")
    expect(page.locator("#merge-panel .merge-proposal")).to_contain_text(newer.number)
    expect(page.locator("#merge-count")).to_have_text("1")

    page.click("#triage-menu")  # the triage pages share one menu in the top bar
    page.get_by_role("link", name=re.compile("合并建议|Merge proposals")).click()
    expect(page).to_have_url(re.compile(r"/desk/triage/merges/$"))
    shot(page, "merge-queue")
    page.locator(".merge-proposal .merge-confirm button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/desk/triage/merges/t/{older.number}/provenance/$"))
    row = page.locator(f'#provenance tr[data-original="{newer.number}"]')
    expect(row).to_contain_text("三楼打印机又卡纸了")
    expect(row).to_contain_text(agent.display_name or agent.username)
    shot(page, "merge-provenance")
    merged = Ticket.objects.get(pk=newer.pk)
    assert (merged.status.kind, merged.merged_into_id) == (StatusKind.MERGED, older.pk)
