"""Loading the demo desk gives exactly the same desk every time: the plan is seeded and relative to
the load day, and every ticket goes through the services. The demo is loaded once for this module.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test.utils import override_settings

from gongdan.accounts.models import Shift, User, UserSkill
from gongdan.customers.models import Customer
from gongdan.demo import builder, catalogue, kinds, planner
from gongdan.routing.models import CategorySkill, Dispatch, RoutingDecision, RoutingPolicy, TeamRouting
from gongdan.sla.models import SlaSignal
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import Category, ExternalReference, Ticket, TicketEvent, TicketLink
from gongdan.triage.models import (
    BusinessWindow,
    ClassifierModel,
    KeywordRule,
    MergeProposal,
    MergeProvenance,
    RecurrenceRecord,
    TicketTriage,
)
from gongdan.triage.scoring import ab_group

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        summary = builder.build()
        yield summary
        transaction.set_rollback(True)


def _by(queryset, field):
    return dict(queryset.values_list(field).annotate(n=Count("id")).order_by())


def test_the_demo_has_300_tickets_created_over_the_last_60_days_and_nothing_in_the_future(demo):
    start, end = demo.window
    assert Ticket.objects.count() == 300
    assert not Ticket.objects.filter(Q(created_at__lt=start) | Q(created_at__gt=end)).exists()
    assert not TicketEvent.objects.filter(created_at__gt=end).exists()
    assert len({t.date() for t in Ticket.objects.values_list("created_at", flat=True)}) >= 55


def test_tickets_stand_in_every_stage_of_the_lifecycle_in_exact_numbers(demo):
    assert _by(Ticket.objects, "status__key") == {
        "new": 5,
        "open": 9,
        "pending-customer": 11,
        "pending-third-party": 4,
        "on-hold": 3,
        "resolved": 11,
        "closed": 240,
        "merged": 17,
    }


def test_closed_tickets_were_confirmed_with_a_rating_auto_closed_or_closed_by_an_agent(demo):
    assert _by(Ticket.objects.exclude(closure_kind=""), "closure_kind") == {
        "customer_confirmed": 174,
        "auto_closed": 43,
        "agent_closed": 23,
    }
    assert not Ticket.objects.filter(closure_kind="customer_confirmed", rating__isnull=True).exists()
    assert _by(Ticket.objects.filter(rating__isnull=False), "rating") == {1: 8, 2: 8, 3: 14, 4: 52, 5: 92}
    auto_closed = TicketEvent.objects.filter(event_type=EventType.AUTO_CLOSED)
    assert auto_closed.count() == 43
    assert not auto_closed.filter(Q(actor__isnull=False) | Q(actor_customer__isnull=False)).exists()


def test_priorities_p0_to_p4_and_every_channel_are_used(demo):
    assert _by(Ticket.objects, "priority__code") == {"P0": 18, "P1": 89, "P2": 116, "P3": 57, "P4": 20}
    assert _by(Ticket.objects, "channel") == {"api": 2, "email": 97, "im": 61, "phone": 71, "portal": 11, "web": 58}


def test_at_least_30_request_kinds_hang_in_a_three_level_category_tree(demo):
    assert Category.objects.filter(depth=3).count() == 44
    assert Category.objects.filter(depth__gt=3).count() == 0
    assert str(Category.objects.get(code="login-no-code")) == "故障类 > 登录问题 > 收不到验证码"
    assert str(Category.objects.get(code="printer-paper-jam")) == "硬件 > 打印设备 > 打印机卡纸"
    frontend = set(Category.objects.filter(parent__code="frontend").values_list("name_zh", flat=True))
    assert frontend == {"无法登录", "页面白屏", "验证码不发送"}
    assert Ticket.objects.values("category").distinct().count() == 44


def test_all_five_roles_are_present_with_skills_and_shifts(demo):
    assert _by(User.objects, "role") == {"admin": 1, "lead": 3, "agent": 8, "department": 9, "customer": 3}
    assert User.objects.get(username="admin").is_superuser
    assert UserSkill.objects.count() == 58
    assert Shift.objects.count() == 79
    assert [s.is_overnight for s in Shift.objects.filter(user__username="agent_huang")] == [True] * 5


def test_a_vip_customer_has_devices_identities_and_an_organization(demo):
    customer = Customer.objects.get(name="张伟")
    assert customer.is_vip
    assert customer.organization.name == "华东智造科技有限公司"
    assert customer.user.username == "zhangwei"
    assert sorted(customer.identities.values_list("kind", "value")) == [
        ("crm", "CRM-100231"),
        ("email", "zhang.wei@hdzz.example.cn"),
        ("phone", "+8613812345678"),
        ("wecom", "ZhangWei"),
    ]
    assert set(customer.devices.values_list("serial_number", flat=True)) == {
        "CNB3K12345",
        "DL-U2723-7F3K2",
        "HW-AR6120-0091",
    }


# SLA events depend on weekends and holidays in the window, hence on the load day: counted apart.
SLA_EVENTS = [
    EventType.P0_ALERT,
    EventType.SLA_WARNING,
    EventType.SLA_BREACHED,
    EventType.ESCALATED,
    EventType.STAGNANT,
    EventType.P0_BREAKER,
]


def test_events_name_an_individual_actor_except_for_system_routing_alarms_and_auto_close(demo):
    desk_events = TicketEvent.objects.exclude(event_type__in=SLA_EVENTS)
    # 3538 replayed + 63 recurrence links (triage.merging) + 2 dispatch notes when routing goes live
    # + 4 moves of tickets into their manual team's queue (routing, issue 17 defect 2)
    assert desk_events.count() == 3607
    assert TicketEvent.objects.filter(is_effective=True).count() == 1481
    anonymous = desk_events.filter(actor__isnull=True, actor_customer__isnull=True)
    # The system links recurrences (triage.merging).
    assert _by(anonymous, "event_type") == {"assigned": 83, "auto_closed": 43, "created": 2, "linked": 63}
    assert set(anonymous.filter(event_type=EventType.CREATED).values_list("channel", flat=True)) == {"api"}
    assert not TicketEvent.objects.filter(actor__role="agent", ip__isnull=True).exists()


def test_the_sla_engine_ran_through_the_demo_history(demo):
    fired = set(SlaSignal.objects.values_list("kind", flat=True))
    assert {"p0_alert", "warning", "breach", "escalation"} <= fired
    sla_events = TicketEvent.objects.filter(event_type__in=SLA_EVENTS)
    assert not sla_events.exclude(actor__isnull=True, actor_customer__isnull=True, is_effective=False).exists()
    assert SlaSignal.objects.count() == sla_events.count()
    assert Ticket.objects.exclude(first_response_due_at=None).count() == Ticket.objects.count()
    escalated = SlaSignal.objects.filter(kind="escalation").exclude(recipients=[])
    assert escalated.exists()


def test_acknowledgement_only_replies_are_kept_but_never_count_as_a_response(demo):
    acks = TicketEvent.objects.filter(
        event_type=EventType.REPLY, actor__isnull=False, body__in=["收到", "已收到", "好的", "Received", "OK", "Got it"]
    )
    assert acks.count() == 28
    assert not acks.filter(Q(is_effective=True) | Q(counts_as_first_response=True)).exists()
    answered_later = [a for a in acks if a.ticket.first_response_at and a.ticket.first_response_at > a.created_at]
    still_waiting = [a for a in acks if a.ticket.first_response_at is None]
    assert (len(answered_later), len(still_waiting)) == (27, 1)


def test_departments_field_engineers_and_external_systems_take_part(demo):
    notes = TicketEvent.objects.filter(event_type=EventType.NOTE)
    assert notes.count() == 510  # 508 replayed + 2 dispatch notes
    assert notes.filter(actor__role="department").count() == 172
    assert not notes.filter(is_effective=True, summary="").exists()
    assert Ticket.objects.filter(engineer__isnull=False).exclude(materials=[]).exists()
    assert _by(ExternalReference.objects, "system") == {"approval": 22, "crm": 170, "erp_po": 3, "wms_shipment": 22}


def test_duplicates_are_merged_into_their_master_and_recurrences_link_to_the_earlier_ticket(demo):
    merged = Ticket.objects.filter(status__key="merged")
    assert merged.count() == 17
    assert not merged.filter(merged_into__isnull=True).exists()
    assert all(t.customer_id == t.merged_into.customer_id for t in merged.select_related("merged_into"))
    # The four planned recurrences and every other return of a customer within 30 days of a close.
    assert _by(TicketLink.objects, "kind") == {"recurrence_of": 63}
    assert _by(RecurrenceRecord.objects, "earlier_closure_kind") == {
        "agent_closed": 6,
        "auto_closed": 8,
        "customer_confirmed": 49,
    }
    assert MergeProvenance.objects.filter(undone_at__isnull=True).count() == 17
    assert _by(MergeProposal.objects, "state") == {"confirmed": 17, "pending": 16}


def test_routing_goes_live_after_the_replay_and_the_open_field_jobs_are_dispatched(demo):
    strategies = dict(TeamRouting.objects.values_list("team__code", "strategy"))
    assert strategies == {
        "kefu-1": "best_match",
        "kefu-2": "round_robin",
        "tech-support": "manual",
        "field-service": "manual",
    }
    assert RoutingPolicy.current().default_strategy == "best_match"
    assert CategorySkill.objects.count() == 44
    assert User.objects.get(username="agent_zhou").seniority == 4
    jobs = list(Dispatch.objects.select_related("ticket").order_by("ticket_id"))
    # At 23:59 no field shift runs: the lead decides, seeing who is nearest.
    assert [(job.engineer_id, job.fallback_used) for job in jobs] == [(None, True), (None, True)]
    decisions = RoutingDecision.objects.filter(kind="dispatched").order_by("ticket_id")
    assert [d.explanation for d in decisions] == [
        "range=50 km, fallback=lead_queue\n1. 林峰: 1057.8 km (off)\n2. 马建军: 1206.2 km (off)\n"
        "no engineer chosen: left to the field team lead",
        "range=50 km, fallback=lead_queue\n1. 胡斌: 9.5 km (off)\nno engineer chosen: left to the field team lead",
    ]


def test_loading_twice_adds_nothing(demo):
    before = (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert builder.build().loaded is False
    assert (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count()) == before


def test_the_logins_name_every_role_in_both_languages():
    out = StringIO()
    call_command("load_demo", "--logins", stdout=out)
    text = out.getvalue()
    for label in ("管理员 / Administrator", "客服坐席 / Agent", "部门人员 / Department staff", "客户 / Customer"):
        assert label in text
    assert "gongdan-admin" in text
    assert "zhangwei (VIP)" in text


def test_the_plan_is_pure_and_seeded():
    first, second = planner.plan(), planner.plan()
    assert first == second
    assert sum(1 for step in first if step.action == "create") == planner.TICKET_COUNT


def test_every_summary_in_the_catalogue_fits_the_timeline_headline():
    summaries = [kind.fix[0] for kind in kinds.KINDS]
    summaries += [kind.dept_note[0] for kind in kinds.KINDS if kind.dept_note]
    summaries += [summary for summary, _ in catalogue.AGENT_NOTES + catalogue.AGENT_NOTES_EN]
    summaries += [summary for summary, _ in catalogue.DEPARTMENT_HANDOFF.values()]
    assert [s for s in summaries if not 0 < len(s) <= 20] == []


def test_triage_scored_every_ticket_and_the_classifier_is_trained(demo):
    window = BusinessWindow.objects.get()
    assert (window.ends_on - window.starts_on).days == 2 and window.category_overrides == {"pay-failed": "P0"}
    assert TicketTriage.objects.filter(explicit_priority=True).count() == 300
    promoted = TicketTriage.objects.filter(breakdown__override__window=window.name)
    assert _by(promoted, "computed_priority") == {"P0": 11}
    assert set(TicketTriage.objects.values_list("computed_priority", flat=True)) == {"P0", "P1", "P2", "P3", "P4"}
    # Groups follow the ticket id (ids differ between databases), version 1 scoring group B.
    groups = TicketTriage.objects.values_list("ticket_id", "ab_group", "rule_set_version")
    assert all(group == ab_group(pk, 10) and version == (1 if group == "B" else 2) for pk, group, version in groups)
    assert set(TicketTriage.objects.values_list("ab_group", flat=True)) == {"A", "B"}
    model = ClassifierModel.objects.get()
    assert (model.version, model.sample_count, model.metrics["categories"], model.metrics["sentiment"]) == (
        1,
        283,
        42,
        True,
    )
    assert KeywordRule.objects.count() == 4
