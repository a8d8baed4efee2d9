"""Threading headers on outbound ticket mail, so the customer's reply threads back to the ticket."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings

from gongdan.core import clock
from gongdan.customers.models import CustomerIdentity
from gongdan.intake.adapters import loopsign
from gongdan.intake.models import ThreadReference

MAX_REFERENCES = 20


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rsplit("@", 1)[1] if "@" in address else "gongdan.local"


def _is_customers_address(ticket, recipient: str) -> bool:
    customer = ticket.customer if type(ticket).customer.is_cached(ticket) else None
    loaded = getattr(customer, "_prefetched_objects_cache", {}).get("identities")
    if loaded is not None:  # intake's identity resolution already read them
        return any(identity.kind == "email" and identity.value == recipient for identity in loaded)
    return CustomerIdentity.objects.filter(customer_id=ticket.customer_id, kind="email", value=recipient).exists()


def thread_headers(message) -> dict[str, str]:
    """Message-ID / In-Reply-To / References for mail about a ticket; records our Message-ID."""
    ticket = message.ticket
    if ticket is None or not ticket.number:
        return {}
    recipient = message.recipient.strip().lower()
    if not _is_customers_address(ticket, recipient):
        return {}  # staff alerts about a ticket are not part of the customer's thread
    message_id = f"<gd-{ticket.number.lower()}-{message.pk}@{_domain()}>"
    refs = list(ThreadReference.objects.filter(ticket=ticket).order_by("id").values_list("message_id", "outbound"))
    headers = {
        "Message-ID": message_id,
        "X-Gongdan-Ticket": ticket.number,
        loopsign.HEADER: loopsign.sign(ticket.number, message.pk),
    }
    inbound = [mid for mid, outbound in refs if not outbound]
    if inbound:
        headers["In-Reply-To"] = inbound[-1]
    if refs:
        chain = [mid for mid, _ in refs]
        headers["References"] = " ".join([chain[0], *chain[1:][-(MAX_REFERENCES - 1) :]])
    if (message.dedupe_key or "").startswith("intake-ack:"):
        # RFC 3834: an automatic answer; well-behaved autoresponders do not answer it.
        headers["Auto-Submitted"] = "auto-replied"
    # Kept if already recorded (a retried message), as get_or_create would, in one statement.
    ThreadReference.objects.bulk_create(
        [ThreadReference(message_id=message_id, ticket=ticket, outbound=True, created_at=clock.now())],
        ignore_conflicts=True,
    )
    return headers


def _thread_headers_many(messages) -> list[dict[str, str]]:
    """`thread_headers` for a batch: one query finds the few messages addressed to their ticket's customer."""
    about = [m for m in messages if m.ticket is not None and m.ticket.number]
    addresses = {m.recipient.strip().lower() for m in about}
    customers = {m.ticket.customer_id for m in about}
    threaded = set()
    if about:
        identities = CustomerIdentity.objects.filter(kind="email", customer_id__in=customers, value__in=addresses)
        threaded = set(identities.values_list("customer_id", "value"))
    return [
        thread_headers(m)
        if m.ticket is not None and (m.ticket.customer_id, m.recipient.strip().lower()) in threaded
        else {}
        for m in messages
    ]


thread_headers.many = _thread_headers_many  # type: ignore[attr-defined]
