"""Email intake against a real IMAP server (Debian dovecot-imapd): charsets, bad mail, re-polls."""

import pytest

from gongdan.intake.adapters import imap
from gongdan.intake.constants import Outcome, Reason
from gongdan.intake.models import DeadLetter, InboundMessage, Mailbox
from gongdan.tickets.models import Attachment, Ticket
from tests.intake.conftest import append
from tests.intake.mails import BROKEN, mail, multipart_with_attachment

GBK_TEXT = "您好，朱镕基大厦的打印机喆型号卡纸了。"  # 镕 and 喆 are GBK, not GB2312


@pytest.fixture
def inbox(imap_account):
    append(
        imap_account,
        mail(
            sender="王芳 <wangfang@example.cn>",
            subject="打印机卡纸",
            body=GBK_TEXT,
            charset="gbk",
            declared="gb2312",
            message_id="<gbk-1@example.cn>",
        ),
        BROKEN,
        mail(
            sender="chen@example.tw",
            subject="印表機無法列印",
            body="印表機無法列印，請協助。",
            charset="big5",
            message_id="<big5-1@example.tw>",
        ),
        mail(
            sender="tanaka@example.jp",
            subject="プリンターが動きません",
            body="プリンターが動きません。",
            charset="iso-2022-jp",
            message_id="<jp-1@example.jp>",
        ),
        multipart_with_attachment(sender="li@example.cn", message_id="<mp-1@example.cn>"),
    )
    return imap_account


def test_poll_ingests_every_mail_and_a_broken_one_becomes_a_dead_letter(inbox):
    report = imap.poll(inbox)

    assert report.fetched == 5
    assert report.dead_letters == 1
    letter = DeadLetter.objects.get()
    assert letter.reason == Reason.NO_SENDER
    assert bytes(letter.raw).startswith(b"Subject: no sender here")
    assert letter.meta == {"mailbox": inbox.name, "uid": 2, "uid_validity": inbox.uid_validity}
    tickets = {t.customer.identities.get().value: t for t in Ticket.objects.all()}
    assert sorted(tickets) == ["chen@example.tw", "li@example.cn", "tanaka@example.jp", "wangfang@example.cn"]
    assert tickets["wangfang@example.cn"].subject == "打印机卡纸"
    assert tickets["wangfang@example.cn"].description == GBK_TEXT
    assert tickets["wangfang@example.cn"].customer.name == "王芳"
    assert tickets["chen@example.tw"].description == "印表機無法列印，請協助。"
    assert tickets["tanaka@example.jp"].subject == "プリンターが動きません"
    assert tickets["tanaka@example.jp"].description == "プリンターが動きません。"
    assert tickets["tanaka@example.jp"].channel == "email"
    # Mails after the broken one were all ingested and the mailbox moved past it.
    assert Mailbox.objects.get(pk=inbox.pk).last_uid == 5


def test_html_is_sanitised_and_inline_images_and_attachments_are_kept(inbox):
    imap.poll(inbox)

    ticket = Ticket.objects.get(customer__identities__value="li@example.cn")
    assert ticket.subject == "打印机卡纸（附截图）"
    assert ticket.description == "打印机卡纸"
    record = InboundMessage.objects.get(ticket=ticket)
    assert record.html == "<p>打印机<b>卡纸</b></p><img>"
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("filename", "size")) == [
        ("part-4.png", 24),
        ("report.pdf", 20),
    ]


def test_re_polling_the_same_mails_yields_no_second_ticket(inbox):
    imap.poll(inbox)
    assert imap.poll(inbox).fetched == 0
    # The server renumbered the folder (UIDVALIDITY changed): everything is fetched again.
    Mailbox.objects.filter(pk=inbox.pk).update(uid_validity=1, last_uid=0)
    inbox.refresh_from_db()

    report = imap.poll(inbox)

    assert report.reset is True
    assert report.fetched == 5
    assert [r.duplicate for r in report.results if r.record] == [True, True, True, True]
    assert Ticket.objects.count() == 4
    assert DeadLetter.objects.count() == 1
    assert InboundMessage.objects.filter(outcome=Outcome.CREATED).count() == 4


def test_a_down_server_is_recorded_and_probed_unhealthy(db):
    from gongdan.intake.models import ChannelHealth

    Mailbox.objects.create(name="down", host="127.0.0.1", port=1, security="none", username="x", password="y")

    assert imap.poll_all() == 0

    mailbox = Mailbox.objects.get(name="down")
    assert mailbox.last_error.startswith("ConnectionRefusedError")
    health = ChannelHealth.objects.get(source="email")
    assert health.probe_ok is False
    assert health.probe_error.startswith("down: ")
