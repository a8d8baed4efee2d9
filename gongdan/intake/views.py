"""The public web form (R2.1): anyone may ask for help; the form's own id makes a double submit one ticket."""

from __future__ import annotations

import json
import uuid

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gongdan.core import ratelimit
from gongdan.intake.adapters.payloads import message_from_json
from gongdan.intake.constants import Source
from gongdan.intake.pipeline.runner import ingest


class RequestForm(forms.Form):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Describe the problem"), max_length=20000, widget=forms.Textarea)
    device_sn = forms.CharField(label=_("Device serial number (optional)"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number so we can answer you."))
        return data


def request_form(request):
    if request.method != "POST":
        form = RequestForm(initial={"submission_id": uuid.uuid4()})
        return render(request, "intake/form.html", {"form": form})
    form = RequestForm(request.POST)
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
    }
    raw = json.dumps(payload, ensure_ascii=False).encode()
    result = ingest(message_from_json(payload, raw, source=Source.WEB), meta={"ip": request.META.get("REMOTE_ADDR")})
    status = 200 if result.dead_letter is None else 422
    return render(request, "intake/submitted.html", {"result": result}, status=status)
