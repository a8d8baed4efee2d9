"""The public web form (R2.1): anyone may ask for help; the form's own id makes a double submit one ticket."""

from __future__ import annotations

import base64
import json
import uuid

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gongdan.core import ratelimit
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.constants import Source
from gongdan.intake.pipeline.runner import ingest
from gongdan.tickets.models import Category
from gongdan.web.forms import ModelChoiceField, MultipleFileField, StyledForm


class RequestForm(StyledForm):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    category = ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, to_field_name="code"
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Describe the problem"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    device_sn = forms.CharField(label=_("Device serial number (optional)"), max_length=100, required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = Category.objects.filter(is_active=True).select_related("parent__parent").order_by("code")
        self.fields["category"].queryset = categories

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number so we can answer you."))
        return data


def _files(uploads) -> list[dict]:
    return [
        {
            "name": f.name,
            "content_type": f.content_type or "",
            "content_base64": base64.b64encode(f.read()).decode(),
        }
        for f in uploads
    ]


def request_form(request):
    if request.method != "POST":
        form = RequestForm(initial={"submission_id": uuid.uuid4()})
        return render(request, "intake/form.html", {"form": form})
    form = RequestForm(request.POST, request.FILES)
    verdict = ratelimit.check_form(request, "help-form")
    if not verdict.allowed:
        return ratelimit.refuse_form(
            form, verdict, lambda status: render(request, "intake/form.html", {"form": form}, status=status)
        )
    if not form.is_valid():
        return render(request, "intake/form.html", {"form": form}, status=422)
    data = form.cleaned_data
    payload = {
        "id": f"form:{data['submission_id']}",
        "sender": {"name": data["name"], "email": data["email"], "phone": data["phone"]},
        "subject": data["subject"],
        "body": data["body"],
        "device_sn": data["device_sn"],
        "language": request.LANGUAGE_CODE,
        "category": data["category"].code if data["category"] else "",
        "attachments": _files(data["attachments"]),
    }
    raw = json.dumps(payload, ensure_ascii=False).encode()
    result = ingest(message_from_json(payload, raw, source=Source.WEB), meta={"ip": request.META.get("REMOTE_ADDR")})
    status = 200 if result.dead_letter is None else 422
    return render(request, "intake/submitted.html", {"result": result}, status=status)
