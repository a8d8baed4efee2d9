"""The only write path for tickets (rule 1). Every public function is keyword-only, takes the
actor explicitly, runs in one transaction and writes typed timeline events (rule 3).

Callers import this package (`from gongdan.tickets import services`); the modules are split by concern.
"""

from gongdan.tickets.services._base import Upload, record_event
from gongdan.tickets.services.conversation import add_note, add_reply, attach
from gongdan.tickets.services.create import create_ticket
from gongdan.tickets.services.fields import (
    EDITABLE_FIELDS,
    add_external_ref,
    assign,
    link,
    set_category,
    set_parent,
    set_priority,
    update_fields,
)
from gongdan.tickets.services.locking import atomic_write, lock_ticket, lock_tickets, run_atomic_write
from gongdan.tickets.services.status import (
    change_status,
    close_resolved,
    merge,
    reopen,
    reopen_by_customer,
    unmerge,
)
from gongdan.tickets.services.versions import ensure_version

__all__ = [
    "EDITABLE_FIELDS",
    "Upload",
    "add_external_ref",
    "add_note",
    "add_reply",
    "assign",
    "atomic_write",
    "attach",
    "change_status",
    "close_resolved",
    "create_ticket",
    "ensure_version",
    "link",
    "lock_ticket",
    "lock_tickets",
    "merge",
    "record_event",
    "reopen",
    "reopen_by_customer",
    "run_atomic_write",
    "set_category",
    "set_parent",
    "set_priority",
    "unmerge",
    "update_fields",
]
