"""The state one intake attempt carries through the pipeline steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gongdan.core.context import Actor
from gongdan.customers.models import Customer
from gongdan.intake.message import Inbound
from gongdan.intake.models import InboundMessage, IntakePolicy
from gongdan.tickets.models import Ticket


class Rejected(Exception):
    """A step refuses the message: it becomes a dead letter with this reason code and detail."""

    def __init__(self, reason: str, detail: str, *, quarantine: bool = False):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.quarantine = quarantine


@dataclass
class IntakeContext:
    inbound: Inbound
    record: InboundMessage
    policy: IntakePolicy
    customer: Customer | None = None
    customer_created: bool = False
    actor: Actor | None = None
    # Set by follow_up (or a dedupe hook): the existing ticket this message continues.
    target: Ticket | None = None
    merged: bool = False
    ticket: Ticket | None = None
    # Triage hooks may fill ticket fields before creation (priority_code, category, tags…).
    ticket_fields: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Files set aside by the limits step: (upload, QuarantineReason), stored once the ticket is known.
    quarantine: list[tuple[Any, str]] = field(default_factory=list)
    # Set by a step that finished the message (held, auto-reply noted): later steps do not run.
    stop: bool = False
