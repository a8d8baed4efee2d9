"""The ticket page's timeline: the newest events, and the earlier ones on request.

A long conversation (100+ events) cost most of the ticket page's time in template rendering, on
every open and every live refresh. The page shows the newest `LATEST` events; "Show earlier
events" loads the rest into place (htmx) or reopens the page with `?timeline=all` (no script).
"""

from dataclasses import dataclass
from html import escape

from django.db.models import Prefetch, Q, QuerySet
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongdan.tickets import access
from gongdan.tickets.models import Ticket, TicketEvent
from gongdan.web.templatetags.workspace import event_label, own_summary

LATEST = 30
ALL = "all"


@dataclass(frozen=True)
class Timeline:
    events: list[TicketEvent]
    # The id of the oldest event shown when there are earlier ones (they are loaded before it).
    earlier_than: int | None = None

    @property
    def html(self) -> SafeString:
        return markup(self.events)


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


# ---- markup ---------------------------------------------------------------------------------
# Thirty events × a dozen template lookups, filters and `{% translate %}` tags were still half of
# the ticket page's rendering; each event is now one `str.format` over values escaped with
# `html.escape`. The markup is the template's (tests/web/test_fast_markup.py compares them).

ITEM = (
    '<li class="timeline-item event-{type}{internal}" id="event-{pk}">'
    '<div class="small text-muted"><span class="fw-semibold text-body">{actor}</span> · '
    '<span class="event-type">{label}</span>{internal_badge}{effective} · '
    '<time datetime="{iso}">{shown}</time></div>{summary}{body}{mentions}{files}</li>'
)


class _Shared:
    """What every event of one response shares: words in the current language, the attachment link."""

    def __init__(self):
        self.internal = f'<span class="badge text-bg-warning">{escape(_("Internal"))}</span>'
        title = escape(_("Counts as an effective action"))
        self.effective = f'<span class="badge text-bg-light" title="{title}">✓</span>'
        self.mentioned = escape(_("Mentioned"))
        self.attachment = reverse("web:attachment", args=[0])[:-2]


def _files(event: TicketEvent, shared: _Shared) -> str:
    return "".join(
        f'<div><a href="{escape(f"{shared.attachment}{file.pk}/")}">📎 {escape(file.filename)}</a> '
        f'<span class="small text-muted">{escape(str(filesizeformat(file.size)))}</span></div>'
        for file in event.files
    )


def _item(event: TicketEvent, shared: _Shared) -> str:
    summary = own_summary(event)
    mentions = " ".join(f"@{escape(user.username)}" for user in event.mentioned)
    return ITEM.format(
        type=escape(event.event_type),
        internal="" if event.is_public else " internal",
        pk=event.pk,
        actor=escape(event.actor_label),
        label=escape(str(event_label(event.event_type))),
        internal_badge="" if event.is_public else shared.internal,
        effective=shared.effective if event.is_effective else "",
        iso=escape(event.created_at.isoformat()),
        shown=escape(formats.date_format(timezone.localtime(event.created_at), "SHORT_DATETIME_FORMAT")),
        summary=f'<div class="event-summary fw-semibold">{escape(summary)}</div>' if summary else "",
        body=f'<div class="event-body">{linebreaksbr(event.body)}</div>' if event.body else "",
        mentions=f'<div class="small">{shared.mentioned}: {mentions} </div>' if event.mentioned else "",
        files=_files(event, shared),
    )


GROUP = (
    '<li class="timeline-group"><details><summary class="small text-muted">{label}</summary>'
    '<ol class="list-unstyled mb-0 mt-1">{items}</ol></details></li>'
)


def _is_system(event: TicketEvent) -> bool:
    return event.actor_id is None and event.actor_customer_id is None and not event.body


def _runs(events: list[TicketEvent]) -> list[list[TicketEvent]]:
    """Consecutive system events (warnings, breaches, escalation steps…) together; anything else alone."""
    runs: list[list[TicketEvent]] = []
    for event in events:
        if runs and _is_system(event) and _is_system(runs[-1][-1]):
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def markup(events: list[TicketEvent]) -> SafeString:
    """The timeline items of `events`, in order; a run of system events folds into one item."""
    shared = _Shared()
    parts = []
    for run in _runs(events):
        items = "\n".join(_item(event, shared) for event in run)
        if len(run) == 1:
            parts.append(items)
            continue
        label = ngettext("%(count)d system event", "%(count)d system events", len(run)) % {"count": len(run)}
        labels = " · ".join(dict.fromkeys(str(event_label(event.event_type)) for event in run))
        parts.append(GROUP.format(label=escape(f"{label}: {labels}"), items=items))
    return mark_safe("\n".join(parts))  # every value is escaped
