"""Real-world mail → `Inbound`: charsets, multipart walking, attachments, auto-reply detection.

Chinese mail often declares GB2312 while using GBK characters; gb18030 is a superset of both, so
every GB-family label decodes as gb18030. Big5 decodes as big5hkscs (a superset) for the same reason.
"""

from __future__ import annotations

import email
import hashlib
import re
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr

import nh3
from django.conf import settings

from gongdan.customers.constants import IdentityKind
from gongdan.intake.adapters.quotes import strip_quoted
from gongdan.intake.constants import Reason, Source
from gongdan.intake.message import Inbound, SenderIdentity
from gongdan.tickets.services import Upload

CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "unknown-8bit": "utf-8",
    "us-ascii": "utf-8",
}
TICKET_NUMBER = re.compile(r"\bGD-\d{6,}\b")
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|转发|轉寄)\s*[:：]", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
SAFE_TAGS = {
    "a",
    "b",
    "i",
    "u",
    "em",
    "strong",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "span",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "img",
}


class MalformedMail(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def codec_for(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def decode_bytes(data: bytes, charset: str | None) -> str:
    return data.decode(codec_for(charset), errors="replace")


def header_text(value: str | None) -> str:
    """Decode an RFC 2047 header with the same charset aliases as bodies."""
    if not value:
        return ""
    parts = []
    try:
        chunks = decode_header(str(value))
    except Exception:  # a broken encoded-word: keep the header as it came
        return str(value).strip()
    for chunk, charset in chunks:
        parts.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _message_ids(value: str | None) -> list[str]:
    return MESSAGE_ID.findall(str(value or ""))


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    return decode_bytes(payload, part.get_content_charset())


def html_to_text(html: str) -> str:
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h\d)\s*/?>", "\n", html)
    text = nh3.clean(text, tags=set())
    text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitise_html(html: str) -> str:
    # cid: and data: images are dropped by nh3's URL scheme allow-list; the files stay attachments.
    return nh3.clean(html, tags=SAFE_TAGS, url_schemes={"http", "https", "mailto"})


def _filename(part: Message, index: int) -> str:
    name = part.get_filename()
    if name:
        return header_text(name)[:200]
    subtype = part.get_content_subtype() or "bin"
    return f"part-{index}.{'eml' if part.get_content_type() == 'message/rfc822' else subtype}"


def _is_file(part: Message, content_type: str, disposition: str) -> bool:
    """Attachments and inline images (cid:) are files; a named text part is a file too."""
    if disposition == "attachment" or content_type.startswith("image/") or part.get("Content-ID"):
        return True
    return bool(part.get_filename()) and content_type not in ("text/plain", "text/html")


def _walk(msg: Message) -> tuple[list[str], list[str], list[Upload]]:
    plains, htmls, files = [], [], []
    stack = [msg]
    index = 0
    while stack:
        part = stack.pop(0)
        index += 1
        content_type = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if content_type == "message/rfc822":
            # A forwarded mail: kept whole as an .eml attachment, its text is not the sender's words.
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else part.as_bytes()
            files.append(Upload(_filename(part, index), data, "message/rfc822"))
            continue
        if part.is_multipart():
            stack[0:0] = list(part.get_payload())
            continue
        if _is_file(part, content_type, disposition):
            files.append(Upload(_filename(part, index), part.get_payload(decode=True) or b"", content_type))
        elif content_type == "text/plain":
            plains.append(_part_text(part))
        elif content_type == "text/html":
            htmls.append(_part_text(part))
        else:
            files.append(Upload(_filename(part, index), part.get_payload(decode=True) or b"", content_type))
    return plains, htmls, files


def _suppression(msg: Message, sender: str, message_id: str) -> tuple[str, str]:
    """Loop and auto-reply protection: (reason code, detail) or ("", "")."""
    own = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    auto = (msg.get("Auto-Submitted") or "no").strip().lower()
    precedence = (msg.get("Precedence") or "").strip().lower()
    local = sender.split("@")[0]
    if sender == own or msg.get("X-Gongdan-Ticket") or message_id.startswith("<gd-"):
        return Reason.LOOP, f"sent by Gongdan itself ({sender})"
    if local in BOUNCE_SENDERS or msg.get_content_type() == "multipart/report":
        return Reason.AUTO_REPLY, f"delivery report / bounce from {sender}"
    if auto != "no":
        return Reason.AUTO_REPLY, f"Auto-Submitted: {auto}"
    if precedence in ("bulk", "junk", "list", "auto_reply") or msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return Reason.AUTO_REPLY, f"automatic mail (Precedence: {precedence or '-'})"
    return "", ""


def parse_mail(raw: bytes) -> Inbound:
    """Parse raw RFC 5322 bytes; raises MalformedMail when no usable message or sender is in it."""
    if not raw or not raw.strip():
        raise MalformedMail(Reason.MALFORMED, "empty message")
    msg = email.message_from_bytes(raw)
    if not msg.keys():
        raise MalformedMail(Reason.MALFORMED, "no mail headers found")
    name, address = parseaddr(header_text(msg.get("Reply-To")) or header_text(msg.get("From")))
    address = address.strip().lower()
    if "@" not in address or " " in address:
        raise MalformedMail(Reason.NO_SENDER, f"no usable From address in {msg.get('From')!r}")
    message_id = (_message_ids(msg.get("Message-ID")) or [""])[0]
    subject = header_text(msg.get("Subject"))
    plains, htmls, files = _walk(msg)
    html = sanitise_html("\n".join(htmls)) if htmls else ""
    text = "\n".join(p for p in plains if p.strip()) or (html_to_text(html) if html else "")
    is_forward = bool(FORWARD_SUBJECT.match(subject))
    body = text.strip() if is_forward else strip_quoted(text)
    reason, detail = _suppression(msg, address, message_id)
    numbers = TICKET_NUMBER.findall(subject)
    recipients = [a.lower() for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", [])) if a]
    return Inbound(
        source=Source.EMAIL,
        external_key=message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        identities=[SenderIdentity(IdentityKind.EMAIL, address)],
        sender_name=header_text(name) or address.split("@")[0],
        subject=subject,
        body=body or text.strip(),
        html=html,
        attachments=files,
        message_id=message_id,
        in_reply_to=(_message_ids(msg.get("In-Reply-To")) or [""])[0],
        references=_message_ids(msg.get("References")),
        ticket_number=numbers[0] if numbers else "",
        suppress_reason=reason,
        suppress_detail=detail,
        extra={"to": recipients},
        raw=raw,
    )
