from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    swap = forms.BooleanField(label=_("Keep the newer ticket as the master"), required=False)
    reason = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class ReasonForm(forms.Form):
    """Rejecting a proposal and un-merging both need a reason."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], required=False)
