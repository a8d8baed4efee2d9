"""Forms of the triage panel: a priority override with its reason, and a classification correction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongdan.tickets.constants import PriorityCode, Sentiment
from gongdan.tickets.models import Category
from gongdan.web.forms import ModelChoiceField, StyledForm


class OverrideForm(StyledForm):
    code = forms.ChoiceField(label=_("Priority"), choices=PriorityCode.choices)
    reason = forms.CharField(label=_("Reason for the override"), max_length=1000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ov")
        super().__init__(*args, **kwargs)


class CorrectionForm(StyledForm):
    category = ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), to_field_name="code"
    )
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=500)
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=[("", "—"), *Sentiment.choices], required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cl")
        super().__init__(*args, **kwargs)

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()]
