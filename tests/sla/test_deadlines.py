"""Deadlines computed and stored on the ticket: targets, calendars, pauses, VIP, customer time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

from gongdan.core.context import Actor, Channel
from gongdan.customers.constants import Tier
from gongdan.sla.models import SlaPolicy, TicketSla
from gongdan.tickets import services
from gongdan.tickets.constants import SlaStatus
from tests import factories
from tests.sla.conftest import at


def test_a_p2_ticket_gets_business_hour_deadlines_and_one_next_check(customer, travel):
    travel(at(2026, 11, 18, 10))  # a Wednesday
    ticket = factories.ticket_for(customer, priority_code="P2")

    assert ticket.first_response_due_at == at(2026, 11, 18, 12)
    assert ticket.next_response_due_at is None
    assert ticket.resolution_due_at == at(2026, 11, 20, 16)  # 24 working hours of 9:00–18:00
    assert ticket.sla_next_check_at == at(2026, 11, 18, 11, 30)  # the 75 % warning of the first response
    assert ticket.sla_status == SlaStatus.ON_TRACK
    assert TicketSla.objects.get(ticket=ticket).policy.name_en == "P2 normal"


def test_a_p0_ticket_runs_round_the_clock(customer, travel):
    travel(at(2026, 11, 21, 23))  # Saturday night
    ticket = factories.ticket_for(customer, priority_code="P0")

    assert ticket.first_response_due_at == at(2026, 11, 21, 23, 15)
    assert ticket.resolution_due_at == at(2026, 11, 22, 3)


def test_public_holidays_are_not_working_time(customer, travel):
    travel(at(2026, 9, 30, 17))  # the eve of the National Day week (10-01 … 10-07)
    ticket = factories.ticket_for(customer, priority_code="P2")

    assert ticket.first_response_due_at == at(2026, 10, 8, 10)


def test_a_make_up_saturday_is_a_working_day(customer, travel):
    travel(at(2026, 10, 9, 17))  # Friday; Saturday 2026-10-10 is an official 调休 working day
    ticket = factories.ticket_for(customer, priority_code="P2")

    assert ticket.first_response_due_at == at(2026, 10, 10, 10)


def test_a_first_response_in_time_is_met_and_its_deadline_frozen(customer, agent_actor, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    travel(at(2026, 11, 18, 11))
    services.add_reply(actor=agent_actor, ticket=ticket, body="请在登录页点击“重新发送验证码”，并检查短信拦截。")
    travel(at(2026, 11, 18, 14))
    services.change_status(actor=agent_actor, ticket=ticket, status="pending-customer", summary="等待客户验证")
    ticket.refresh_from_db()

    assert TicketSla.objects.get(ticket=ticket).first_response_outcome == "met"
    assert ticket.first_response_due_at == at(2026, 11, 18, 12)
    assert ticket.sla_status == SlaStatus.PAUSED


def test_an_acknowledgement_does_not_stop_the_first_response_clock(customer, agent_actor, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    travel(at(2026, 11, 18, 10, 5))
    services.add_reply(actor=agent_actor, ticket=ticket, body="收到")
    ticket.refresh_from_db()

    assert ticket.first_response_at is None
    assert ticket.sla_next_check_at == at(2026, 11, 18, 11, 30)
    assert TicketSla.objects.get(ticket=ticket).first_response_outcome == ""


def test_pending_on_the_customer_pauses_the_clock_and_the_reply_resumes_it(
    customer, customer_actor, agent_actor, travel
):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    travel(at(2026, 11, 18, 10, 30))
    services.change_status(actor=agent_actor, ticket=ticket, status="pending-customer", summary="请客户提供截图")
    ticket.refresh_from_db()
    assert (ticket.sla_status, ticket.sla_next_check_at) == (SlaStatus.PAUSED, None)

    travel(at(2026, 11, 19, 10, 30))  # nine working hours later
    services.add_reply(actor=customer_actor, ticket=ticket, body="截图已上传")
    ticket.refresh_from_db()

    assert ticket.status.kind == "open"
    assert ticket.first_response_due_at == at(2026, 11, 19, 12)  # 1.5 h were left
    assert ticket.resolution_due_at == at(2026, 11, 23, 16)  # Friday 16:00 pushed by 9 paused working hours
    assert TicketSla.objects.get(ticket=ticket).paused_total == dt.timedelta(hours=9)
    assert (ticket.sla_status, ticket.sla_next_check_at) == (SlaStatus.ON_TRACK, at(2026, 11, 19, 11, 30))


def test_pending_on_a_third_party_does_not_pause_by_default(customer, agent_actor, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    travel(at(2026, 11, 18, 10, 30))
    services.change_status(actor=agent_actor, ticket=ticket, status="pending-third-party", summary="等待物流回复")
    ticket.refresh_from_db()

    assert ticket.sla_status == SlaStatus.ON_TRACK
    assert ticket.first_response_due_at == at(2026, 11, 18, 12)


def test_resolving_stops_the_resolution_clock_and_reopening_resumes_it(customer, agent_actor, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P2")
    travel(at(2026, 11, 18, 11))
    services.add_reply(actor=agent_actor, ticket=ticket, body="已为您重置验证码通道，请再试一次。")
    services.change_status(actor=agent_actor, ticket=ticket, status="resolved", summary="重置验证码通道")
    ticket.refresh_from_db()
    assert ticket.sla_status == SlaStatus.MET
    assert TicketSla.objects.get(ticket=ticket).resolution_outcome == "met"

    travel(at(2026, 11, 19, 11))  # nine working hours later the customer says it is not solved
    services.reopen(actor=agent_actor, ticket=ticket, reason="客户反馈仍收不到")
    ticket.refresh_from_db()

    assert TicketSla.objects.get(ticket=ticket).resolution_outcome == ""
    assert ticket.resolution_due_at == at(2026, 11, 23, 16)  # Friday 16:00 + 9 working hours


def test_a_vip_gets_the_fifteen_minute_green_channel_round_the_clock(db, travel):
    vip = factories.customer_with_login("vip_wang", tier=Tier.VIP)
    travel(at(2026, 11, 20, 19))  # Friday evening, outside business hours
    ticket = factories.ticket_for(vip, priority_code="P3")

    assert ticket.first_response_due_at == at(2026, 11, 20, 19, 15)
    assert ticket.resolution_due_at == at(2026, 11, 30, 12)  # the P3 policy's 48 working hours


def test_the_clock_can_start_in_the_customers_business_hours(db, travel):
    SlaPolicy.objects.filter(name_en="P2 normal").update(customer_timezone_first=True)
    emily = factories.customer_with_login("emily", timezone="Europe/London", language="en")
    travel(at(2026, 11, 18, 10))  # 02:00 in London
    ticket = factories.ticket_for(emily, priority_code="P2")

    london_nine = dt.datetime(2026, 11, 18, 9, tzinfo=ZoneInfo("Europe/London"))
    assert TicketSla.objects.get(ticket=ticket).clock_start_at == london_nine  # 17:00 in Shanghai
    assert ticket.first_response_due_at == at(2026, 11, 19, 10)  # 1 h on Wednesday, 1 h on Thursday


def test_policies_match_by_category_customer_tier_and_channel(db, travel):
    payment = factories.category("payment-failed", "支付失败")
    special = SlaPolicy.objects.create(
        name_zh="金牌支付", name_en="Gold payments", order=1, first_response_minutes=10, customer_tiers=["gold"],
        channels=[Channel.EMAIL],
    )  # fmt: skip
    special.categories.add(payment)
    gold = factories.customer_with_login("gold_li", tier=Tier.GOLD)
    travel(at(2026, 11, 18, 10))
    by_email = Actor(channel=Channel.EMAIL)
    matching = factories.ticket_for(gold, category=payment, priority_code="P2", actor=by_email)
    other_channel = factories.ticket_for(gold, category=payment, priority_code="P2")

    assert TicketSla.objects.get(ticket=matching).policy == special
    assert matching.first_response_due_at == at(2026, 11, 18, 10, 10)
    assert matching.resolution_due_at is None
    assert TicketSla.objects.get(ticket=other_channel).policy.name_en == "P2 normal"


def test_a_priority_change_recomputes_the_deadlines(customer, agent_actor, travel):
    travel(at(2026, 11, 18, 10))
    ticket = factories.ticket_for(customer, priority_code="P3")
    travel(at(2026, 11, 18, 10, 5))
    services.set_priority(actor=agent_actor, ticket=ticket, code="P0", reason="全线停产")
    ticket.refresh_from_db()

    assert ticket.first_response_due_at == at(2026, 11, 18, 10, 15)
    assert TicketSla.objects.get(ticket=ticket).policy.name_en == "P0 critical"
