"""The queue rows and select widgets built in Python print the markup the templates printed."""

import re
from datetime import timedelta

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from gongdan.core import clock
from gongdan.tickets.models import Ticket
from gongdan.web import queue_rows, queues
from gongdan.web.forms import AssignForm, FastSelect, StatusForm
from tests import factories

# The queue row as the template wrote it before the rows were built in Python.
TEMPLATE_ROW = """{% load i18n workspace %}
<tr class="ticket-row" data-number="{{ t.number }}">
  {% if bulk %}<td><input class="form-check-input bulk-check" type="checkbox" name="tickets" value="{{ t.number }}" id="sel-{{ t.number }}" aria-label="{% blocktranslate with number=t.number %}Select {{ number }}{% endblocktranslate %}"></td>{% endif %}
  <td class="text-nowrap"><a class="ticket-link" href="{% url 'web:ticket' t.number %}">{{ t.number }}</a></td>
  <td class="subject">{{ t.subject }}{% if t.customer.tier == "vip" %} <span class="badge text-bg-warning">VIP</span>{% endif %}{% if t.stagnation_level %} <span class="badge stagnant-{{ t.stagnation_level }}">{{ t.get_stagnation_level_display }}</span>{% endif %}{% if t.triage_pending %} <span class="badge text-bg-light border triage-pending">{% translate "Triage pending" %}</span>{% endif %}</td>
  <td class="d-none d-md-table-cell">{{ t.customer }}</td>
  <td><span class="{{ t.priority.code|priority_class }}">{{ t.priority.code }}</span></td>
  <td><span class="badge {{ t.status.kind|kind_class }}">{{ t.status|bi:"label" }}</span></td>
  <td class="d-none d-md-table-cell">{% if t.assignee %}{{ t.assignee }}{% else %}<span class="text-muted">—</span>{% endif %}{% if t.team %}<div class="small text-muted">{{ t.team|bi }}</div>{% endif %}</td>
  <td>{% include "web/partials/sla.html" with t=t %}</td>
  <td class="d-none d-lg-table-cell text-nowrap small"><time datetime="{{ t.updated_at|iso }}">{{ t.updated_at|date:"SHORT_DATETIME_FORMAT" }}</time></td>
</tr>"""  # noqa: E501


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("bulk", [True, False])
def test_a_queue_row_is_the_markup_the_template_printed(customer, agent, service_team, language, bulk):
    vip = factories.customer_with_login("vip_<b>", email="vip@example.com")
    vip.tier = "vip"
    vip.name = 'Zhao "<VIP>" & Co'
    vip.save()
    plain = factories.ticket_for(customer, subject="打印机 <卡纸> & 报错")
    special = factories.ticket_for(vip, subject="VIP 投诉", team=service_team)
    Ticket.objects.filter(pk=special.pk).update(
        assignee=agent,
        stagnation_level="yellow",
        triage_pending=True,
        sla_status="at_risk",
        resolution_due_at=clock.now() + timedelta(hours=2),
    )
    rows = list(queues.tickets("recent", agent, queues.Filters()).order_by("pk"))
    assert {t.pk for t in rows} == {plain.pk, special.pk}
    with translation.override(language):
        labelled = queue_rows.label(rows, bulk=bulk)
        for t in labelled:
            expected = Template(TEMPLATE_ROW).render(Context({"t": t, "bulk": bulk}))
            assert _squeeze(t.row_html) == _squeeze(expected)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_fast_select_prints_what_the_django_select_printed(ticket, language, agent):
    with translation.override(language):
        for form in (StatusForm(), AssignForm(initial={"assignee": agent.pk}), StatusForm(data={"st-status": "x"})):
            form.is_bound and form.is_valid()
            for name, field in form.fields.items():
                if not isinstance(field.widget, FastSelect):
                    continue
                fast = str(form[name])
                field.widget = forms.Select(attrs=field.widget.attrs, choices=field.widget.choices)
                assert _squeeze(fast) == _squeeze(str(form[name]))
                assert "<option" in fast


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_timeline_items_are_the_markup_the_template_printed(agent_client, ticket, web_actor, other_agent, language):
    from pathlib import Path

    from gongdan.tickets import services
    from gongdan.web import timeline

    services.add_note(
        actor=web_actor,
        ticket=ticket,
        body="@agent_wang 请看 <日志>\n第二行 & 更多",
        summary="查看 <服务器> 日志",
        attachments=[services.Upload("错误 <1>.png", b"\x89PNG" + b"0" * 3000, "image/png")],
    )
    services.add_reply(actor=web_actor, ticket=ticket, body="已处理，请重试。", summary="")
    reference = Template((Path(__file__).parent / "reference" / "timeline_items.html").read_text())
    with translation.override(language):
        events = timeline.for_page(web_actor.user, ticket, everything=True).events
        assert any(event.files for event in events) and any(event.mentioned for event in events)
        expected = reference.render(Context({"events": events}))
        assert _squeeze(timeline.markup(events)) == _squeeze(expected)
