"""The ticket page's timeline: the newest events, and the earlier ones on request.

A long conversation (100+ events) cost most of the ticket page's time in template rendering, on
every open and every live refresh. The page shows the newest `LATEST` events; "Show earlier
events" loads the rest into place (htmx) or reopens the page with `?timeline=all` (no script).
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from gongdan.tickets import access
from gongdan.tickets.models import Ticket, TicketEvent

LATEST = 30
ALL = "all"


@dataclass(frozen=True)
class Timeline:
    events: list[TicketEvent]
    # The id of the oldest event shown when there are earlier ones (they are loaded before it).
    earlier_than: int | None = None


def _events(user, ticket: Ticket) -> QuerySet[TicketEvent]:
    # to_attr lists: the template reads plain lists instead of building a related manager per event.
    files = Prefetch("attachments", queryset=access.visible_attachments(user, ticket), to_attr="files")
    mentioned = Prefetch("mentions", to_attr="mentioned")
    return (
        access.visible_events(user, ticket).select_related("actor", "actor_customer").prefetch_related(files, mentioned)
    )


def for_page(user, ticket: Ticket, *, everything: bool = False) -> Timeline:
    """Oldest first; only the newest LATEST events unless `everything`."""
    if everything:
        return Timeline(list(_events(user, ticket).order_by("created_at", "id")))
    newest = list(_events(user, ticket).order_by("-created_at", "-id")[: LATEST + 1])
    more = len(newest) > LATEST
    events = newest[:LATEST][::-1]
    return Timeline(events, earlier_than=events[0].pk if more else None)


def earlier(user, ticket: Ticket, event_id: int) -> list[TicketEvent]:
    """Every visible event before event `event_id` (oldest first); none if that event is not visible."""
    anchor = access.visible_events(user, ticket).filter(pk=event_id).values("created_at").first()
    if anchor is None:
        return []
    before = Q(created_at__lt=anchor["created_at"]) | Q(created_at=anchor["created_at"], pk__lt=event_id)
    return list(_events(user, ticket).filter(before).order_by("created_at", "id"))
