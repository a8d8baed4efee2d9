"""Queue table rows, built in Python.

Per-row template logic (filters, `get_…_display`, an included SLA partial, `{% url %}`, a
`{% blocktranslate %}`, a dozen escaped lookups) was most of the queue page's time: fifty rows on
every page load and every live refresh. Each row is one `str.format` here over values escaped with
`html.escape` (what Django's `escape` does, without its lazy-string wrapper: ~600 values a page);
the template prints `t.row_html`. The markup is the one the template had (tests compare them).
"""

from html import escape

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from gongdan.core import clock
from gongdan.sla import selectors as sla_selectors
from gongdan.tickets.models import Ticket
from gongdan.web.templatetags.workspace import bi, kind_class, priority_class, sla_class

ROW = (
    '<tr class="ticket-row" data-number="{number}">{check}'
    '<td class="text-nowrap"><a class="ticket-link" href="{href}">{number}</a></td>'
    '<td class="subject">{subject}{vip}{stagnation}{pending}</td>'
    '<td class="d-none d-md-table-cell">{customer}</td>'
    '<td><span class="{priority_css}">{priority}</span></td>'
    '<td><span class="badge {status_css}">{status}</span></td>'
    '<td class="d-none d-md-table-cell">{assignee}{team}</td>'
    '<td><span class="sla"><span class="badge {sla_css}">{sla}</span>{due}</span></td>'
    '<td class="d-none d-lg-table-cell text-nowrap small"><time datetime="{updated_iso}">{updated}</time></td>'
    "</tr>"
)
CHECK = (
    '<td><input class="form-check-input bulk-check" type="checkbox" name="tickets" value="{number}" '
    'id="sel-{number}" aria-label="{label}"></td>'
)
EMPTY = ""
VIP = ' <span class="badge text-bg-warning">VIP</span>'
# The worker has not judged the new ticket yet (classification, score, duplicates, routing).
PENDING = ' <span class="badge text-bg-light border triage-pending">{label}</span>'


def _shown(value) -> str:
    """As the `date:"SHORT_DATETIME_FORMAT"` filter prints it (in the current time zone and language)."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _choices(field: str) -> dict[str, str]:
    return {value: str(label) for value, label in Ticket._meta.get_field(field).flatchoices}


class Labels:
    """What every row of one page shares: choice labels in the current language, the link prefix."""

    def __init__(self, *, bulk: bool):
        self.bulk = bulk
        self.sla = _choices("sla_status")
        self.stagnation = _choices("stagnation_level")
        self.prefix = reverse("web:ticket", args=["-"])[:-2]
        self.none = '<span class="text-muted">—</span>'
        self.pending = PENDING.format(label=escape(_("Triage pending")))
        self.now = clock.now()


def _sla(t: Ticket, now) -> tuple[str, object]:
    due = getattr(t, "next_due", None)
    if due and due.year >= 9000:  # no open deadline sorts as the far future
        due = None
    return sla_selectors.shown(t.sla_status, due, now)


def _due(due) -> str:
    if not due:
        return EMPTY
    iso = escape(due.isoformat())
    return f' <time class="countdown small" datetime="{iso}" data-due="{iso}">{escape(_shown(due))}</time>'


def row(t: Ticket, labels: Labels) -> SafeString:
    number = escape(t.number)
    sla_status, due = _sla(t, labels.now)
    check = CHECK.format(number=number, label=escape(_("Select %(number)s") % {"number": t.number}))
    stagnation = labels.stagnation.get(t.stagnation_level, t.stagnation_level) if t.stagnation_level else ""
    return mark_safe(  # every value below is escaped
        ROW.format(
            number=number,
            check=check if labels.bulk else EMPTY,
            href=escape(f"{labels.prefix}{t.number}/"),
            subject=escape(t.subject),
            vip=VIP if t.customer.tier == "vip" else EMPTY,
            stagnation=f' <span class="badge stagnant-{escape(t.stagnation_level)}">{escape(stagnation)}</span>'
            if stagnation
            else EMPTY,
            pending=labels.pending if t.triage_pending else EMPTY,
            customer=escape(str(t.customer)),
            priority_css=escape(priority_class(t.priority.code)),
            priority=escape(t.priority.code),
            status_css=escape(kind_class(t.status.kind)),
            status=escape(bi(t.status, "label")),
            assignee=escape(str(t.assignee)) if t.assignee_id else labels.none,
            team=f'<div class="small text-muted">{escape(bi(t.team))}</div>' if t.team_id else EMPTY,
            sla_css=escape(sla_class(sla_status)),
            sla=escape(labels.sla.get(sla_status, sla_status)),
            due=_due(due),
            updated_iso=escape(t.updated_at.isoformat()),
            updated=escape(_shown(t.updated_at)),
        )
    )


def label(tickets, *, bulk: bool) -> list[Ticket]:
    """Set `row_html` on each ticket of the page (and return them as a list)."""
    tickets = list(tickets)
    labels = Labels(bulk=bulk)
    for t in tickets:
        t.row_html = row(t, labels)
    return tickets
