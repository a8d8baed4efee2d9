"""Routing forms: they parse input; the routing services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongdan.accounts.constants import Availability
from gongdan.accounts.models import Skill
from gongdan.web.forms import ModelChoiceField, StyledForm, staff_choices


class DispatchForm(StyledForm):
    latitude = forms.FloatField(label=_("Site latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Site longitude"), min_value=-180, max_value=180)
    skill = ModelChoiceField(label=_("Extra skill needed"), queryset=Skill.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "dp")
        super().__init__(*args, **kwargs)


class ReassignForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ra")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_choices()


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(choices=Availability.choices)
