"""System events are stored as a type and parameters and read in the viewer's language (issue 17, defect 6)."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import Client
from django.utils import translation

from gongdan.core import clock
from gongdan.core.context import Actor, Channel
from gongdan.sla import services as sla
from gongdan.tickets import rendering, services
from gongdan.tickets.constants import EventType, ExternalSystem, LinkKind
from gongdan.tickets.models import TicketEvent
from tests import factories

migration = importlib.import_module("gongdan.tickets.migrations.0009_events_as_parameters")


def said(ticket, event_type, language):
    with translation.override(language):
        return [rendering.describe(e) for e in ticket.events.filter(event_type=event_type).order_by("id")]


@pytest.fixture
def desk(agent):
    return Actor(user=agent, channel=Channel.WEB)


def test_no_system_event_stores_a_sentence(ticket, desk, other_agent, service_team):
    other = factories.ticket_for(ticket.customer, subject="另一个问题")
    services.assign(actor=desk, ticket=ticket, assignee=other_agent, team=service_team)
    services.change_status(actor=desk, ticket=ticket, status="open")
    services.set_category(actor=desk, ticket=ticket, category=factories.category("printer", "打印机"))
    services.update_fields(actor=desk, ticket=ticket, changes={"collaborating_departments": [service_team.code]})
    services.link(actor=desk, ticket=ticket, target=other, kind=LinkKind.RECURRENCE_OF)
    services.add_external_ref(actor=desk, ticket=ticket, system=ExternalSystem.ERP_PO, reference="PO-7788")
    services.merge(actor=desk, source=other, target=ticket, reason="同一问题")

    generated = TicketEvent.objects.exclude(event_type__in=[EventType.CREATED, EventType.REPLY, EventType.NOTE])
    assert list(generated.exclude(summary="").values_list("event_type", "summary")) == []


def test_events_read_in_english_for_an_english_viewer(ticket, desk, other_agent, service_team):
    other = factories.ticket_for(ticket.customer, subject="另一个问题")
    services.assign(actor=desk, ticket=ticket, assignee=other_agent, team=service_team)
    services.change_status(actor=desk, ticket=ticket, status="open")
    services.update_fields(actor=desk, ticket=ticket, changes={"collaborating_departments": [service_team.code]})
    services.link(actor=desk, ticket=ticket, target=other, kind=LinkKind.RECURRENCE_OF)
    services.add_external_ref(actor=desk, ticket=ticket, system=ExternalSystem.ERP_PO, reference="PO-7788")
    services.merge(actor=desk, source=other, target=ticket, reason="同一问题")

    assert said(ticket, EventType.ASSIGNED, "en") == ["Assigned to 王坐席 · Team: Service desk 1"]
    assert said(ticket, EventType.STATUS_CHANGED, "en") == ["New → Open"]
    assert said(ticket, EventType.FIELDS_CHANGED, "en") == ["collaborating departments"]
    assert said(ticket, EventType.LINKED, "en") == [f"Recurrence of {other.number}"]
    assert said(ticket, EventType.EXTERNAL_REF_ADDED, "en") == ["ERP purchase order PO-7788"]
    assert said(ticket, EventType.MERGED, "en") == [f"{other.number} merged into this ticket"]
    assert said(other, EventType.MERGED, "en") == [f"Merged into {ticket.number}"]


def test_the_same_events_read_in_chinese_for_a_chinese_viewer(ticket, desk, other_agent, service_team):
    services.assign(actor=desk, ticket=ticket, assignee=other_agent, team=service_team)
    services.change_status(actor=desk, ticket=ticket, status="open")
    services.add_external_ref(actor=desk, ticket=ticket, system=ExternalSystem.ERP_PO, reference="PO-7788")

    assert said(ticket, EventType.ASSIGNED, "zh-hans") == ["指派给 王坐席 · 团队：客服一组"]
    assert said(ticket, EventType.STATUS_CHANGED, "zh-hans") == ["新建 → 处理中"]
    assert said(ticket, EventType.EXTERNAL_REF_ADDED, "zh-hans") == ["ERP 采购单 PO-7788"]


def test_an_sla_breach_is_stored_as_parameters_and_read_in_one_language(customer):
    ticket = factories.ticket_for(customer, priority_code="P1")
    with time_machine.travel(clock.now() + timedelta(days=30), tick=False):
        sla.sweep()

    breach = ticket.events.filter(event_type=EventType.SLA_BREACHED).first()
    assert breach is not None and breach.summary == ""
    assert breach.new_value["signal"] == "breach"
    with translation.override("en"):
        assert "breached" in rendering.describe(breach) and "超时" not in rendering.describe(breach)
    with translation.override("zh-hans"):
        assert "已超时" in rendering.describe(breach) and "breached" not in rendering.describe(breach)


def test_the_english_ticket_page_shows_no_chinese_event_text(ticket, desk, other_agent, service_team):
    services.assign(actor=desk, ticket=ticket, assignee=other_agent, team=service_team)
    services.change_status(actor=desk, ticket=ticket, status="open")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_agent.language = "en"
    other_agent.save()
    client.force_login(other_agent)

    html = client.get(f"/desk/t/{ticket.number}/").content.decode()

    assert "Assigned to 王坐席" in html and "New → Open" in html
    assert "指派给" not in html and "新建 → 处理中" not in html


def test_old_rows_are_rewritten_as_parameters(ticket, desk, other_agent, service_team):
    """The data migration: what the services wrote before (summaries in Chinese or in both languages)."""
    old = TicketEvent.objects.create(
        ticket=ticket,
        event_type=EventType.STATUS_CHANGED,
        channel="web",
        summary="新建 → 处理中",
        old_value={"status": "new", "kind": "new"},
        new_value={"status": "open", "kind": "open"},
        created_at=clock.now(),
    )
    typed = TicketEvent.objects.create(
        ticket=ticket,
        event_type=EventType.STATUS_CHANGED,
        channel="web",
        summary="已联系客户确认型号",
        old_value={"status": "open", "kind": "open"},
        new_value={"status": "pending-customer", "kind": "pending"},
        created_at=clock.now(),
    )
    assigned = TicketEvent.objects.create(
        ticket=ticket,
        event_type=EventType.ASSIGNED,
        channel="web",
        summary="指派给 王坐席",
        old_value={"assignee": None, "team": None},
        new_value={"assignee": other_agent.pk, "team": service_team.pk},
        created_at=clock.now(),
    )
    breach = TicketEvent.objects.create(
        ticket=ticket,
        event_type=EventType.SLA_BREACHED,
        channel="system",
        summary="首次响应已超时 / first response breached",
        new_value={"signal": "breach", "target": "first_response", "stage": 100, "due": clock.now().isoformat()},
        created_at=clock.now(),
    )
    merged = TicketEvent.objects.create(
        ticket=ticket, event_type=EventType.MERGED, channel="web", summary="合并到 GD-000123", created_at=clock.now()
    )

    migration.forwards(django_apps, None)

    for event in (old, typed, assigned, breach, merged):
        event.refresh_from_db()
    assert [old.summary, typed.summary, assigned.summary, breach.summary, merged.summary] == [
        "",
        "已联系客户确认型号",
        "",
        "",
        "",
    ]
    with translation.override("en"):
        assert [rendering.describe(e) for e in (old, assigned, breach, merged)] == [
            "New → Open",
            "Assigned to 王坐席 · Team: Service desk 1",
            "first response breached",
            "Merged into GD-000123",
        ]
        assert rendering.describe(typed).endswith("· 已联系客户确认型号")
