"""My sign-in security: signed-in browsers (revoke one, sign out everywhere) and two-factor sign-in.
Every signed-in user has this page; customers see their sessions, staff also the 2FA part."""

import base64

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongdan.accounts import mfa, sessions
from gongdan.accounts.constants import Role
from gongdan.core.context import client_ip
from gongdan.core.errors import DomainError


def _base(request: HttpRequest) -> str:
    return (
        "portal/base.html" if request.user.role == Role.CUSTOMER and not request.user.is_superuser else "web/base.html"
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "base": _base(request),
        "sessions": sessions.open_sessions(user),
        "current_key": request.session.session_key,
        "is_staff_role": user.is_superuser or user.role != Role.CUSTOMER,
        "enrolled": mfa.is_enrolled(user),
        "required": mfa.required_for(user),
        "codes_left": mfa.recovery_codes_left(user),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@login_required
def revoke_session(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        row = sessions.revoke(actor=request.user, session_id=session_id, ip=client_ip(request))
    except DomainError as error:
        messages.error(request, error.message(get_language()))
        return redirect("accounts:security")
    if row.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    messages.success(request, _("That browser has been signed out."))
    return redirect("accounts:security")


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    sessions.sign_out_everywhere(actor=request.user, user=request.user, ip=client_ip(request))
    logout(request)
    return redirect("login")


@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.CUSTOMER and not user.is_superuser:
        return redirect("accounts:security")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    handler = {"enrol": _enrol, "verify": _verify, "renew": _renew, "remove": _remove}.get(action)
    if handler is not None:
        return handler(request)
    return _page(request)


def _page(request: HttpRequest, *, error: str = "", codes: list[str] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    enrolled = mfa.is_enrolled(user)
    device = None if enrolled else mfa.begin_enrolment(user=user)
    context = {
        "enrolled": enrolled,
        "verified": bool(request.session.get(mfa.SESSION_FLAG)),
        "required": mfa.required_for(user),
        "codes": codes,
        "codes_left": mfa.recovery_codes_left(user),
        "error": error,
        "qr": mfa.qr_svg(device) if device else "",
        "secret": _grouped(device) if device else "",
    }
    return render(request, "accounts/two_factor.html", context, status=status)


def _grouped(device) -> str:
    text = base64.b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _enrol(request: HttpRequest) -> HttpResponse:
    try:
        codes = mfa.confirm_enrolment(user=request.user, token=request.POST.get("token", ""), ip=client_ip(request))
    except DomainError as error:
        return _page(request, error=error.message(get_language()), status=422)
    request.session[mfa.SESSION_FLAG] = True
    # Shown once, in this answer only.
    return _page(request, codes=codes)


def _verify(request: HttpRequest) -> HttpResponse:
    if not mfa.verify(user=request.user, token=request.POST.get("token", ""), ip=client_ip(request)):
        return _page(request, error=_("That code is not right."), status=422)
    request.session[mfa.SESSION_FLAG] = True
    return redirect("accounts:mfa")


def _renew(request: HttpRequest) -> HttpResponse:
    if not request.session.get(mfa.SESSION_FLAG):
        return _page(request, error=_("Confirm a code from your app first."), status=403)
    try:
        codes = mfa.renew_recovery_codes(user=request.user, ip=client_ip(request))
    except DomainError as error:
        return _page(request, error=error.message(get_language()), status=422)
    return _page(request, codes=codes)


def _remove(request: HttpRequest) -> HttpResponse:
    if not request.session.get(mfa.SESSION_FLAG):
        return _page(request, error=_("Confirm a code from your app first."), status=403)
    try:
        mfa.reset(actor=request.user, user=request.user, ip=client_ip(request))
    except DomainError as error:
        return _page(request, error=error.message(get_language()), status=403)
    request.session.pop(mfa.SESSION_FLAG, None)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:security")
