"""Pipeline steps: hooks, identity resolution, limits and quarantine, timings, context."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import CustomerIdentity
from gongdan.intake.constants import DeadLetterState, Outcome, Reason, Source
from gongdan.intake.message import Inbound, SenderIdentity
from gongdan.intake.models import DeadLetter, IntakePolicy, QuarantinedFile
from gongdan.intake.pipeline import hooks
from gongdan.intake.pipeline.runner import STEPS, ingest
from gongdan.intake.selectors import ticket_context
from gongdan.tickets.models import Ticket, TicketEvent
from gongdan.tickets.services import Upload
from tests import factories


def message(key: str, *, email: str = "wang@example.cn", phone: str = "", body: str = "空压机压力低", **fields):
    identities = [SenderIdentity(IdentityKind.EMAIL, email)] if email else []
    if phone:
        identities.append(SenderIdentity(IdentityKind.PHONE, phone))
    return Inbound(
        source=fields.pop("source", Source.API), external_key=key, identities=identities, body=body, **fields
    )


@pytest.fixture
def clean_hooks():
    saved = (list(hooks.TRIAGE_HOOKS), list(hooks.ROUTE_HOOKS))
    yield
    hooks.TRIAGE_HOOKS[:], hooks.ROUTE_HOOKS[:] = saved


def test_every_step_is_timed_and_recorded_with_the_ticket(db):
    result = ingest(message("k1"))

    assert result.outcome == Outcome.CREATED
    assert list(result.record.step_timings) == [name for name, _ in STEPS]
    assert all(isinstance(ms, float) and ms >= 0 for ms in result.record.step_timings.values())
    assert result.ticket.inbound_messages.get() == result.record
    assert (result.ticket.subject, result.ticket.description, result.ticket.language) == (
        "空压机压力低",
        "空压机压力低",
        "zh-hans",
    )


def test_triage_and_route_hooks_are_called_in_order(db, clean_hooks):
    seen = []

    @hooks.register_triage
    def urgent_if_stopped(ctx):
        seen.append(("triage", ctx.ticket))
        if "停线" in ctx.inbound.body:
            ctx.ticket_fields["priority_code"] = "P0"

    @hooks.register_route
    def record_route(ctx):
        seen.append(("route", ctx.ticket.number))

    result = ingest(message("k2", body="二号线停线了"))

    assert result.ticket.priority.code == "P0"
    assert seen == [("triage", None), ("route", result.ticket.number)]


def test_a_dedupe_hook_merges_a_duplicate_into_the_existing_ticket(db, clean_hooks):
    first = ingest(message("k3", body="二号线停线了")).ticket

    @hooks.register_triage
    def same_line_same_day(ctx):
        ctx.target, ctx.merged = first, True

    result = ingest(message("k4", email="zhao@example.cn", body="二号线又停了"))

    assert result.outcome == Outcome.MERGED
    assert Ticket.objects.count() == 1
    note = TicketEvent.objects.get(ticket=first, event_type="note")
    assert note.body == "zhao@example.cn 也报告了 / also reported:\n二号线又停了"
    assert note.is_public is False


def test_a_hook_that_refuses_sends_the_message_to_dead_letters(db, clean_hooks):
    from gongdan.intake.pipeline.context import Rejected

    @hooks.register_triage
    def refuse(ctx):
        raise Rejected(Reason.REJECTED, "spam score 0.99")

    result = ingest(message("k5", raw=b"raw-bytes"))

    assert result.dead_letter.detail == "spam score 0.99"
    assert bytes(result.dead_letter.raw) == b"raw-bytes"
    assert Ticket.objects.count() == 0


def test_identity_resolution_links_a_new_identity_to_the_known_customer(customer):
    result = ingest(message("k6", email="zhangsan@example.com", phone="+86 138 0000 1111"))

    assert result.ticket.customer == customer
    assert sorted(CustomerIdentity.objects.filter(customer=customer).values_list("kind", "value")) == [
        ("email", "zhangsan@example.com"),
        ("phone", "+8613800001111"),
    ]
    # The next call from that phone number is the same customer.
    assert ingest(message("k7", email="", phone="+86-138-0000-1111", source=Source.PHONE)).record.customer == customer


def test_a_message_with_no_usable_sender_is_a_dead_letter(db):
    result = ingest(message("k8", email="not-an-address"))

    assert (result.dead_letter.reason, result.outcome) == (Reason.NO_SENDER, Outcome.DEAD_LETTER)


def test_attachments_over_the_limits_are_quarantined_and_the_ticket_is_created(db):
    policy = IntakePolicy.current()
    policy.max_attachments, policy.max_attachment_bytes = 1, 10
    policy.save()
    files = [Upload("a.txt", b"1"), Upload("b.txt", b"2"), Upload("c.txt", b"x" * 11), Upload("d.exe", b"MZ")]

    result = ingest(message("k9", attachments=files))

    ticket = result.ticket
    assert result.outcome == Outcome.CREATED
    assert [a.filename for a in ticket.attachments.all()] == ["a.txt"]
    assert sorted((q.filename, q.reason, q.size) for q in QuarantinedFile.objects.filter(ticket=ticket)) == [
        ("b.txt", "count", 1),
        ("c.txt", "size", 11),
        ("d.exe", "type", 2),
    ]
    note = ticket.events.get(event_type="note")
    assert note.body.splitlines()[1:] == [
        "- b.txt (1 bytes): 文件过多 / too many files",
        "- c.txt (11 bytes): 文件过大 / file too large",
        "- d.exe (2 bytes): 文件类型不允许 / file type not allowed",
    ]
    assert note.is_public is False
    assert QuarantinedFile.objects.get(filename="d.exe").file.read() == b"MZ"


def test_a_flooding_sender_is_quarantined_not_lost(db):
    policy = IntakePolicy.current()
    policy.rate_per_sender, policy.known_sender_factor = 2, 1
    policy.save()

    results = [ingest(message(f"flood-{i}", body=f"第{i}条")) for i in range(4)]

    assert [r.outcome for r in results] == ["created", "created", "dead_letter", "dead_letter"]
    letters = DeadLetter.objects.order_by("id")
    assert [(x.reason, x.state) for x in letters] == [(Reason.RATE_LIMITED, DeadLetterState.QUARANTINED)] * 2
    assert letters[0].detail == "wang@example.cn sent 3 messages within 10 minutes"


def test_a_known_customer_has_a_wider_limit_and_an_hourly_ceiling_applies_to_strangers(db):
    policy = IntakePolicy.current()
    policy.rate_per_sender, policy.rate_per_sender_hour, policy.known_sender_factor = 100, 3, 3
    policy.save()
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    outcomes = {}
    for sender in ("busy@example.com", "stranger@example.com"):
        if sender == "busy@example.com":
            with time_machine.travel(start - timedelta(days=2), tick=False):
                ingest(message("old-ticket", email=sender))
        for i in range(10):
            with time_machine.travel(start + timedelta(minutes=5 * i), tick=False):
                outcomes.setdefault(sender, []).append(ingest(message(f"{sender}-{i}", email=sender)).outcome)

    assert outcomes["busy@example.com"] == ["created"] * 9 + ["dead_letter"]
    assert outcomes["stranger@example.com"] == ["created"] * 3 + ["dead_letter"] * 7
    assert (
        DeadLetter.objects.get(sender="busy@example.com").detail == "busy@example.com sent 10 messages within an hour"
    )


def test_context_shows_history_devices_and_previous_conversation(customer, agent):
    from gongdan.customers.models import Device

    Device.objects.create(customer=customer, serial_number="SN-9", model="GD-300")
    older = factories.ticket_for(customer, subject="旧问题")
    ingest(message("k11", email="zhangsan@example.com", body="上次的对话"))
    new = ingest(message("k12", email="zhangsan@example.com", body="新的问题", source=Source.EMAIL)).ticket

    context = ticket_context(new, agent)

    assert context["customer"]["name"] == customer.name
    assert [t["number"] for t in context["open_tickets"]][-1] == older.number
    assert context["devices"] == [{"serial_number": "SN-9", "model": "GD-300", "location": ""}]
    assert [m["body"] for m in context["previous_conversation"]] == ["上次的对话"]


def test_a_redelivered_dead_letter_stays_one_dead_letter_until_an_admin_replays_it(admin_user):
    from gongdan.core.context import Actor, Channel
    from gongdan.intake import deadletters

    policy = IntakePolicy.current()
    policy.max_message_bytes = 5
    policy.save()
    refused = ingest(message("k13", body="长长的一段描述", raw=b'{"id": "k13"}'))
    redelivered = ingest(message("k13", body="长长的一段描述"))
    policy.max_message_bytes = 5000
    policy.save()
    admin = Actor(user=admin_user, channel=Channel.ADMIN)

    # Raw b'{"id": "k13"}' has no sender: the replay fails again and says why.
    replay = deadletters.replay(actor=admin, letter=refused.dead_letter)

    assert refused.dead_letter.reason == Reason.TOO_LARGE
    assert (redelivered.duplicate, redelivered.outcome) == (True, "dead_letter")
    assert DeadLetter.objects.count() == 1
    assert replay.dead_letter.detail == "The message carries no usable sender identity."
    assert replay.dead_letter.attempts == 1
    assert Ticket.objects.count() == 0
