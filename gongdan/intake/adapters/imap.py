"""IMAP polling with UID/UIDVALIDITY bookkeeping (imap-tools).

Each new UID is fetched and ingested on its own and the mailbox's `last_uid` advances after each
one, so one bad mail (it becomes a dead letter, whatever fails in parsing or in the pipeline) never
blocks the mails after it, and a crash mid-poll resumes where it stopped. Only when not even a dead
letter can be written (the database is down) does the poll stop before that mail, to retry it.
When the server's UIDVALIDITY changes the UIDs mean nothing any more: the poll starts over from
UID 1 and idempotency (Message-ID) keeps it to one ticket per mail.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted

from gongdan.core import clock
from gongdan.intake import health
from gongdan.intake.adapters.mime import MailOptions, MalformedMail, parse_mail
from gongdan.intake.constants import Reason, Source
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


def options_for(mailbox: Mailbox | None) -> MailOptions:
    if mailbox is None:
        return MailOptions()
    return MailOptions(
        own_addresses=frozenset({mailbox.address.lower()} if mailbox.address else set()),
        use_reply_to=mailbox.use_reply_to,
        authserv_id=mailbox.authserv_id,
        require_authentication=mailbox.require_authentication,
    )


def _unparseable(raw: bytes, reason: str, detail: str, meta: dict) -> IntakeResult:
    key = "sha256:" + hashlib.sha256(raw).hexdigest()
    # A re-poll (UIDVALIDITY reset) of the same broken mail does not add a second dead letter.
    letter = DeadLetter.objects.filter(source=Source.EMAIL, external_key=key).first()
    if letter is None:
        letter = record_dead_letter(
            source=Source.EMAIL, raw=raw, reason=reason, detail=detail, meta=meta, external_key=key
        )
    return IntakeResult(None, dead_letter=letter)


def ingest_raw(raw: bytes, *, meta: dict, mailbox: Mailbox | None = None) -> IntakeResult:
    """One mail: a ticket, a follow-up, a held message or a dead letter — never an exception
    (an unparseable mail is a dead letter with no inbound record)."""
    try:
        inbound = parse_mail(raw, options_for(mailbox))
    except MalformedMail as exc:
        return _unparseable(raw, exc.reason, exc.detail, meta)
    except Exception as exc:  # the parser met something new: keep the mail, say what broke
        log.exception("parsing mail failed")
        return _unparseable(raw, Reason.MALFORMED, f"unparseable mail ({type(exc).__name__}: {exc})", meta)
    return ingest(inbound, meta=meta)


def _ingest_one(raw: bytes, meta: dict, mailbox: Mailbox) -> IntakeResult:
    try:
        return ingest_raw(raw, meta=meta, mailbox=mailbox)
    except Exception as exc:  # poisoned: recorded as a dead letter and passed, never retried forever
        log.exception("mail %s of %s failed", meta.get("uid"), mailbox.name)
        detail = f"processing failed ({type(exc).__name__}: {exc})"
        letter = record_dead_letter(source=Source.EMAIL, raw=raw, reason=Reason.FAILED, detail=detail, meta=meta)
        return IntakeResult(None, dead_letter=letter)


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
            result = _ingest_one(raw, meta, mailbox)
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
