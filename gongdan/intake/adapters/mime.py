"""Real-world mail → `Inbound`: who wrote it, what it says, its files, whether it is automatic.

The customer is the parsed `From` address (never a display name, never `Reply-To` unless the
mailbox says so for a web-form relay, or From is the desk's own address). Headers are decoded with
`mailheaders`, parts walked by `mailparts`. Nothing here touches the database.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parseaddr

import nh3
from django.conf import settings

from gongdan.customers.constants import IdentityKind
from gongdan.intake.adapters import loopsign
from gongdan.intake.adapters.mailheaders import (
    all_addresses,
    authentication_results,
    first_address,
    header_text,
    raw_header,
)
from gongdan.intake.adapters.mailparts import declared_charsets, walk
from gongdan.intake.adapters.quotes import strip_quoted
from gongdan.intake.constants import Reason, Source
from gongdan.intake.message import Inbound, SenderIdentity

TICKET_NUMBER = re.compile(r"\bGD-\d{6,}\b")
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|转发|轉寄)\s*[:：]", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
AUTO_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")
SAFE_TAGS = {
    *("a", "b", "i", "u", "em", "strong", "p", "br", "ul", "ol", "li", "blockquote", "pre", "code"),
    *("table", "thead", "tbody", "tr", "td", "th", "span", "div", "h1", "h2", "h3", "h4", "hr", "img"),
}


class MalformedMail(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class MailOptions:
    """Per-mailbox reading rules (see `Mailbox`); the defaults fit a plain support address."""

    own_addresses: frozenset[str] = field(default_factory=frozenset)
    use_reply_to: bool = False
    authserv_id: str = ""
    require_authentication: str = ""


def html_to_text(html: str) -> str:
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\s*/?>", "\n", html)
    text = nh3.clean(text, tags=set())
    text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitise_html(html: str) -> str:
    # cid: and data: images are dropped by nh3's URL scheme allow-list; the files stay attachments.
    return nh3.clean(html, tags=SAFE_TAGS, url_schemes={"http", "https", "mailto"})


# Message-IDs are stored in 500-character columns and used as 300-character keys; a longer one (or
# one with a NUL) stands for itself by its digest, the same in the mail and in replies naming it.
MAX_MESSAGE_ID = 250


def _short(message_id: str) -> str:
    if len(message_id) <= MAX_MESSAGE_ID and "\x00" not in message_id:
        return message_id
    return "<sha256." + hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest() + "@long-id>"


def _message_ids(value: str) -> list[str]:
    return [_short(m) for m in MESSAGE_ID.findall(str(value or ""))]


def own_addresses(options: MailOptions) -> frozenset[str]:
    desk = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return options.own_addresses | ({desk} if desk else set())


def _sender(msg: Message, options: MailOptions, declared: tuple[str, ...]) -> tuple[str, str, str]:
    """(display name, address, which header) — From, or Reply-To where the mailbox allows it."""
    name, address = first_address(raw_header(msg, "From"), declared)
    if not address:
        name, address = first_address(raw_header(msg, "Sender"), declared)
    if options.use_reply_to or (address and address in own_addresses(options)):
        reply_name, reply_address = first_address(raw_header(msg, "Reply-To"), declared)
        if reply_address and reply_address not in own_addresses(options):
            return reply_name, reply_address, "reply-to"
    return name, address, "from"


def _automatic(msg: Message, sender: str) -> str:
    """Why this mail was written by a machine (RFC 3834, DSNs, vendor headers), or ""."""
    auto = raw_header(msg, "Auto-Submitted").strip().lower() or "no"
    precedence = raw_header(msg, "Precedence").strip().lower()
    if sender.split("@")[0] in BOUNCE_SENDERS or raw_header(msg, "Content-Type").lower().startswith("multipart/report"):
        return f"delivery report / bounce from {sender or 'an unknown sender'}"
    if auto != "no":
        return f"Auto-Submitted: {auto}"
    if precedence in AUTO_PRECEDENCE or raw_header(msg, "X-Autoreply") or raw_header(msg, "X-Autorespond"):
        return f"automatic mail (Precedence: {precedence or '-'})"
    return ""


def _is_loop(msg: Message) -> bool:
    """Only a mail carrying our own signature is ours: a look-alike header or `<gd-…>` id is not."""
    number = raw_header(msg, "X-Gongdan-Ticket").strip()
    return loopsign.is_ours(number, raw_header(msg, loopsign.HEADER))


def _body(parts, subject: str) -> tuple[str, str]:
    html = sanitise_html("\n".join(parts.htmls)) if parts.htmls else ""
    text = "\n".join(p for p in parts.plains if p.strip()) or (html_to_text(html) if html else "")
    body = text.strip() if FORWARD_SUBJECT.match(subject) or parts.forwarded else strip_quoted(text)
    body = body or text.strip()
    if parts.forwarded:
        body = "\n\n".join([body, *parts.forwarded]).strip()
    return body, html


def read(raw: bytes) -> Message:
    if not raw or not raw.strip():
        raise MalformedMail(Reason.MALFORMED, "empty message")
    msg = email.message_from_bytes(raw)
    if not msg.keys():
        raise MalformedMail(Reason.MALFORMED, "no mail headers found")
    return msg


def parse_mail(raw: bytes, options: MailOptions | None = None) -> Inbound:
    """Parse raw RFC 5322 bytes; raises MalformedMail when no usable message or sender is in it."""
    options = options or MailOptions()
    msg = read(raw)
    declared = declared_charsets(msg)
    name, address, via = _sender(msg, options, declared)
    if not address:
        raise MalformedMail(Reason.NO_SENDER, f"no usable From address in {raw_header(msg, 'From')[:300]!r}")
    message_id = (_message_ids(raw_header(msg, "Message-ID")) or [""])[0]
    subject = header_text(raw_header(msg, "Subject"), declared)
    parts = walk(msg, declared)
    body, html = _body(parts, subject)
    numbers = TICKET_NUMBER.findall(subject)
    automatic = _automatic(msg, address)
    reason, detail = (Reason.LOOP, f"sent by Gongdan itself ({address})") if _is_loop(msg) else ("", "")
    if not reason and automatic:
        reason, detail = Reason.AUTO_REPLY, automatic
    if not reason and address in own_addresses(options):
        reason, detail = Reason.NO_SENDER, f"sent From the desk's own address {address} with no other Reply-To"
    return Inbound(
        source=Source.EMAIL,
        external_key=message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        identities=[SenderIdentity(IdentityKind.EMAIL, address)],
        sender_name=(name or address.split("@")[0])[:200],
        subject=subject,
        body=body,
        html=html,
        attachments=parts.files,
        message_id=message_id,
        in_reply_to=(_message_ids(raw_header(msg, "In-Reply-To")) or [""])[0],
        references=[*_message_ids(raw_header(msg, "References")), *parts.reported_ids],
        ticket_number=numbers[0] if numbers else "",
        suppress_reason=reason,
        suppress_detail=detail,
        extra={
            "to": all_addresses(msg, "To", "Cc"),
            "identity_from": via,
            "auth": authentication_results(msg, options.authserv_id),
            "auth_required": options.require_authentication,
            "parse_notes": parts.notes,
        },
        raw=raw,
    )
