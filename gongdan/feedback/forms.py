from django import forms
from django.utils.translation import gettext_lazy as _

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
RATINGS = [(str(n), str(n)) for n in range(1, 6)]


class ConfirmationForm(forms.Form):
    solved = forms.ChoiceField(label=_("Was the problem solved?"), choices=YES_NO, widget=forms.RadioSelect)
    clear = forms.ChoiceField(label=_("Was the solution clear?"), choices=YES_NO, widget=forms.RadioSelect)
    rating = forms.ChoiceField(
        label=_("How would you rate our service? (1 = poor, 5 = excellent)"), choices=RATINGS, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
