"""The conversation: public replies, internal notes, attachments."""

import errno
import hashlib
import logging
import mimetypes
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import transaction

from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.core.errors import DomainError, IllegalTransition, InsufficientStorage, InvalidInput
from gongdan.core.text import headline
from gongdan.tickets import access, lifecycle
from gongdan.tickets.archives import check_archive
from gongdan.tickets.constants import EventType, StatusKind
from gongdan.tickets.models import (
    Attachment,
    DeskPolicy,
    Ticket,
    TicketEvent,
)
from gongdan.tickets.services._base import (
    Upload,
    counts_as_effective,
    mentioned_staff,
    status_for,
)
from gongdan.tickets.services._base import (
    record_event as _record,
)
from gongdan.tickets.services.hooks import run_reply_hooks
from gongdan.tickets.services.locking import atomic_write, lock_ticket
from gongdan.tickets.services.status import move_status, reopen_status
from gongdan.tickets.validation import (
    check_attachment,
    clean_summary,
    is_acknowledgement_only,
    require_body,
)

log = logging.getLogger(__name__)

# A merge chain longer than this is not followed further (merges into merged tickets are followed
# to the live master when they are made, so real chains are one hop long).
MAX_MERGE_HOPS = 5


@atomic_write
def add_reply(
    *, actor: Actor, ticket: Ticket, body: str, summary: str = "", attachments: Sequence[Upload] = ()
) -> TicketEvent:
    """A public reply. From the desk it may be the first response; from the customer it may reopen."""
    access.ensure_can_reply(actor, ticket)
    ticket = _lock_live(actor, ticket)
    policy = DeskPolicy.current()
    body = require_body(body)
    kind = ticket.status.kind
    if kind in lifecycle.FINAL_KINDS_FOR_REPLY:
        raise IllegalTransition(
            "This ticket is closed; please open a new request and mention its number.",
            "该工单已关闭，请提交新的请求并注明原工单号。",
        )
    summary = clean_summary(summary, policy) or headline(body, policy.summary_max_length)
    substantive = not is_acknowledgement_only(body, policy)
    from_desk = not actor.is_customer
    effective = from_desk and substantive and counts_as_effective(EventType.REPLY, policy, actor)
    first = from_desk and substantive and ticket.first_response_at is None
    event = _record(
        ticket,
        actor,
        EventType.REPLY,
        summary=summary,
        body=body,
        is_public=True,
        is_effective=effective,
        first_response=first,
    )
    _attach_files(ticket, actor, attachments, event=event, is_public=True, policy=policy)
    if from_desk:
        if kind == StatusKind.NEW:
            move_status(ticket, actor, status_for(StatusKind.OPEN), summary="", reason="", effective=False)
    else:
        _after_customer_reply(ticket, actor, kind, policy)
    run_reply_hooks(ticket, actor, event)
    return event


def _lock_live(actor: Actor, ticket: Ticket) -> Ticket:
    """Lock the ticket a reply belongs to: a merged ticket's conversation goes on in its master.

    A reply that raced a merge of its ticket is stored on the master rather than refused. The
    merged original's lock is taken in a savepoint and released with it before the master is
    locked, so a reply never holds two ticket rows (no lock order to get wrong).
    """
    for _ in range(MAX_MERGE_HOPS):
        savepoint = transaction.savepoint()
        locked = lock_ticket(ticket)
        if locked.status.kind != StatusKind.MERGED or locked.merged_into_id is None:
            transaction.savepoint_commit(savepoint)
            return locked
        transaction.savepoint_rollback(savepoint)
        ticket = Ticket.objects.select_related("customer").get(pk=locked.merged_into_id)
        try:
            access.ensure_can_reply(actor, ticket)
        except DomainError as error:
            raise IllegalTransition(
                "This ticket was merged into another one; please open a new request and mention its number.",
                "该工单已合并到其他工单，请提交新的请求并注明原工单号。",
            ) from error
    return lock_ticket(ticket)


def _after_customer_reply(ticket: Ticket, actor: Actor, kind: str, policy: DeskPolicy) -> None:
    if kind == StatusKind.PENDING:
        move_status(ticket, actor, status_for(StatusKind.OPEN), summary="", reason="", effective=False)
    elif kind == StatusKind.RESOLVED and policy.reopen_on_customer_reply:
        reopen_status(ticket, actor, reason="客户回复 / customer replied", effective=False)


@atomic_write
def add_note(
    *, actor: Actor, ticket: Ticket, body: str, summary: str = "", attachments: Sequence[Upload] = ()
) -> TicketEvent:
    """An internal note; effective only with a summary (R3.3). @username mentions staff."""
    access.ensure_staff(actor, ticket)
    ticket = lock_ticket(ticket)
    policy = DeskPolicy.current()
    body = require_body(body)
    summary = clean_summary(summary, policy)
    effective = bool(summary) and counts_as_effective(EventType.NOTE, policy, actor)
    event = _record(
        ticket,
        actor,
        EventType.NOTE,
        summary=summary or headline(body, policy.summary_max_length),
        body=body,
        is_effective=effective,
    )
    mentioned = mentioned_staff(body)
    if mentioned:
        event.mentions.set(mentioned)
    _attach_files(ticket, actor, attachments, event=event, is_public=False, policy=policy)
    return event


def _content_type(upload: Upload) -> str:
    guessed = mimetypes.guess_type(upload.name)[0]
    return guessed or upload.content_type or "application/octet-stream"


def _attach_files(
    ticket: Ticket,
    actor: Actor,
    uploads: Sequence[Upload],
    *,
    event: TicketEvent,
    is_public: bool,
    policy: DeskPolicy,
) -> list[Attachment]:
    if len(uploads) > policy.attachment_max_per_action:
        raise InvalidInput(
            f"At most {policy.attachment_max_per_action} files per message.",
            f"每条消息最多 {policy.attachment_max_per_action} 个附件。",
            fields={"attachments": "too_many"},
        )
    for upload in uploads:
        check_attachment(upload.name, _content_type(upload), len(upload.content), policy)
        check_archive(upload.name, upload.content)
    saved: list[str] = []
    try:
        return [_store(ticket, actor, upload, event=event, is_public=is_public, saved=saved) for upload in uploads]
    except OSError as exc:
        if exc.errno not in FULL_DISK:
            raise
        _remove_files(saved)
        raise InsufficientStorage(
            "The attachment store is full: nothing was saved. Your text is kept; try again later or without files.",
            "附件存储空间已满，本次内容均未保存。您填写的文字已保留，请稍后重试或不带附件提交。",
            fields={"attachments": "storage_full"},
        ) from exc


# "No space left", "quota exceeded", "file too large" (a size limit on the media volume).
FULL_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _remove_files(names: list[str]) -> None:
    """The transaction rolls the rows back; the bytes already written (whole or partial) must go too."""
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not remove the partial attachment file %s", name)


def _store(
    ticket: Ticket, actor: Actor, upload: Upload, *, event: TicketEvent, is_public: bool, saved: list[str]
) -> Attachment:
    """Write one file and its row; `saved` learns the file's name before a byte is written."""
    attachment = Attachment(
        ticket=ticket,
        event=event,
        filename=upload.name[:255],
        content_type=_content_type(upload),
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        is_public=is_public,
        uploaded_by=actor.user,
        uploaded_by_customer=actor.customer,
        created_at=clock.now(),
    )
    field = attachment.file.field
    name = field.storage.get_available_name(field.generate_filename(attachment, attachment.sha256))
    saved.append(name)
    attachment.file.name = field.storage.save(name, ContentFile(upload.content))
    saved[-1] = attachment.file.name
    attachment.save()
    return attachment


@atomic_write
def attach(
    *, actor: Actor, ticket: Ticket, files: Sequence[Upload], is_public: bool = True, summary: str = ""
) -> TicketEvent:
    """Upload files on their own (a solution document, a photo); effective for the desk (R3.3)."""
    if actor.is_customer:
        access.ensure_can_see(actor, ticket)
        is_public = True
    else:
        access.ensure_staff(actor, ticket)
    ticket = lock_ticket(ticket)
    if not files:
        raise InvalidInput("No file was sent.", "没有收到文件。", fields={"files": "required"})
    policy = DeskPolicy.current()
    names = ", ".join(f.name for f in files)
    event = _record(
        ticket,
        actor,
        EventType.ATTACHMENT_ADDED,
        summary=clean_summary(summary, policy) or headline(names, 60),
        is_public=is_public,
        is_effective=counts_as_effective(EventType.ATTACHMENT_ADDED, policy, actor),
    )
    _attach_files(ticket, actor, files, event=event, is_public=is_public, policy=policy)
    return event
