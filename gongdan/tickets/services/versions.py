"""Optimistic concurrency: a write based on an older read of the ticket is refused, not applied.

Every event the services record bumps `Ticket.version`. The API sends it as the `ETag` of a ticket
and takes it back in `If-Match`; the desk's edit forms carry it in a hidden field. The comparison
happens on the locked row, inside the writing transaction, so two writers that both read version 7
cannot both pass it: the second one finds 8 and is refused with the ticket's current values.
"""

from typing import Any

from gongdan.core.errors import PreconditionFailed
from gongdan.tickets.models import Ticket
from gongdan.tickets.services.locking import lock_ticket


def etag(version: int) -> str:
    """The strong entity tag of a ticket at `version` (opaque to clients)."""
    return f'"v{version}"'


def parse_if_match(header: str | None) -> list[int] | None:
    """The versions an `If-Match` header accepts; None for no header or `*` (any version).

    A weak tag (`W/"v7"`) counts as its strong form: a proxy that compresses the response weakens
    the tag it passes on, yet it still names a version of the ticket. Anything that is not one of
    our tags matches no version, so the precondition fails as RFC 9110 asks.
    """
    if header is None or header.strip() == "*":
        return None
    versions = []
    for part in header.split(","):
        tag = part.strip().removeprefix("W/")
        if len(tag) > 3 and tag[0] == tag[-1] == '"' and tag[1] == "v" and tag[2:-1].isdigit():
            versions.append(int(tag[2:-1]))
    return versions


def current_values(ticket: Ticket) -> dict[str, Any]:
    """What a refused writer is shown: the fields the desk edits, as they are now."""
    return {
        "version": ticket.version,
        "subject": ticket.subject,
        "status": ticket.status.key,
        "priority": ticket.priority.code,
        "category": ticket.category.code if ticket.category_id else None,
        "assignee": str(ticket.assignee) if ticket.assignee_id else None,
        "team": ticket.team.code if ticket.team_id else None,
        "updated_at": ticket.updated_at.isoformat(),
    }


def ensure_version(*, ticket: Ticket, versions: list[int] | None) -> Ticket:
    """Lock the ticket and check it is still at one of `versions` (None: any version).

    Call it first inside the transaction of the write it guards; it returns the locked ticket.
    """
    locked = lock_ticket(ticket)
    if versions is not None and locked.version not in versions:
        raise PreconditionFailed(
            f"{locked.number} was changed by someone else after you loaded it (now version {locked.version}); "
            "your change was not saved. Review the current values and try again.",
            f"{locked.number} 在你打开之后已被他人修改（当前版本 {locked.version}），你的修改未保存。"
            "请查看当前内容后重试。",
            current=current_values(locked),
        )
    return locked
