"""Who wrote a mail (issue 13.1, issue 14.4): the parsed From address, held replies from strangers,
SPF/DKIM/DMARC shown and optionally required per mailbox, acknowledgements to the parsed address."""

import base64

import pytest

from gongdan.automation.models import OutboxMessage
from gongdan.intake.adapters import imap
from gongdan.intake.constants import HeldState, Outcome, Reason
from gongdan.intake.models import DeadLetter, HeldMessage, Mailbox, QuarantinedFile
from gongdan.tickets.models import Ticket, TicketEvent
from tests.api.conftest import assert_problem, bearer, session_client
from tests.intake.mails import mail

AUTH_PASS = "mx.desk.example; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass"
AUTH_FAIL = "mx.desk.example; spf=fail smtp.mailfrom=evil.example; dkim=none; dmarc=fail header.from=example.com"


def encoded(text: str) -> str:
    return "=?utf-8?B?" + base64.b64encode(text.encode()).decode() + "?="


@pytest.fixture
def ticket(db, customer):
    """zhangsan@example.com's ticket, made from her first mail."""
    result = imap.ingest_raw(
        mail(
            sender="张三 <zhangsan@example.com>",
            subject="打印机卡纸",
            body="三楼打印机卡纸。",
            message_id="<t1@example.com>",
        ),
        meta={},
    )
    return result.ticket


def reply(sender: str, ticket: Ticket, n: int, headers: dict | None = None, **kwargs) -> bytes:
    return mail(
        sender=sender,
        subject=f"Re: [{ticket.number}] 打印机卡纸",
        body=f"第 {n} 封回复",
        message_id=f"<r{n}@example.com>",
        headers={"In-Reply-To": "<t1@example.com>", **(headers or {})},
        **kwargs,
    )


def test_reply_to_naming_the_customer_does_not_make_the_attacker_the_customer(ticket):
    raw = reply("attacker@evil.example", ticket, 1, {"Reply-To": "zhangsan@example.com"})

    result = imap.ingest_raw(raw, meta={})

    assert result.outcome == Outcome.HELD
    assert not TicketEvent.objects.filter(ticket=ticket, event_type="reply").exists()
    held = HeldMessage.objects.get()
    assert (held.sender, held.ticket, held.state) == ("attacker@evil.example", ticket, HeldState.HELD)
    assert held.reason == "attacker@evil.example is not an address of the ticket's customer"


def test_a_display_name_holding_the_customers_address_is_only_a_name(ticket):
    sender = f"{encoded('zhangsan@example.com <zhangsan@example.com>')} <attacker@evil.example>"

    result = imap.ingest_raw(reply(sender, ticket, 2), meta={})

    assert result.outcome == Outcome.HELD
    assert HeldMessage.objects.get().sender == "attacker@evil.example"
    assert result.record.customer.identities.get().value == "attacker@evil.example"


def test_the_acknowledgement_goes_to_the_parsed_from_address_only(db):
    sender = f"{encoded('victim@example.com')} <real@example.net>"

    imap.ingest_raw(
        mail(
            sender=sender, subject="新问题", body="内容", message_id="<ack1@x>", headers={"Reply-To": "v@example.com"}
        ),
        meta={},
    )

    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == ["real@example.net"]


def test_a_relay_mailbox_takes_the_customer_from_reply_to(db):
    relay = Mailbox.objects.create(
        name="form-relay", host="h", username="u", password="p", address="forms@desk.example", use_reply_to=True
    )
    raw = mail(
        sender="Web form <forms@desk.example>",
        subject="表单报修",
        body="空调坏了",
        message_id="<relay1@x>",
        headers={"Reply-To": f"{encoded('王五')} <wangwu@example.cn>"},
    )

    plain = imap.ingest_raw(raw, meta={})
    relayed = imap.ingest_raw(raw.replace(b"<relay1@x>", b"<relay2@x>"), meta={}, mailbox=relay)

    assert (plain.dead_letter, plain.ticket.customer.identities.get().value) == (None, "forms@desk.example")
    assert relayed.ticket.customer.identities.get().value == "wangwu@example.cn"
    assert relayed.ticket.customer.name == "王五"


def test_authentication_results_are_recorded_and_a_mailbox_can_require_dmarc(ticket):
    strict = Mailbox.objects.create(
        name="strict",
        host="h",
        username="u",
        password="p",
        authserv_id="mx.desk.example",
        require_authentication="dmarc",
    )
    forged_header = "evil.example; spf=pass; dkim=pass; dmarc=pass"

    passing = imap.ingest_raw(
        reply("zhangsan@example.com", ticket, 3, {"Authentication-Results": AUTH_PASS}), meta={}, mailbox=strict
    )
    failing = imap.ingest_raw(
        reply("zhangsan@example.com", ticket, 4, {"Authentication-Results": AUTH_FAIL}), meta={}, mailbox=strict
    )
    # A header the sender wrote itself (another authserv-id) counts for nothing.
    forged = mail(
        sender="zhangsan@example.com",
        subject="新的问题",
        body="伪造的认证结果",
        message_id="<new1@example.com>",
        headers={"Authentication-Results": forged_header},
    )
    new = imap.ingest_raw(forged, meta={}, mailbox=strict)

    assert passing.outcome == Outcome.FOLLOW_UP
    assert passing.record.auth_results == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
    assert failing.outcome == Outcome.HELD
    assert HeldMessage.objects.get().reason == "DMARC pass required; got DKIM=none, DMARC=fail, SPF=fail"
    assert (new.outcome, new.dead_letter.reason) == (Outcome.DEAD_LETTER, Reason.UNAUTHENTICATED)
    assert new.dead_letter.detail == "DMARC pass required; got no Authentication-Results"


def test_an_agent_accepts_a_held_message_as_the_customers_reply_with_its_files(ticket, agent, customer):
    raw = mail(
        sender="colleague@example.com",
        subject=f"Re: [{ticket.number}]",
        body="我是张三的同事，补充照片。",
        message_id="<held-1@x>",
    )
    imap.ingest_raw(raw, meta={})
    held = HeldMessage.objects.get()
    as_agent = session_client(agent)
    as_customer = session_client(customer.user)

    listed = as_agent.get(f"/api/v1/intake/held?ticket={ticket.number}").json()
    refused = as_customer.get("/api/v1/intake/held")
    accepted = as_agent.post(f"/api/v1/intake/held/{held.pk}/accept")
    again = as_agent.post(f"/api/v1/intake/held/{held.pk}/accept")

    assert [(x["id"], x["sender"], x["state"]) for x in listed] == [(held.pk, "colleague@example.com", "held")]
    assert_problem(refused, 403, "forbidden")
    assert accepted.json()["state"] == HeldState.ACCEPTED
    assert_problem(again, 422, "invalid-input")
    event = TicketEvent.objects.get(ticket=ticket, event_type="reply")
    assert (
        event.body
        == "我是张三的同事，补充照片。\n\n(来自 / from colleague@example.com; 由 agent_li 确认 / accepted by agent_li)"
    )
    assert event.actor_customer == ticket.customer
    assert event.is_public is True


def test_an_agent_rejects_a_held_message_and_it_stays_recorded(ticket, agent):
    imap.ingest_raw(reply("spoof@evil.example", ticket, 5), meta={})
    held = HeldMessage.objects.get()

    answer = session_client(agent).post(f"/api/v1/intake/held/{held.pk}/reject")

    held.refresh_from_db()
    assert (answer.status_code, held.state, held.decided_by) == (200, HeldState.REJECTED, agent)
    assert not TicketEvent.objects.filter(ticket=ticket, event_type="reply").exists()
    assert TicketEvent.objects.filter(ticket=ticket, event_type="note").last().body == (
        f"待确认的来信 #{held.pk} 已拒绝 / Held message #{held.pk} from spoof@evil.example rejected."
    )


def test_the_held_page_shows_the_message_and_accepts_it(ticket, agent):
    imap.ingest_raw(reply("colleague2@example.com", ticket, 6), meta={})
    held = HeldMessage.objects.get()
    browser = session_client(agent)

    page = browser.get(f"/desk/intake/held/{held.pk}/")
    decided = browser.post(f"/desk/intake/held/{held.pk}/decide/", {"decision": "accept"})

    assert page.status_code == 200
    assert "colleague2@example.com" in page.content.decode()
    assert (decided.status_code, decided["Location"]) == (302, f"/desk/t/{ticket.number}/")
    assert TicketEvent.objects.filter(ticket=ticket, event_type="reply").count() == 1


def test_held_attachments_wait_in_quarantine_until_accepted(ticket, agent):
    raw = (
        b"From: colleague3@example.com\r\nSubject: Re: photo\r\nMessage-ID: <held-3@x>\r\n"
        b"In-Reply-To: <t1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nphoto\r\n'
        b'--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="p.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    )
    imap.ingest_raw(raw, meta={})
    held = HeldMessage.objects.get()

    assert ticket.attachments.count() == 0
    assert list(QuarantinedFile.objects.values_list("filename", "reason")) == [("p.png", "held")]
    session_client(agent).post(f"/api/v1/intake/held/{held.pk}/accept")
    assert list(ticket.attachments.values_list("filename", flat=True)) == ["p.png"]


def test_quarantined_flood_is_released_in_one_call(db, client, agent, admin_user):
    from gongdan.intake.models import IntakePolicy

    policy = IntakePolicy.current()
    policy.rate_per_sender, policy.known_sender_factor = 1, 1
    policy.save()
    for n in range(3):
        client.post(
            "/api/v1/intake/email",
            data=mail(sender="busy@example.com", subject=f"问题{n}", body=f"内容{n}", message_id=f"<f{n}@x>"),
            content_type="message/rfc822",
            **bearer(agent),
        )

    released = session_client(admin_user).post(
        "/api/v1/intake/dead-letters/release", data={"sender": "busy@example.com"}, content_type="application/json"
    )

    assert released.json() == {"released": 2}
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["问题0", "问题1", "问题2"]
    assert list(DeadLetter.objects.values_list("state", flat=True)) == ["replayed", "replayed"]
