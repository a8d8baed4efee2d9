"""Our own signature on outbound mail, so a mail that comes back to us is recognised as a loop.

A header name proves nothing (anyone can write `X-Gongdan-Ticket` or a `<gd-…>` Message-ID); an
HMAC of the ticket number and message id with the secret key does. The token travels in its own
header because some relays (Exchange, SES) replace the Message-ID.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

HEADER = "X-Gongdan-Signature"
TOKEN = re.compile(r"^\s*(\d+)\.([0-9a-f]{32})\s*$")


def _digest(ticket_number: str, message_pk: int) -> str:
    key = ("gongdan-mail-loop:" + settings.SECRET_KEY).encode()
    message = f"{ticket_number.upper()}:{message_pk}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def sign(ticket_number: str, message_pk: int) -> str:
    return f"{message_pk}.{_digest(ticket_number, message_pk)}"


def is_ours(ticket_number: str, token: str) -> bool:
    match = TOKEN.match(token or "")
    if not match or not ticket_number:
        return False
    expected = _digest(ticket_number.strip(), int(match.group(1)))
    return hmac.compare_digest(expected, match.group(2))
