"""Mail threading end to end: IMAP in (dovecot), SMTP out (aiosmtpd), replies, hijack, auto-replies."""

import pytest

from gongdan.automation import services as outbox
from gongdan.core.context import Actor, Channel
from gongdan.intake.adapters import imap, loopsign
from gongdan.intake.constants import Outcome, Reason
from gongdan.intake.models import DeadLetter, HeldMessage, InboundMessage
from gongdan.tickets import services
from gongdan.tickets.models import Ticket, TicketEvent
from tests.intake.conftest import append
from tests.intake.mails import mail

REPLY = (
    "新的情况：换了硒鼓也不行。\n\n"
    "在 2026年11月23日 10:05，Gongdan 工单 <support@gongdan.local> 写道：\n"
    "> 您的请求已登记为 GD-000001。\n"
)


@pytest.fixture
def first_mail(imap_account, customer, smtp_server):
    append(
        imap_account,
        mail(
            sender="张三 <zhangsan@example.com>",
            subject="打印机卡纸",
            body="三楼打印机卡纸。",
            message_id="<c1@example.com>",
        ),
    )
    imap.poll(imap_account)
    outbox.deliver_due()
    return smtp_server.messages[-1][1]


def test_the_acknowledgement_is_threaded_in_the_customers_language(first_mail, customer):
    ticket = Ticket.objects.get()
    assert ticket.customer == customer
    assert str(first_mail["Subject"]).strip() == f"[{ticket.number}] 我们已收到您的请求：打印机卡纸"
    assert first_mail["In-Reply-To"] == "<c1@example.com>"
    assert first_mail["References"] == "<c1@example.com>"
    assert first_mail["Message-ID"].startswith(f"<gd-{ticket.number.lower()}-")
    assert first_mail["Auto-Submitted"] == "auto-replied"


def test_a_reply_threads_onto_the_ticket_and_the_desk_answer_threads_back(first_mail, imap_account, agent, smtp_server):
    ack_id = first_mail["Message-ID"]
    number = Ticket.objects.get().number
    append(
        imap_account,
        mail(
            sender="zhangsan@example.com",
            subject=f"回复: [{number}] 我们已收到您的请求：打印机卡纸",
            body=REPLY,
            message_id="<c2@example.com>",
            headers={"In-Reply-To": ack_id, "References": f"<c1@example.com> {ack_id}"},
        ),
    )
    imap.poll(imap_account)
    ticket = Ticket.objects.get()
    reply = TicketEvent.objects.get(ticket=ticket, event_type="reply")
    assert reply.body == "新的情况：换了硒鼓也不行。"
    assert InboundMessage.objects.get(message_id="<c2@example.com>").outcome == Outcome.FOLLOW_UP

    services.add_reply(
        actor=Actor(user=agent, channel=Channel.WEB), ticket=ticket, body="已安排工程师下午上门更换定影器。"
    )
    outbox.deliver_due()

    answer = smtp_server.messages[-1][1]
    assert answer["In-Reply-To"] == "<c2@example.com>"
    assert answer["References"].split() == ["<c1@example.com>", ack_id, "<c2@example.com>"]
    assert str(answer["Subject"]).strip().startswith(f"[{number}]")


def test_a_stranger_replying_to_the_thread_is_held_on_the_ticket_not_added(first_mail, imap_account, other_customer):
    original = Ticket.objects.get()
    append(
        imap_account,
        mail(
            sender="lisi@example.com",
            subject=f"Re: [{original.number}] 我们已收到您的请求：打印机卡纸",
            body="请把这个工单关掉。",
            message_id="<h1@example.com>",
            headers={"In-Reply-To": first_mail["Message-ID"]},
        ),
    )
    imap.poll(imap_account)

    assert not TicketEvent.objects.filter(ticket=original, event_type="reply").exists()
    assert Ticket.objects.count() == 1
    record = InboundMessage.objects.get(message_id="<h1@example.com>")
    assert (record.outcome, record.ticket) == (Outcome.HELD, original)
    held = HeldMessage.objects.get()
    assert (held.ticket, held.sender, held.body, held.state) == (
        original,
        "lisi@example.com",
        "请把这个工单关掉。",
        "held",
    )
    note = TicketEvent.objects.get(ticket=original, event_type="note")
    assert note.is_public is False
    assert note.body.startswith(f"待确认的来信 / Held message #{held.pk} from lisi@example.com (")


def test_auto_replies_bounces_and_our_own_mail_become_dead_letters(imap_account, customer):
    append(
        imap_account,
        mail(
            sender="zhangsan@example.com",
            subject="自动回复：休假中",
            body="我休假到周一。",
            message_id="<a1@example.com>",
            headers={"Auto-Submitted": "auto-replied"},
        ),
        mail(
            sender="MAILER-DAEMON@mx.example.com",
            subject="Undelivered Mail Returned to Sender",
            body="550 user unknown",
            message_id="<b1@mx.example.com>",
        ),
        mail(
            sender="Gongdan 工单 <support@gongdan.local>",
            subject="[GD-000009] 状态更新",
            body="loop",
            message_id="<gd-gd-000009-7@gongdan.local>",
            headers={"X-Gongdan-Ticket": "GD-000009", "X-Gongdan-Signature": loopsign.sign("GD-000009", 7)},
        ),
        # A look-alike of our headers without our signature is an ordinary customer mail.
        mail(
            sender="zhangsan@example.com",
            subject="真正的问题",
            body="扫码枪没反应。",
            message_id="<gd-gd-000009-8@gongdan.local>",
            headers={"X-Gongdan-Ticket": "GD-000009", "X-Gongdan-Signature": "8.0123456789abcdef0123456789abcdef"},
        ),
    )

    report = imap.poll(imap_account)

    assert report.dead_letters == 3
    assert sorted(DeadLetter.objects.values_list("reason", flat=True)) == [
        Reason.AUTO_REPLY,
        Reason.AUTO_REPLY,
        Reason.LOOP,
    ]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["真正的问题"]


def test_an_english_customer_gets_the_acknowledgement_in_english(imap_account, db, smtp_server):
    from tests import factories

    factories.customer_with_login("amy", email="amy@example.com", language="en")
    append(
        imap_account,
        mail(
            sender="amy@example.com",
            subject="Scanner offline",
            body="The scanner is offline.",
            message_id="<e1@example.com>",
        ),
    )

    imap.poll(imap_account)
    outbox.deliver_due()

    assert (
        str(smtp_server.messages[-1][1]["Subject"]).strip()
        == f"[{Ticket.objects.get().number}] We received your request: Scanner offline"
    )
