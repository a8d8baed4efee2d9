"""The monthly duplicate top-10 (R5.5): exact counts per category and subject key, page and command."""

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from gongdan.tickets import services
from gongdan.tickets.constants import LinkKind
from gongdan.triage.merging.selectors import duplicate_top10
from tests import factories
from tests.triage.merge_support import at, hardware_tree, made_at

pytestmark = pytest.mark.django_db


def merge_at(moment, agent_actor, source, target):
    with time_machine.travel(moment, tick=False):
        services.merge(actor=agent_actor, source=source, target=target)


@pytest.fixture
def november(customer, other_customer, agent_actor):
    """Printer jams: 3 merged + 1 confirmed duplicate link; invoices: 2 merged; one un-merged; one in October."""
    _, printer, _, billing = hardware_tree()
    jam = made_at(at(2026, 11, 2, 9, 0), customer, "打印机卡纸", category=printer)
    jam_b = made_at(at(2026, 11, 5, 9, 0), other_customer, "打印機 卡紙", category=printer)
    invoice = made_at(at(2026, 11, 3, 9, 0), customer, "发票抬头错误", category=billing)
    for n, day in enumerate((2, 3, 4)):
        merge_at(at(2026, 11, day, 12, 0), agent_actor, made_at(at(2026, 11, day, 10), customer, f"卡纸{n}"), jam)
    linked = made_at(at(2026, 11, 6, 9, 0), other_customer, "又卡纸", category=printer)
    with time_machine.travel(at(2026, 11, 6, 10, 0), tick=False):
        services.link(actor=agent_actor, ticket=linked, target=jam_b, kind=LinkKind.DUPLICATE_OF)
        services.link(actor=agent_actor, ticket=linked, target=jam_b, kind=LinkKind.RELATED)
    for day in (10, 11):
        merge_at(at(2026, 11, day, 12, 0), agent_actor, made_at(at(2026, 11, day, 10), customer, "发票"), invoice)
    undone = made_at(at(2026, 11, 12, 9, 0), customer, "发票又错", category=billing)
    merge_at(at(2026, 11, 12, 10, 0), agent_actor, undone, invoice)
    services.unmerge(actor=agent_actor, ticket=undone, reason="不是同一张发票")
    # 00:30 on 1 November in Shanghai is still October in UTC: the month follows the desk's time zone.
    merge_at(at(2026, 10, 31, 23, 30), agent_actor, made_at(at(2026, 10, 31, 9), customer, "十月"), invoice)
    merge_at(at(2026, 11, 1, 0, 30), agent_actor, made_at(at(2026, 10, 31, 10), customer, "十一月"), invoice)
    return jam, jam_b, invoice


def test_scenarios_are_counted_exactly_and_ranked(november):
    jam, _, invoice = november
    report = duplicate_top10(dt.date(2026, 11, 1))
    assert report["month"] == "2026-11"
    assert report["duplicates"] == 7
    summary = [(s["rank"], s["category"], s["key"], s["count"]) for s in report["scenarios"]]
    assert summary == [(1, "printer", "卡纸 打印机", 4), (2, "billing", "发票 抬头 错误", 3)]
    assert [e["master"] for e in report["scenarios"][0]["examples"]] == [jam.number, jam.number, jam.number]
    assert [e["master"] for e in report["scenarios"][1]["examples"]] == [invoice.number] * 3
    assert report["scenarios"][1]["category_name"] == "账单"


def test_october_has_its_own_scenario(november):
    report = duplicate_top10(dt.date(2026, 10, 1))
    assert [(s["key"], s["count"]) for s in report["scenarios"]] == [("发票 抬头 错误", 1)]


def test_only_ten_scenarios_are_kept(customer, agent_actor):
    category = factories.category("misc", "其他")
    for n in range(12):
        master = made_at(at(2026, 11, 2, 9, 0), customer, f"场景{chr(0x4E00 + n)}{chr(0x4E10 + n)}", category=category)
        for _ in range(1 + n % 3):
            merge_at(at(2026, 11, 3, 9, 0), agent_actor, made_at(at(2026, 11, 2, 10), customer, "重复"), master)
    report = duplicate_top10(dt.date(2026, 11, 1))
    assert (len(report["scenarios"]), report["duplicates"]) == (10, 24)
    assert [s["count"] for s in report["scenarios"]] == [3, 3, 3, 3, 2, 2, 2, 2, 1, 1]


def test_the_command_prints_the_report_as_json(november):
    out = StringIO()
    call_command("duplicate_report", "--month", "2026-11", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == json.loads(json.dumps(duplicate_top10(dt.date(2026, 11, 1)), ensure_ascii=False))
    assert [s["count"] for s in printed["scenarios"]] == [4, 3]


def test_the_lead_page_has_a_month_picker_and_agents_get_404(client, lead, agent, november):
    client.force_login(lead)
    page = client.get("/desk/triage/merges/top10/?month=2026-11")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="month" name="month" id="month" value="2026-11"' in html
    assert html.count('class="fw-bold">4<') == 1 and html.count('class="fw-bold">3<') == 1
    client.force_login(agent)
    assert client.get("/desk/triage/merges/top10/").status_code == 404


def test_the_api_report_is_for_leads(client, lead, agent, november):
    client.force_login(agent)
    assert client.get("/api/v1/triage/duplicate-report?month=2026-11").status_code == 403
    client.force_login(lead)
    body = client.get("/api/v1/triage/duplicate-report?month=2026-11").json()
    assert [s["count"] for s in body["scenarios"]] == [4, 3]
    assert client.get("/api/v1/triage/duplicate-report?month=2026-13").status_code == 422
