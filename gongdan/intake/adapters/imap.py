"""IMAP polling with UID/UIDVALIDITY bookkeeping (imap-tools).

Each new UID is fetched and ingested on its own and the mailbox's `last_uid` advances after each
one, so one bad mail (it becomes a dead letter) never blocks the mails after it, and a crash
mid-poll resumes where it stopped. When the server's UIDVALIDITY changes the UIDs mean nothing any
more: the poll starts over from UID 1 and idempotency (Message-ID) keeps it to one ticket per mail.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted

from gongdan.core import clock
from gongdan.intake import health
from gongdan.intake.adapters.mime import MalformedMail, parse_mail
from gongdan.intake.constants import Source
from gongdan.intake.models import DeadLetter, Mailbox
from gongdan.intake.pipeline.runner import IntakeResult, ingest, record_dead_letter

log = logging.getLogger(__name__)
CLIENTS = {"ssl": MailBox, "starttls": MailBoxStartTls, "none": MailBoxUnencrypted}
BATCH = 200


@dataclass
class PollReport:
    fetched: int = 0
    results: list[IntakeResult] = field(default_factory=list)
    dead_letters: int = 0
    reset: bool = False


def connect(mailbox: Mailbox):
    client = CLIENTS[mailbox.security](mailbox.host, mailbox.port, timeout=20)
    return client.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder)


def ingest_raw(raw: bytes, *, meta: dict) -> IntakeResult:
    """One mail: a ticket, a follow-up or a dead letter (with no inbound record when unparseable)."""
    try:
        inbound = parse_mail(raw)
    except MalformedMail as exc:
        key = "sha256:" + hashlib.sha256(raw).hexdigest()
        # A re-poll (UIDVALIDITY reset) of the same broken mail does not add a second dead letter.
        letter = DeadLetter.objects.filter(source=Source.EMAIL, external_key=key).first()
        if letter is None:
            letter = record_dead_letter(
                source=Source.EMAIL, raw=raw, reason=exc.reason, detail=exc.detail, meta=meta, external_key=key
            )
        return IntakeResult(None, dead_letter=letter)
    return ingest(inbound, meta=meta)


def _fetch_raw(client, uid: str) -> bytes:
    status, data = client.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise OSError(f"FETCH {uid} failed: {status}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return b""


def poll(mailbox: Mailbox) -> PollReport:
    report = PollReport()
    with connect(mailbox) as client:
        status = client.folder.status(mailbox.folder, ["UIDVALIDITY"])
        validity = int(status["UIDVALIDITY"])
        if mailbox.uid_validity != validity:
            report.reset = mailbox.uid_validity is not None
            mailbox.uid_validity, mailbox.last_uid = validity, 0
            mailbox.save(update_fields=["uid_validity", "last_uid"])
        # "N:*" always includes the highest UID even when it is below N: filter again.
        uids = sorted(int(u) for u in client.uids(AND(uid=f"{mailbox.last_uid + 1}:*")))
        for uid in [u for u in uids if u > mailbox.last_uid][:BATCH]:
            raw = _fetch_raw(client, str(uid))
            report.fetched += 1
            meta = {"mailbox": mailbox.name, "uid": uid, "uid_validity": validity}
            result = ingest_raw(raw, meta=meta)
            report.dead_letters += result.dead_letter is not None
            report.results.append(result)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid)
            mailbox.last_uid = uid
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=clock.now(), last_error="")
    return report


def poll_all() -> int:
    """Poll every enabled mailbox; one failing server never stops the others. Returns mails fetched."""
    fetched = 0
    for mailbox in Mailbox.objects.filter(enabled=True):
        try:
            fetched += poll(mailbox).fetched
        except Exception as exc:  # a server down is recorded on the mailbox and probed as unhealthy
            log.warning("IMAP poll of %s failed: %s", mailbox, exc)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
            health.record_probe(Source.EMAIL, ok=False, error=f"{mailbox.name}: {exc}")
        else:
            health.record_probe(Source.EMAIL, ok=True)
    return fetched
