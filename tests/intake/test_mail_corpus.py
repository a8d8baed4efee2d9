"""The mail corpus (tests/fixtures/mail/): every mail ends as the ticket, hold or dead letter it should,
through the raw-mail endpoint and through a real IMAP server (dovecot), on SQLite and PostgreSQL.

Each mail's expectation (subject, sender, body start, attachment names, quarantined names, or the
dead letter's reason) is in the corpus's `expected.json`. A test reports every mismatch at once.
"""

import json
import re
import sys
from pathlib import Path

import pytest

from gongdan.customers.constants import IdentityKind
from gongdan.intake.adapters import imap
from gongdan.intake.models import DeadLetter, IntakePolicy, QuarantinedFile
from gongdan.tickets.models import Ticket
from tests.api.conftest import bearer
from tests.intake.conftest import append

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mail"
sys.path.insert(0, str(FIXTURES))
from mailkit import BIG_EXPECTED, big_attachment_mail  # noqa: E402


def load(directory: str) -> list[tuple[str, bytes, dict]]:
    expected = json.loads((FIXTURES / directory / "expected.json").read_text())
    return [(name, (FIXTURES / directory / name).read_bytes(), expected[name]) for name in sorted(expected)]


def observed(outcome: str, ticket: Ticket | None, letter: DeadLetter | None) -> dict:
    """What the desk made of one mail, in the shape of an expectation."""
    if ticket is None:
        return {"outcome": "dead_letter", "reason": letter.reason if letter else "-"}
    identity = ticket.customer.identities.filter(kind=IdentityKind.EMAIL).order_by("id").first()
    return {
        "outcome": outcome,
        "subject": ticket.subject,
        "sender": identity.value if identity else "",
        "description": ticket.description,
        "attachments": sorted(ticket.attachments.values_list("filename", flat=True)),
        "quarantined": sorted(QuarantinedFile.objects.filter(ticket=ticket).values_list("filename", flat=True)),
        "name": ticket.customer.name,
    }


def mismatches(name: str, expected: dict, seen: dict) -> list[str]:
    if expected["outcome"] == "dead_letter":
        wanted = {"outcome": "dead_letter", "reason": expected["reason"]}
        return [] if seen == wanted else [f"{name}: expected {wanted}, got {seen}"]
    if expected["outcome"] == "auto_noted":
        wanted = {"outcome": "auto_noted", "subject": expected["subject"]}
        got = {"outcome": seen.get("outcome"), "subject": seen.get("subject")}
        return [] if got == wanted else [f"{name}: expected {wanted}, got {got}"]
    problems = []
    for key in ("outcome", "subject", "sender", "attachments", "quarantined"):
        if expected[key] is not None and seen.get(key) != expected[key]:
            problems.append(f"{name}: {key} {seen.get(key)!r} != {expected[key]!r}")
    if expected["body_start"] is not None and not (seen.get("description") or "").startswith(expected["body_start"]):
        problems.append(f"{name}: description {seen.get('description', '')[:80]!r} !~ {expected['body_start']!r}")
    if expected["name"] and seen.get("name") != expected["name"]:
        problems.append(f"{name}: customer name {seen.get('name')!r} != {expected['name']!r}")
    return problems


def post_all(client, agent, mails) -> list[str]:
    problems = []
    for name, raw, expected in mails:
        answer = client.post("/api/v1/intake/email", data=raw, content_type="message/rfc822", **bearer(agent))
        if answer.status_code >= 500:
            problems.append(f"{name}: HTTP {answer.status_code}")
            continue
        body = answer.json()
        ticket = Ticket.objects.filter(number=body.get("ticket")).first() if body.get("ticket") else None
        letter = DeadLetter.objects.filter(pk=(body.get("errors") or {}).get("dead_letter_id")).first()
        if letter is not None and bytes(letter.raw) != raw:
            problems.append(f"{name}: the dead letter does not hold the raw bytes")
        problems += mismatches(name, expected, observed(body.get("outcome", ""), ticket, letter))
    return problems


@pytest.fixture
def roomy_limits(db):
    """The corpus has many mails from few domains within a minute: flood limits are not under test."""
    policy = IntakePolicy.current()
    policy.rate_per_sender = policy.rate_per_sender_hour = 1000
    policy.save()


def test_the_corpus_through_the_raw_mail_endpoint(client, agent, roomy_limits):
    mails = load("corpus")

    assert len(mails) >= 80
    problems = post_all(client, agent, mails)
    assert problems == [], "\n".join(problems)


def test_the_held_out_corpus_through_the_raw_mail_endpoint(client, agent, roomy_limits):
    assert post_all(client, agent, load("heldout")) == []


def test_a_20_mb_attachment_is_quarantined_and_the_text_becomes_a_ticket(client, agent, roomy_limits):
    raw = big_attachment_mail()

    assert len(raw) > 20 * 1024 * 1024
    assert post_all(client, agent, [("big-20mb", raw, BIG_EXPECTED)]) == []
    assert QuarantinedFile.objects.get().size == 20 * 1024 * 1024


def as_stored_by_dovecot(raw: bytes, expected: dict) -> tuple[bytes, dict]:
    """IMAP APPEND (imaplib) sends every line ending as CRLF and dovecot stores a NUL as 0x80: the
    mail the desk fetches is that one. Text that held a NUL is then the server's, not under test."""
    stored = re.sub(rb"\r\n|\r|\n", b"\r\n", raw).replace(b"\x00", b"\x80")
    if b"\x00" in raw and expected["outcome"] == "created":
        expected = {**expected, "subject": None, "body_start": None, "attachments": None}
    return stored, expected


def test_the_corpus_through_a_real_imap_server(imap_account, roomy_limits):
    mails = load("corpus") + load("heldout")
    append(imap_account, *[raw for _, raw, _ in mails])

    report = imap.poll(imap_account)

    assert report.fetched == len(mails)
    problems = []
    for (name, raw, expected), result in zip(mails, report.results, strict=True):
        stored, expected = as_stored_by_dovecot(raw, expected)
        if result.dead_letter is not None and bytes(result.dead_letter.raw) != stored:
            problems.append(f"{name}: the dead letter does not hold the raw bytes")
        problems += mismatches(name, expected, observed(result.outcome, result.ticket, result.dead_letter))
    assert problems == [], "\n".join(problems)
    assert imap_account.__class__.objects.get(pk=imap_account.pk).last_uid == len(mails)
