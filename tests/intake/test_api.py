"""Intake over the REST API and the web form: idempotency, raw mail, dead letters, health, context."""

import json

import pytest

from gongdan.automation.models import OutboxMessage
from gongdan.intake.constants import DeadLetterState, Reason
from gongdan.intake.models import DeadLetter, IntakePolicy, ThreadReference
from gongdan.tickets.models import Ticket
from tests.api.conftest import assert_problem, bearer, session_client
from tests.intake.mails import BROKEN, mail

MESSAGE = {
    "sender": {"email": "wang@example.cn", "name": "王工"},
    "subject": "注塑机报警",
    "body": "3 号注塑机 E07 报警",
}
# Known sender, warm configuration cache: 112 queries before the intake work of issue 8, 80 after
# (SQLite and PostgreSQL alike); SLA, routing and duplicates own most of the rest.
QUERIES_PER_KNOWN_SENDER = 80


def post(client, path, payload, **extra):
    return client.post(f"/api/v1/intake{path}", data=json.dumps(payload), content_type="application/json", **extra)


@pytest.fixture
def as_agent(agent):
    return session_client(agent)


@pytest.fixture
def as_admin(admin_user):
    return session_client(admin_user)


def test_the_same_api_message_twice_is_one_ticket(client, agent):
    headers = {**bearer(agent), "HTTP_IDEMPOTENCY_KEY": "erp-1"}

    first = post(client, "/messages", MESSAGE, **headers)
    retry = post(client, "/messages", MESSAGE, **headers)
    # Without a key the content is the key: a plain resend of the same body is still one ticket.
    plain = [post(client, "/messages", MESSAGE, **bearer(agent, "b")) for _ in range(2)]

    assert first.status_code == 201
    assert first.json()["outcome"] == "created"
    assert retry["Idempotent-Replayed"] == "true"
    assert [r.status_code for r in plain] == [201, 200]
    assert plain[1].json()["duplicate"] is True
    assert Ticket.objects.count() == 2


def test_raw_mail_posted_twice_is_one_ticket_and_a_broken_one_a_dead_letter(as_agent):
    raw = mail(sender="li@example.cn", subject="扫码枪", body="扫码枪没反应", message_id="<raw-1@example.cn>")

    answers = [as_agent.post("/api/v1/intake/email", data=raw, content_type="message/rfc822") for _ in range(2)]
    broken = as_agent.post("/api/v1/intake/email", data=BROKEN, content_type="message/rfc822")

    assert [a.status_code for a in answers] == [201, 200]
    assert Ticket.objects.get().subject == "扫码枪"
    body = assert_problem(broken, 422, "intake-no-sender")
    assert body["errors"]["dead_letter_id"] == DeadLetter.objects.get().pk


def test_customers_cannot_post_intake_and_nothing_changes(customer):
    answer = post(session_client(customer.user), "/messages", MESSAGE)

    assert_problem(answer, 403, "forbidden")
    assert Ticket.objects.count() == 0


def test_a_too_large_api_message_is_refused_clearly(client, agent):
    policy = IntakePolicy.current()
    policy.max_message_bytes = 50
    policy.save()

    answer = post(client, "/messages", MESSAGE, **bearer(agent))

    assert_problem(answer, 413, "intake-too-large")
    assert Ticket.objects.count() == 0


def test_the_web_form_submitted_twice_is_one_ticket(client, db):
    page = client.get("/help/")
    submission = page.context["form"].initial["submission_id"]
    form = {
        "submission_id": str(submission),
        "name": "周师傅",
        "email": "zhou@example.cn",
        "phone": "",
        "subject": "叉车充电桩故障",
        "body": "充电桩指示灯不亮",
        "device_sn": "",
    }

    answers = [client.post("/help/", form) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel) == ("叉车充电桩故障", "web")
    assert ticket.number in answers[1].content.decode()


def test_dead_letters_list_detail_replay_and_discard_for_admins(as_admin, as_agent, client, agent):
    policy = IntakePolicy.current()
    policy.rate_per_sender = 0
    policy.save()
    refused = post(
        client,
        "/messages",
        {**MESSAGE, "attachments": [{"name": "a.txt", "content_base64": "aGk="}]},
        **bearer(agent),
    )
    letter_id = assert_problem(refused, 429, "intake-rate-limited")["errors"]["dead_letter_id"]

    assert_problem(as_agent.get("/api/v1/intake/dead-letters"), 403, "forbidden")
    listing = as_admin.get("/api/v1/intake/dead-letters").json()
    detail = as_admin.get(f"/api/v1/intake/dead-letters/{letter_id}").json()
    assert [(x["id"], x["reason"], x["state"]) for x in listing] == [(letter_id, Reason.RATE_LIMITED, "quarantined")]
    assert json.loads(detail["raw_text"])["subject"] == "注塑机报警"

    replayed = as_admin.post(f"/api/v1/intake/dead-letters/{letter_id}/replay").json()
    again = as_admin.post(f"/api/v1/intake/dead-letters/{letter_id}/replay")

    assert (replayed["state"], replayed["outcome"]) == ("replayed", "created")
    assert Ticket.objects.get().number == replayed["ticket"]
    assert Ticket.objects.get().attachments.get().filename == "a.txt"
    assert_problem(again, 422, "invalid-input")
    assert Ticket.objects.count() == 1


def test_discarding_keeps_the_row(as_admin, db):
    from gongdan.intake.pipeline.runner import record_dead_letter

    letter = record_dead_letter(source="email", raw=BROKEN, reason=Reason.MALFORMED, detail="x")

    answer = as_admin.post(f"/api/v1/intake/dead-letters/{letter.pk}/discard")

    assert answer.json() == {"discarded": 1}
    letter.refresh_from_db()
    assert letter.state == DeadLetterState.DISCARDED
    assert bytes(letter.raw) == BROKEN


def test_channel_health_and_heartbeat(as_admin, as_agent):
    beat = as_agent.post("/api/v1/intake/channels/wecom/heartbeat")
    channels = {c["source"]: c for c in as_admin.get("/api/v1/intake/channels").json()}

    assert beat.status_code == 200
    assert channels["wecom"]["last_heartbeat_at"] is not None
    assert channels["email"]["last_heartbeat_at"] is None
    assert_problem(as_agent.get("/api/v1/intake/channels"), 403, "forbidden")


def test_ticket_context_for_the_desk_only(as_agent, customer):
    from gongdan.intake.adapters.payloads import message_from_json
    from gongdan.intake.pipeline.runner import ingest

    payload = {"sender": {"email": "zhangsan@example.com"}, "subject": "打印机", "body": "卡纸"}
    ticket = ingest(message_from_json(payload, b"{}", source="api")).ticket

    context = as_agent.get(f"/api/v1/intake/tickets/{ticket.number}/context").json()
    denied = session_client(customer.user).get(f"/api/v1/intake/tickets/{ticket.number}/context")

    assert context["customer"]["identities"] == ["email:zhangsan@example.com"]
    assert_problem(denied, 403, "forbidden")


def test_a_message_from_a_known_sender_is_taken_in_with_few_queries(client, agent, django_assert_max_num_queries):
    """Configuration comes from the cache, the sender is resolved in one query and the acknowledgement
    reads the identities resolution loaded. The bound pins the intake path (issue 8)."""
    token = bearer(agent)
    # A new customer; the first message also creates default configuration rows (a new generation),
    # the second fills the cache under it.
    for key in ("warm-up-1", "warm-up-2"):
        post(client, "/messages", {**MESSAGE, "body": key}, **token, HTTP_IDEMPOTENCY_KEY=key)
    again = {**MESSAGE, "subject": "注塑机又报警", "body": "3 号注塑机 E09 报警，停机"}

    with django_assert_max_num_queries(QUERIES_PER_KNOWN_SENDER):
        answer = post(client, "/messages", again, **token, HTTP_IDEMPOTENCY_KEY="second")

    assert answer.status_code == 201 and answer.json()["outcome"] == "created"
    ticket = Ticket.objects.get(number=answer.json()["ticket"])
    ack = OutboxMessage.objects.get(dedupe_key=f"intake-ack:{ticket.pk}")
    assert ack.recipient == "wang@example.cn"
    assert ack.payload["headers"]["Message-ID"] == f"<gd-{ticket.number.lower()}-{ack.pk}@gongdan.local>"
    assert ack.payload["headers"]["Auto-Submitted"] == "auto-replied"
    assert ThreadReference.objects.filter(ticket=ticket, outbound=True).count() == 1
