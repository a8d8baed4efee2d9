"""Accept in the request, judge behind it (issue 15): the worker's batch judges new tickets exactly as
the inline path does; the request writes an initial priority and the marker and answers from what it
wrote; a lost kick is picked up by the minute sweep; a failing ticket does not hold its batch back."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongdan.customers.constants import Tier
from gongdan.routing.models import HeldTicket, RoutingDecision
from gongdan.tickets import tasks
from gongdan.tickets.models import Ticket, TicketEvent
from gongdan.tickets.services import judgement
from gongdan.triage.models import DuplicateSuspicion, KeywordRule, MergeProposal, TicketClassification, TicketTriage
from tests import factories
from tests.routing.conftest import needs, staff

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=CST)


@pytest.fixture
def desk(service_team, customer, other_customer):
    hardware = factories.category("hardware", "硬件")
    printer = factories.category("printer", "打印机", parent=hardware)
    jam = factories.category("printer-jam", "卡纸", parent=printer)
    cooling = factories.category("cooling", "空调")
    for category in (hardware, printer, jam, cooling):
        category.default_team = service_team
        category.save()
    needs(jam, "printer", 2)
    staff("anna", "Anna", service_team, seniority=2, skills={"printer": 4})
    staff("bo", "Bo", service_team, seniority=4, skills={"printer": 5})
    staff("chen", "Chen", service_team, seniority=5, skills={"printer": 1})
    KeywordRule.objects.create(name="卡纸", keywords="卡纸\npaper jam", category=jam, tags=["printer"])
    KeywordRule.objects.create(name="angry", keywords="投诉\n太差", sentiment="angry")
    vip = factories.CustomerFactory(tier=Tier.VIP, name="华东智造")
    return customer, other_customer, vip


def _arrivals(desk):
    customer, other, vip = desk
    return [
        (customer, "打印机卡纸", "三楼打印机一直卡纸，打不出来", {}),
        (customer, "打印机还是卡纸", "三楼打印机一直卡纸，打不出来", {}),
        (other, "空调不制冷", "空调吹热风，室外机不转", {}),
        (other, "空调还是不制冷", "空调吹热风，室外机不转，太差了", {}),
        (vip, "产线停机", "MES 宕机报警，整层楼的产线停了", {"fault_code": "E42"}),
        (customer, "发票问题", "请把发票寄到公司", {"priority_code": "P4"}),
        (other, "打印机卡纸 paper jam", "二楼打印机卡纸", {"assignee": None}),
    ]


def _create_all(desk, inline: bool) -> list[Ticket]:
    made = []
    with judgement.synchronously(inline):
        for n, (customer, subject, description, fields) in enumerate(_arrivals(desk)):
            with time_machine.travel(START + dt.timedelta(minutes=n), tick=False):
                made.append(factories.ticket_for(customer, subject=subject, description=description, **fields))
    return made


def _snapshot() -> dict:
    """Everything the judgement decides, keyed by subjects (ids differ between the two runs)."""
    tickets = Ticket.objects.select_related("priority", "category", "assignee", "team").order_by("pk")
    subject = {t.pk: t.subject for t in tickets}
    rows = {}
    for t in tickets:
        rows[t.subject] = {
            "priority": t.priority.code,
            "category": t.category.code if t.category_id else None,
            "tags": sorted(t.tags.values_list("name", flat=True)),
            "sentiment": t.sentiment,
            "assignee": t.assignee.username if t.assignee_id else None,
            "team": t.team.code if t.team_id else None,
            "pending": t.triage_pending,
            "due": (t.first_response_due_at, t.resolution_due_at),
            "events": [
                (e.event_type, e.old_value, e.new_value, e.body)
                for e in TicketEvent.objects.filter(ticket=t).order_by("pk")
            ],
        }
    return {
        "tickets": rows,
        "triage": sorted((subject[r.ticket_id], r.score, r.computed_priority) for r in TicketTriage.objects.all()),
        "classification": sorted(
            (subject[r.ticket_id], r.source, r.tags, r.sentiment, r.applied) for r in TicketClassification.objects.all()
        ),
        "duplicates": sorted(
            (subject[r.ticket_id], subject[r.original_id], round(r.probability, 9))
            for r in DuplicateSuspicion.objects.all()
        ),
        "proposals": sorted(
            (subject[r.master_id], subject[r.original_id], r.trigger, round(r.probability, 9))
            for r in MergeProposal.objects.all()
        ),
        "routing": sorted(
            (subject[r.ticket_id], r.kind, r.strategy, r.chosen.username if r.chosen_id else None)
            for r in RoutingDecision.objects.select_related("chosen")
        ),
        "held": sorted(subject[h.ticket_id] for h in HeldTicket.objects.all()),
    }


def test_the_workers_batch_judges_exactly_as_the_inline_path(desk):
    with transaction.atomic():
        _create_all(desk, inline=True)
        inline = _snapshot()
        transaction.set_rollback(True)

    made = _create_all(desk, inline=False)
    assert [t.triage_pending for t in Ticket.objects.order_by("pk")] == [True] * 7
    with time_machine.travel(START + dt.timedelta(minutes=7), tick=False):
        assert judgement.drain() == 7
    batched = _snapshot()

    assert batched == inline
    # The fixture exercises every step: duplicates, a proposal, a keyword category, routing, a hold-free P0.
    # Same request = same customer again within the window, text over the threshold; the other
    # customer's "打印机卡纸 paper jam" is the same problem at most, never a same-request duplicate.
    assert [pair[:2] for pair in inline["duplicates"]] == [
        ("打印机还是卡纸", "打印机卡纸"),
        ("空调还是不制冷", "空调不制冷"),
    ]
    assert len(inline["proposals"]) >= 1
    assert inline["tickets"]["空调还是不制冷"]["sentiment"] == "angry"
    assert inline["tickets"]["打印机卡纸"]["category"] == "printer-jam"
    assert inline["tickets"]["产线停机"]["priority"] == "P0"
    assert inline["tickets"]["发票问题"]["priority"] == "P4"
    assert {row[3] for row in inline["routing"]} >= {"anna", "bo"}
    assert [t.triaged_at for t in Ticket.objects.filter(pk__in=[m.pk for m in made])] == [
        START + dt.timedelta(minutes=7)
    ] * 7


def test_a_new_ticket_waits_pending_with_its_initial_priority_until_the_minute_sweep(desk):
    customer, _other, vip = desk
    with judgement.synchronously(False), time_machine.travel(START, tick=False):
        plain = factories.ticket_for(customer, subject="打印机卡纸", description="一直卡纸")
        alarm = factories.ticket_for(vip, subject="产线停机", description="MES 宕机，整层楼停了", fault_code="E42")
    assert (plain.triage_pending, plain.priority.code, plain.assignee_id, plain.triaged_at) == (True, "P2", None, None)
    assert (judgement.in_fast_lane(plain), judgement.in_fast_lane(alarm), alarm.priority.code) == (False, True, "P0")
    assert not TicketTriage.objects.exists() and not RoutingDecision.objects.exists()
    # The commit's kick is lost (a test never commits): the periodic sweep drains what is left.
    with time_machine.travel(START + dt.timedelta(seconds=40), tick=False):
        assert tasks.judge_pending_periodically.call_local() == 2
    plain.refresh_from_db()
    assert (plain.triage_pending, plain.category.code, plain.assignee.username) == (False, "printer-jam", "bo")
    assert plain.triaged_at - plain.created_at == dt.timedelta(seconds=40)
    assert TicketTriage.objects.count() == 2


def test_the_fast_lane_judges_only_its_own_ticket(desk):
    customer, _other, vip = desk
    with judgement.synchronously(False):
        plain = factories.ticket_for(customer, subject="打印机卡纸", description="一直卡纸")
        alarm = factories.ticket_for(vip, subject="产线停机", description="MES 宕机，整层楼停了", fault_code="E42")
    assert tasks.judge_now.call_local(alarm.pk) == 1
    assert tasks.judge_now.call_local(alarm.pk) == 0  # judged already: nothing to claim
    assert list(Ticket.objects.filter(triage_pending=True)) == [plain]


def test_a_ticket_whose_judgement_fails_does_not_hold_back_its_batch(desk, monkeypatch):
    customer, other, _vip = desk
    with judgement.synchronously(False):
        good = factories.ticket_for(customer, subject="打印机卡纸", description="一直卡纸")
        bad = factories.ticket_for(other, subject="空调不制冷", description="吹热风")
    bad_id = bad.pk

    def failing(tickets, hints):
        if any(t.pk == bad_id for t in tickets):
            raise RuntimeError("boom")

    monkeypatch.setattr(judgement, "_STEPS", [judgement.BatchStep(1, "failing", failing), *judgement._STEPS])
    assert judgement.judge_pending() == 2
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.triage_pending, good.assignee.username, good.triaged_at is not None) == (False, "bo", True)
    assert (bad.triage_pending, bad.triaged_at, bad.assignee_id) == (False, None, None)
    assert not TicketTriage.objects.filter(ticket=bad).exists()


def test_a_ticket_an_agent_took_while_it_waited_is_judged_but_not_routed_again(desk, agent_actor):
    from gongdan.tickets import services

    customer, *_ = desk
    with judgement.synchronously(False):
        ticket = factories.ticket_for(customer, subject="打印机卡纸", description="一直卡纸")
    services.assign(actor=agent_actor, ticket=ticket, assignee=agent_actor.user)
    judgement.drain()
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.category.code, ticket.triage_pending) == (agent_actor.user, "printer-jam", False)
    assert not RoutingDecision.objects.exists()


def test_the_create_request_answers_from_what_it_wrote(desk, client, lead):
    from gongdan.accounts.models import ApiToken  # noqa: F401  (the token model exists)

    customer, *_ = desk
    client.force_login(lead)
    payload = {"customer_id": customer.pk, "subject": "打印机卡纸", "description": "三楼打印机一直卡纸"}
    with judgement.synchronously(False), CaptureQueriesContext(connection) as queries:
        answer = client.post("/api/v1/tickets", payload, content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    reads_of_the_ticket = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "tickets_ticket"' in q["sql"]
    ]
    assert reads_of_the_ticket == []
    again = client.get(f"/api/v1/tickets/{body['number']}").json()
    assert body == again
    assert (body["priority"], body["assignee"], body["category"]) == ("P2", None, None)
