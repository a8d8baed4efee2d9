"""No crash loses a mail (issue 14.1), no false refusal and no second ticket on replay (issue 24.2),
bad API input is a 4xx *and* a dead letter (issue 13.5), and random MIME damage never answers 500."""

import json
import random
import time

import pytest

from gongdan.core.aftercommit import after_commit
from gongdan.core.context import Actor, Channel
from gongdan.intake import deadletters
from gongdan.intake.adapters import imap, mime
from gongdan.intake.constants import DeadLetterState, Outcome, Reason, Source
from gongdan.intake.models import DeadLetter, InboundMessage, ThreadReference
from gongdan.intake.pipeline import hooks, runner
from gongdan.tickets.models import Ticket
from tests.api.conftest import assert_problem, bearer
from tests.intake.conftest import append
from tests.intake.mails import mail, multipart_with_attachment


def a_mail(n: int, **extra) -> bytes:
    return mail(
        sender=f"user{n}@example.cn", subject=f"问题 {n}", body=f"第 {n} 个问题", message_id=f"<m{n}@x>", **extra
    )


class Boom(RuntimeError):
    pass


def explode(ctx):
    raise Boom("step exploded")


@pytest.mark.parametrize("step", [name for name, _ in runner.STEPS])
def test_a_failure_in_any_step_leaves_exactly_one_dead_letter_and_the_next_mail_flows(db, monkeypatch, step):
    steps = [(name, explode if name == step else fn) for name, fn in runner.STEPS]
    monkeypatch.setattr(runner, "STEPS", steps)
    raw = a_mail(1) + b"\x00"  # NUL and invalid UTF-8 in the raw survive in the dead letter

    failed = imap.ingest_raw(raw, meta={"via": "test"})
    monkeypatch.undo()
    flowed = imap.ingest_raw(a_mail(2), meta={"via": "test"})

    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.detail) == (Reason.FAILED, "Boom: step exploded")
    assert bytes(letter.raw) == raw
    assert InboundMessage.objects.get(message_id="<m1@x>").outcome == Outcome.DEAD_LETTER
    assert failed.dead_letter == letter
    assert (flowed.outcome, Ticket.objects.get().subject) == (Outcome.CREATED, "问题 2")


def test_a_failure_in_the_parser_is_a_dead_letter_with_the_raw_bytes(db, monkeypatch):
    monkeypatch.setattr(imap, "parse_mail", lambda raw, options: (_ for _ in ()).throw(Boom("parser bug")))

    result = imap.ingest_raw(a_mail(3), meta={})

    assert (result.dead_letter.reason, result.dead_letter.detail) == (
        Reason.MALFORMED,
        "unparseable mail (Boom: parser bug)",
    )
    assert bytes(result.dead_letter.raw) == a_mail(3)


def test_the_imap_poller_records_a_poisoned_mail_and_moves_past_it(imap_account, monkeypatch):
    append(imap_account, a_mail(4), a_mail(5), a_mail(6))
    real = imap.ingest_raw

    def poisoned(raw, **kwargs):
        if b"<m5@x>" in raw:
            raise Boom("poison")
        return real(raw, **kwargs)

    monkeypatch.setattr(imap, "ingest_raw", poisoned)
    report = imap.poll(imap_account)

    assert (report.fetched, report.dead_letters) == (3, 1)
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.detail, letter.meta["uid"]) == (Reason.FAILED, "processing failed (Boom: poison)", 2)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["问题 4", "问题 6"]
    imap_account.refresh_from_db()
    assert imap_account.last_uid == 3
    assert imap.poll(imap_account).fetched == 0


@pytest.fixture
def failing_after_commit():
    """A route hook whose after-commit kick fails, as a worker kick does while Redis is down."""

    def kick(ctx):
        after_commit(lambda: (_ for _ in ()).throw(ConnectionError("Error 111 connecting to 10.0.0.7:6379")))

    hooks.ROUTE_HOOKS.append(kick)
    yield
    hooks.ROUTE_HOOKS.remove(kick)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_error_after_the_commit_is_no_refusal_the_committed_ticket_is_the_answer(
    failing_after_commit, client, agent
):
    body = {"sender": {"email": "wang@example.cn"}, "subject": "注塑机报警", "body": "3 号机 E07"}
    headers = {**bearer(agent), "HTTP_IDEMPOTENCY_KEY": "k-redis-down"}

    answers = [
        client.post("/api/v1/intake/messages", data=json.dumps(body), content_type="application/json", **headers)
        for _ in range(2)
    ]

    # The Idempotency-Key middleware answers the retry with the first (committed) answer.
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["outcome"] == "created"
    assert answers[1].json() == answers[0].json()
    assert Ticket.objects.count() == 1
    assert DeadLetter.objects.count() == 0
    assert InboundMessage.objects.get().outcome == Outcome.CREATED


def test_replaying_a_false_refusal_finds_the_ticket_the_earlier_attempt_made(db, admin_user):
    first = imap.ingest_raw(a_mail(7), meta={})
    # What an older version recorded over a committed ticket when an after-commit kick failed.
    InboundMessage.objects.filter(pk=first.record.pk).update(outcome=Outcome.DEAD_LETTER, ticket=None)
    letter = runner.record_dead_letter(
        source=Source.EMAIL, raw=a_mail(7), reason=Reason.FAILED, detail="ConnectionError", external_key="<m7@x>"
    )

    result = deadletters.replay(actor=Actor(user=admin_user, channel=Channel.ADMIN), letter=letter)

    letter.refresh_from_db()
    assert Ticket.objects.count() == 1
    assert result.ticket == first.ticket
    assert (letter.state, letter.inbound.ticket) == (DeadLetterState.REPLAYED, first.ticket)
    assert InboundMessage.objects.get(message_id="<m7@x>").outcome == Outcome.CREATED
    assert ThreadReference.objects.filter(message_id="<m7@x>").count() == 1


BAD_MESSAGES = [
    ('{"sender": {"email": "a@example.cn"}, "body": "x\\u0000y"}', "body contains a NUL character or a lone surrogate"),
    (
        '{"sender": {"email": "a@example.cn"}, "subject": "\\ud800"}',
        "subject contains a NUL character or a lone surrogate",
    ),
    (
        '{"sender": {"email": "a@example.cn\\u0000"}, "body": "x"}',
        "sender.email contains a NUL character or a lone surrogate",
    ),
    ('{"sender": "a@example.cn", "body": "x"}', "sender must be an object"),
    ('{"sender": {"email": ["a@example.cn"]}, "body": "x"}', "sender.email must be a string"),
    ('{"sender": {"email": "a@example.cn"}, "attachments": "a.pdf"}', "attachments must be a list"),
    ('{"sender": {"email": "a@example.cn"}, "attachments": [1]}', "attachments.0 must be an object"),
    ('{"sender": {"email": "a@example.cn"}, "attachments": [{"name": 5}]}', "attachments.0.name must be a string"),
    ('{"sender": {"email": "a@example.cn"}, "body": 5}', "body must be a string"),
]


@pytest.mark.parametrize(("payload", "detail"), BAD_MESSAGES)
def test_bad_api_input_is_a_422_problem_and_a_dead_letter_holding_it(client, agent, payload, detail):
    raw = payload.encode()

    answer = client.post("/api/v1/intake/messages", data=raw, content_type="application/json", **bearer(agent))

    problem = assert_problem(answer, 422, "validation-error")
    letter = DeadLetter.objects.get()
    assert problem["errors"] == {"dead_letter_id": letter.pk, "reason": Reason.MALFORMED}
    assert (letter.detail, bytes(letter.raw), letter.source) == (detail, raw, Source.API)
    assert Ticket.objects.count() == 0


def test_a_raw_nul_byte_in_the_json_body_is_a_422_and_a_dead_letter(client, agent):
    raw = b'{"sender": {"email": "a@example.cn"}, "body": "x\x00y"}'

    answer = client.post("/api/v1/intake/messages", data=raw, content_type="application/json", **bearer(agent))

    assert_problem(answer, 422, "validation-error")
    assert bytes(DeadLetter.objects.get().raw) == raw


def mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(5)
        at = rng.randrange(len(data) or 1)
        if kind == 0 and data:  # flip a byte
            data[at] = rng.randrange(256)
        elif kind == 1:  # insert MIME-significant noise
            data[at:at] = rng.choice([b"\x00", b"\r\n--", b"=?", b"?=", b";", b'"', b"\r\n\r\n", b"\xff\xfe", b"*0*="])
        elif kind == 2 and data:  # cut
            del data[at : at + rng.randint(1, 40)]
        elif kind == 3:  # duplicate a slice
            data[at:at] = data[at : at + rng.randint(1, 60)]
        else:  # truncate
            del data[at:]
    return bytes(data)


SEEDS = [a_mail(8), multipart_with_attachment(sender="fuzz@example.cn", message_id="<fz@x>")]


def test_random_mime_damage_parses_or_refuses_cleanly_for_three_seconds():
    rng, deadline, tried = random.Random(14), time.monotonic() + 3, 0
    while time.monotonic() < deadline:
        raw = mutate(rng.choice(SEEDS), rng)
        try:
            inbound = mime.parse_mail(raw)
        except mime.MalformedMail:
            continue
        finally:
            tried += 1
        assert inbound.identities[0].value
        json.dumps([inbound.subject, inbound.body, [a.name for a in inbound.attachments]])
    assert tried > 100


def test_damaged_mails_end_as_a_ticket_or_a_dead_letter_never_a_500(client, agent):
    rng = random.Random(1414)
    mails = [mutate(rng.choice(SEEDS), rng) for _ in range(12)]

    answers = [
        client.post("/api/v1/intake/email", data=raw, content_type="message/rfc822", **bearer(agent)) for raw in mails
    ]

    assert [a.status_code for a in answers if a.status_code not in (200, 201, 422, 429)] == []
    taken = sum(a.status_code in (200, 201) for a in answers)
    refused = [a.json()["errors"]["dead_letter_id"] for a in answers if a.status_code in (422, 429)]
    assert taken + len(refused) == 12
    assert DeadLetter.objects.filter(pk__in=refused).count() == len(refused)


def test_a_processing_failure_answers_without_naming_internals_and_keeps_them_for_admins(client, agent, monkeypatch):
    def unreachable(ctx):
        raise ConnectionError("Error 111 connecting to 10.0.0.7:6379. Connection refused.")

    monkeypatch.setattr(runner, "STEPS", [(n, unreachable if n == "notify" else f) for n, f in runner.STEPS])
    body = {"sender": {"email": "wang@example.cn"}, "subject": "注塑机报警", "body": "3 号机 E07"}

    answer = client.post(
        "/api/v1/intake/messages", data=json.dumps(body), content_type="application/json", **bearer(agent)
    )

    problem = assert_problem(answer, 422, "intake-failed")
    letter = DeadLetter.objects.get()
    assert problem["detail"] == f"未受理（处理失败）：处理出错。已保存为死信 {letter.pk}。"
    assert "6379" not in answer.content.decode()
    assert letter.detail == "ConnectionError: Error 111 connecting to 10.0.0.7:6379. Connection refused."
    assert Ticket.objects.count() == 0
