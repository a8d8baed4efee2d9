"""The parts of a mail: its text, its files, what it forwards, what it reports. Pure.

Every file is kept (the pipeline decides what agents see); a part that cannot be decoded is kept
as it came rather than dropped. Forwarded mails stay whole as `.eml` with their headers shown in
the text, signed mails keep their signature as a file, Outlook's winmail.dat (TNEF) is unpacked
into the files it carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import Message

from tnefparse.tnef import TNEF

from gongdan.intake.adapters.mailheaders import decode_bytes, guess_decode, header_text, raw_header
from gongdan.tickets.services import Upload

MAX_DEPTH = 20
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")


@dataclass
class Parts:
    plains: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    files: list[Upload] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)  # header blocks of enclosed messages
    reported_ids: list[str] = field(default_factory=list)  # Message-IDs a DSN reports on
    notes: list[str] = field(default_factory=list)


def declared_charsets(msg: Message) -> tuple[str, ...]:
    found = []
    for part in msg.walk() if msg.is_multipart() else [msg]:
        charset = _param(part, "Content-Type", "charset")
        if charset and charset.lower() not in found:
            found.append(charset.lower())
    return tuple(found)


def _param(part: Message, header: str, name: str) -> str:
    """A header parameter, RFC 2231 and quoted forms alike; "" when absent or unreadable."""
    raw = raw_header(part, header)
    if not raw:
        return ""
    try:
        value = email_policy.default.header_factory(header, raw).params.get(name)
    except Exception:  # headerregistry refuses some broken headers: read the parameter by hand
        value = None
    if value is None:
        match = re.search(rf'(?i)\b{name}\s*=\s*("[^"]*"|[^;\s]+)', raw)
        value = match.group(1).strip('"') if match else ""
    return str(value)


def content_type(part: Message) -> str:
    raw = raw_header(part, "Content-Type").split(";")[0].strip().lower()
    return raw if re.fullmatch(r"[a-z0-9.+_-]+/[a-z0-9.+_-]+", raw or "") else part.get_default_type()


def disposition(part: Message) -> str:
    return raw_header(part, "Content-Disposition").split(";")[0].strip().lower()


def filename(part: Message, index: int, declared: tuple[str, ...]) -> str:
    name = _param(part, "Content-Disposition", "filename") or _param(part, "Content-Type", "name")
    if name:
        text = header_text(name, declared).replace("/", "_").replace("\\", "_").replace("\x00", "")
        if text.strip():
            return text.strip()[:200]
    ctype = content_type(part)
    extension = {"message/rfc822": "eml", "text/plain": "txt", "application/pgp-signature": "asc"}.get(ctype)
    return f"part-{index}.{extension or ctype.split('/')[-1]}"


def payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep the text as it came
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def part_text(part: Message, declared: tuple[str, ...]) -> str:
    return decode_bytes(payload(part), _param(part, "Content-Type", "charset") or None, declared)


def _is_file(part: Message, ctype: str, disp: str, name_given: bool) -> bool:
    """Attachments and inline images (cid:) are files; a named text part is a file too."""
    if disp == "attachment" or ctype.startswith("image/") or raw_header(part, "Content-ID"):
        return True
    return name_given and ctype not in ("text/plain", "text/html")


def forwarded_block(inner: Message, declared: tuple[str, ...]) -> str:
    lines = ["---------- 转发的邮件 / Forwarded message ----------"]
    for label, header in (("From", "From"), ("Date", "Date"), ("Subject", "Subject"), ("To", "To")):
        value = header_text(raw_header(inner, header), declared)
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _enclosed(part: Message) -> Message | None:
    inner = part.get_payload()
    if isinstance(inner, list) and inner and isinstance(inner[0], Message):
        return inner[0]
    return None


def _as_bytes(msg: Message) -> bytes:
    try:
        return msg.as_bytes()
    except Exception:  # headers the generator cannot re-fold: the text as parsed
        return str(msg).encode("utf-8", "surrogateescape")


def _unpack_tnef(data: bytes, parts: Parts, declared: tuple[str, ...], fallback_name: str) -> bool:
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception:
        return False
    for index, attachment in enumerate(tnef.attachments):
        name = (attachment.long_filename() or attachment.name or f"winmail-{index + 1}.bin").strip("\x00 ")
        parts.files.append(Upload(name[:200] or fallback_name, bytes(attachment.data or b""), ""))
    body = tnef.body
    if body:
        text = body if isinstance(body, str) else guess_decode(bytes(body), declared)
        parts.plains.append(text.replace("\x00", ""))
    parts.notes.append(f"winmail.dat unpacked: {len(tnef.attachments)} file(s)")
    return True


def _report(part: Message, parts: Parts) -> None:
    """A delivery report names the message it is about: threading finds the ticket by it."""
    for sub in part.walk():
        ctype = content_type(sub)
        if ctype == "message/rfc822":
            inner = _enclosed(sub)
            if inner is not None:
                parts.reported_ids += MESSAGE_ID.findall(raw_header(inner, "Message-ID"))
        elif ctype == "text/rfc822-headers":
            text = payload(sub).decode("utf-8", "replace")
            match = re.search(r"(?im)^message-id:\s*(<[^<>\s]+>)", text)
            if match:
                parts.reported_ids.append(match.group(1))


def _forward(part: Message, index: int, parts: Parts, declared: tuple[str, ...]) -> bool:
    inner = _enclosed(part)
    if inner is None:
        return False
    parts.forwarded.append(forwarded_block(inner, declared))
    subject = header_text(raw_header(inner, "Subject"), declared)
    name = filename(part, index, declared)
    if name.startswith("part-") and subject:
        name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", subject)[:180] + ".eml"
    parts.files.append(Upload(name, _as_bytes(inner), "message/rfc822"))
    return True


def _leaf(part: Message, index: int, parts: Parts, declared: tuple[str, ...]) -> None:
    ctype, disp = content_type(part), disposition(part)
    if ctype.startswith("multipart/"):  # a multipart without a usable boundary is just text
        ctype = "text/plain"
    named = bool(_param(part, "Content-Disposition", "filename") or _param(part, "Content-Type", "name"))
    name = filename(part, index, declared)
    is_tnef = ctype in TNEF_TYPES or name.lower() == "winmail.dat"
    if is_tnef and _unpack_tnef(payload(part), parts, declared, name):
        return
    if _is_file(part, ctype, disp, named) or ctype not in ("text/plain", "text/html"):
        data = payload(part)
        if data:
            parts.files.append(Upload(name, data, ctype))
        else:
            parts.notes.append(f"empty attachment {name} skipped")
    elif ctype == "text/plain":
        parts.plains.append(part_text(part, declared))
    else:
        parts.htmls.append(part_text(part, declared))


def walk(msg: Message, declared: tuple[str, ...]) -> Parts:
    parts = Parts()
    if content_type(msg) == "multipart/report":
        _report(msg, parts)
    stack: list[tuple[Message, int]] = [(msg, 0)]
    index = 0
    while stack:
        part, depth = stack.pop(0)
        index += 1
        if content_type(part) in ("message/rfc822", "message/global") and _forward(part, index, parts, declared):
            continue
        if part.is_multipart():
            if depth < MAX_DEPTH:
                children = [p for p in part.get_payload() if isinstance(p, Message)]
                stack[0:0] = [(child, depth + 1) for child in children]
            continue
        _leaf(part, index, parts, declared)
    return parts
