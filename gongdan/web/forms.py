"""Forms of the agent workspace. They parse input; the ticket services decide and write."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gongdan.accounts.constants import STAFF_ROLES
from gongdan.accounts.models import Team, User
from gongdan.core.errors import DomainError
from gongdan.tickets.constants import PriorityCode
from gongdan.tickets.models import Status
from gongdan.web.templatetags.workspace import bi


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and aria-invalid on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def full_clean(self):
        super().full_clean()
        mark_invalid(self)


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def mark_invalid(form: forms.BaseForm) -> None:
    for name in getattr(form, "_errors", None) or {}:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def _attrs(attrs: dict) -> str:
    # Each piece is escaped by format_html; the joined result is safe to insert as is.
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class FastSelect(forms.Select):
    """Django's select widget, same markup, built in Python instead of one included template per
    option: the staff and team lists made the forms a quarter of the ticket page's rendering time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>', str(option["value"]), _attrs(option["attrs"]), option["label"]
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # every part comes from format_html


class ListChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the choices with one plain query: the default `.iterator()` opens a server-side cursor
    on PostgreSQL (three round trips) for lists of a few dozen rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = ListChoiceIterator

    def label_from_instance(self, obj) -> str:
        return choice_label(obj)


def choice_label(obj) -> str:
    """Teams, statuses and skills name themselves "中文 / English" and categories by their Chinese
    path: a list shows the current language only."""
    if hasattr(obj, "path"):
        return " › ".join(bi(node) for node in obj.path())
    return bi(obj)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def staff_choices():
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("username")


class ComposerForm(StyledForm):
    KIND_CHOICES = [("reply", _("Public reply")), ("note", _("Internal note"))]

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=200,
        help_text=_("One line on what was done; a note counts as an effective action only with a summary."),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mention a colleague with @username."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, can_reply: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_reply:
            self.fields["kind"].choices = [("note", _("Internal note"))]
            self.fields["kind"].initial = "note"


class VersionField(forms.IntegerField):
    """The ticket version the form was rendered from (hidden): a change made meanwhile refuses the write."""

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, widget=forms.HiddenInput, **kwargs)


class StatusForm(StyledForm):
    version = VersionField()
    status = ModelChoiceField(
        label=_("New status"), queryset=Status.objects.none(), to_field_name="key", widget=FastSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when stepping back or closing without the customer's confirmation."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, max_length=200)

    def __init__(self, *args, statuses=None, **kwargs):
        # Prefixed: the status, assignment and composer forms share one page, so ids must not clash.
        kwargs.setdefault("prefix", "st")
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = statuses if statuses is not None else Status.objects.all()


class AssignForm(StyledForm):
    version = VersionField()
    assignee = ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False, widget=FastSelect)
    team = ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False, widget=FastSelect)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "as")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices()


class BulkForm(StyledForm):
    ACTIONS = [
        ("assign_me", _("Assign to me")),
        ("assign", _("Assign to…")),
        ("priority", _("Set priority")),
        ("status", _("Set status")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=FastSelect)
    tickets = forms.MultipleChoiceField(label=_("Tickets"), choices=[])
    assignee = ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False, widget=FastSelect)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", "—"), *PriorityCode.choices], required=False, widget=FastSelect
    )
    status = ModelChoiceField(
        label=_("Status"), queryset=Status.objects.all(), required=False, to_field_name="key", widget=FastSelect
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(n, n) for n in numbers]
        self.fields["assignee"].queryset = staff_choices()

    def clean(self):
        data = super().clean()
        needs = {"assign": "assignee", "priority": "priority", "status": "status"}.get(data.get("action"))
        if needs and not data.get(needs):
            self.add_error(needs, _("This field is required."))
        return data


def refusal_status(error: DomainError | None) -> int:
    """The status of a page showing a refused form: 422, or the service's own 5xx (507 for a full disk)."""
    return error.status if error is not None and error.status >= 500 else 422


def apply_domain_error(form: forms.Form, error: DomainError, language: str) -> None:
    """Show a service's refusal on the form: on the named field when there is one, else on the form."""
    message = error.message(language)
    placed = False
    for field in error.fields:
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, message)
    mark_invalid(form)
