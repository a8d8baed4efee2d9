"""IM, generic and CTI webhooks over HTTP against the running app: valid, invalid, replayed, redelivered."""

import hashlib
import time

import pytest
import requests

from gongdan.core.context import Actor, Channel
from gongdan.customers.models import CustomerIdentity
from gongdan.intake import deadletters
from gongdan.intake.constants import Reason, Source
from gongdan.intake.models import DeadLetter, WebhookSecret
from gongdan.tickets.models import Ticket, TicketEvent
from tests.intake import signers

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def hook(live_server):
    def post(name, query, headers, body):
        return requests.post(f"{live_server.url}/api/v1/intake/hooks/{name}", params=query, headers=headers, data=body)

    return post


@pytest.fixture
def wecom_secret(db):
    return WebhookSecret.objects.create(
        source=Source.WECOM,
        name="wecom-main",
        token="QDG6eK",
        aes_key=signers.WECOM_AES_KEY,
        receive_id=signers.WECOM_CORP_ID,
    )


def test_wecom_valid_replayed_redelivered_and_forged(hook, wecom_secret):
    request = signers.wecom_request("QDG6eK", msg_id="7001", user="zhangsan", text="产线扫码枪坏了", nonce="n1")

    first = hook("wecom-main", *request)
    replay = hook("wecom-main", *request)
    # The platform retries with a fresh nonce and signature: same MsgId, so the same ticket.
    redelivery = hook(
        "wecom-main",
        *signers.wecom_request("QDG6eK", msg_id="7001", user="zhangsan", text="产线扫码枪坏了", nonce="n2"),
    )
    forged = hook(
        "wecom-main", *signers.wecom_request("wrong-token", msg_id="7002", user="zhangsan", text="x", nonce="n3")
    )

    assert first.status_code == 200
    assert first.json()["outcome"] == "created"
    assert replay.status_code == 409
    assert replay.json()["type"].endswith("webhook-replayed")
    assert redelivery.status_code == 200
    assert redelivery.json()["duplicate"] is True
    assert forged.status_code == 401
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel) == ("产线扫码枪坏了", "im")
    assert CustomerIdentity.objects.get(customer=ticket.customer).value == "zhangsan"
    letter = DeadLetter.objects.get()
    assert (letter.source, letter.reason) == (Source.WECOM, Reason.REJECTED)
    assert letter.detail == "bad-signature: WeCom msg_signature does not match"


def test_a_wecom_platform_event_or_unknown_type_is_ignored_never_a_customer_reply(hook, wecom_secret, caplog):
    first = hook(
        "wecom-main", *signers.wecom_request("QDG6eK", msg_id="7101", user="zhangsan", text="报修", nonce="e0")
    )
    events = [
        signers.wecom_request(
            "QDG6eK", msg_id="", user="zhangsan", text="", nonce="e1", msg_type="event", event="subscribe"
        ),
        signers.wecom_request("QDG6eK", msg_id="7102", user="zhangsan", text="?", nonce="e2", msg_type="hologram"),
    ]

    with caplog.at_level("INFO", logger="gongdan.intake.api"):
        answers = [hook("wecom-main", *request) for request in events]

    assert first.json()["outcome"] == "created"
    assert [(a.status_code, a.json()) for a in answers] == [
        (200, {"ok": True, "ignored": "wecom:event:subscribe"}),
        (200, {"ok": True, "ignored": "wecom:hologram:-"}),
    ]
    ticket = Ticket.objects.get()
    assert list(TicketEvent.objects.filter(ticket=ticket, event_type="reply").values_list("body", flat=True)) == []
    assert DeadLetter.objects.count() == 0
    assert "webhook wecom-main: ignored wecom:event:subscribe" in caplog.text


def test_wecom_url_verification_answers_the_decrypted_echostr(live_server, wecom_secret):
    echostr = signers.wecom_encrypt("1616140317555161061")
    timestamp, nonce = str(int(time.time())), "v1"
    signature = hashlib.sha1("".join(sorted(["QDG6eK", timestamp, nonce, echostr])).encode()).hexdigest()

    answer = requests.get(
        f"{live_server.url}/api/v1/intake/hooks/wecom-main",
        params={"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr},
    )

    assert answer.status_code == 200
    assert answer.text == "1616140317555161061"


def test_feishu_encrypted_event_valid_replayed_redelivered_and_forged(hook, db):
    WebhookSecret.objects.create(source=Source.FEISHU, name="feishu", token="vtoken", aes_key="ekey-2026")

    first = hook(
        "feishu",
        *signers.feishu_request("vtoken", "ekey-2026", event_id="ev1", open_id="ou_1", text="机床报警 E42", nonce="a"),
    )
    request = signers.feishu_request(
        "vtoken", "ekey-2026", event_id="ev1", open_id="ou_1", text="机床报警 E42", nonce="b"
    )
    redelivery = hook("feishu", *request)
    replay = hook("feishu", *request)
    forged = hook(
        "feishu", *signers.feishu_request("vtoken", "other-key", event_id="ev2", open_id="ou_1", text="x", nonce="c")
    )

    assert [first.status_code, redelivery.status_code, replay.status_code, forged.status_code] == [200, 200, 409, 401]
    assert redelivery.json()["duplicate"] is True
    ticket = Ticket.objects.get()
    assert ticket.subject == "机床报警 E42"
    assert CustomerIdentity.objects.get(customer=ticket.customer).kind == "feishu"


def test_feishu_url_verification_returns_the_challenge(hook, db):
    WebhookSecret.objects.create(source=Source.FEISHU, name="feishu-plain", token="vtoken")
    body = b'{"challenge": "ajls384kdjx98XX", "token": "vtoken", "type": "url_verification"}'

    answer = hook("feishu-plain", {}, {"Content-Type": "application/json"}, body)

    assert answer.json() == {"challenge": "ajls384kdjx98XX"}


def test_dingtalk_valid_replayed_redelivered_forged_and_stale(hook, db):
    WebhookSecret.objects.create(source=Source.DINGTALK, name="dingtalk", token="app-secret-1")
    request = signers.dingtalk_request("app-secret-1", msg_id="msgA", staff_id="0921", text="仓库 PDA 无法登录")

    first = hook("dingtalk", *request)
    replay = hook("dingtalk", *request)
    later = int(time.time() * 1000) + 7
    redelivery = hook(
        "dingtalk",
        *signers.dingtalk_request(
            "app-secret-1", msg_id="msgA", staff_id="0921", text="仓库 PDA 无法登录", timestamp_ms=later
        ),
    )
    forged = hook("dingtalk", *signers.dingtalk_request("guess", msg_id="msgB", staff_id="0921", text="x"))
    stale = hook(
        "dingtalk",
        *signers.dingtalk_request("app-secret-1", msg_id="msgC", staff_id="0921", text="x", timestamp_ms=1_000_000),
    )

    assert [r.status_code for r in (first, replay, redelivery, forged, stale)] == [200, 409, 200, 401, 401]
    assert stale.json()["type"].endswith("webhook-stale-timestamp")
    assert Ticket.objects.get().subject == "仓库 PDA 无法登录"


def test_generic_webhook_with_hmac(hook, admin_user):
    WebhookSecret.objects.create(source=Source.WEBHOOK, name="erp", token="hmac-secret")
    payload = {
        "id": "erp-55",
        "sender": {"email": "buyer@example.com", "name": "采购"},
        "subject": "订单同步失败",
        "body": "PO-778 同步失败",
    }

    first = hook("erp", *signers.hmac_request("hmac-secret", payload, delivery="d1"))
    replay = hook("erp", *signers.hmac_request("hmac-secret", payload, delivery="d1"))
    redelivery = hook("erp", *signers.hmac_request("hmac-secret", payload, delivery="d2"))
    forged = hook("erp", *signers.hmac_request("not-the-secret", {**payload, "id": "erp-56"}, delivery="d3"))

    assert [r.status_code for r in (first, replay, redelivery, forged)] == [200, 409, 200, 401]
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description, ticket.channel) == ("订单同步失败", "PO-778 同步失败", "api")
    # The forged delivery was kept; an admin who trusts it (say, the secret was rotated) replays it.
    letter = DeadLetter.objects.get()
    result = deadletters.replay(actor=Actor(user=admin_user, channel=Channel.ADMIN), letter=letter)
    assert (result.outcome, result.ticket.subject) == ("created", "订单同步失败")
    assert Ticket.objects.count() == 2
    letter.refresh_from_db()
    assert letter.state == "replayed"


def test_phone_call_record_becomes_a_ticket_and_the_next_call_a_follow_up(hook, db):
    WebhookSecret.objects.create(source=Source.PHONE, name="cti", token="cti-secret")
    call = {
        "call_id": "call-1",
        "caller": "+86 138-0013-8000",
        "agent": "agent_li",
        "recording_url": "https://pbx.example.com/rec/call-1.mp3",
        "notes": "客户反映打印机卡纸",
        "duration_seconds": 95,
    }

    first = hook("cti", *signers.hmac_request("cti-secret", call, delivery="c1"))
    again = hook("cti", *signers.hmac_request("cti-secret", call, delivery="c2"))
    second = hook(
        "cti",
        *signers.hmac_request("cti-secret", {**call, "call_id": "call-2", "notes": "卡纸仍未解决"}, delivery="c3"),
    )

    assert [first.json()["outcome"], again.json()["duplicate"], second.json()["outcome"]] == [
        "created",
        True,
        "follow_up",
    ]
    ticket = Ticket.objects.get()
    assert ticket.channel == "phone"
    assert ticket.subject == "客户反映打印机卡纸"
    assert "录音 / recording: https://pbx.example.com/rec/call-1.mp3" in ticket.description
    assert CustomerIdentity.objects.get(customer=ticket.customer).value == "+8613800138000"
    reply = TicketEvent.objects.get(ticket=ticket, event_type="reply")
    assert reply.body.startswith("卡纸仍未解决")
    assert reply.actor_customer == ticket.customer


def test_an_unknown_webhook_name_is_a_404(hook, db):
    assert hook("nope", {}, {}, b"{}").status_code == 404
