"""Forms of the customer portal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongdan.tickets.models import Category
from gongdan.web.forms import ModelChoiceField, MultipleFileField, StyledForm


class LoginLinkForm(StyledForm):
    email = forms.EmailField(label=_("Email address"), max_length=200)


class RequestForm(StyledForm):
    category = ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    device = forms.ChoiceField(label=_("Device"), required=False)
    device_sn = forms.CharField(
        label=_("Other device serial number (SN)"),
        required=False,
        max_length=100,
        help_text=_("If your device is not listed, type its serial number from the label."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            Category.objects.filter(is_active=True).select_related("parent__parent").order_by("code")
        )
        devices = list(customer.devices.all()) if customer else []
        self.fields["device"].choices = [("", "—")] + [
            (d.serial_number, f"{d.serial_number} {d.model}".strip()) for d in devices
        ]

    def device_serial(self) -> str:
        return self.cleaned_data.get("device") or self.cleaned_data.get("device_sn", "").strip()


class ReplyForm(StyledForm):
    body = forms.CharField(label=_("Your reply"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label=_("Attachments"), required=False)
