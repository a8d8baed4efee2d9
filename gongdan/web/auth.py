"""Signing in (password for everyone, a login link by email for customers), the landing page by
role, signing out and the language switch that is remembered on the user."""

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongdan.accounts import mfa, throttle
from gongdan.accounts.constants import MFA_PENDING_MINUTES, Role
from gongdan.accounts.models import User
from gongdan.audit import services as audit
from gongdan.audit.constants import Action
from gongdan.automation import services as outbox
from gongdan.core import clock, siteurl
from gongdan.core.context import client_ip
from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import CustomerIdentity
from gongdan.portal.forms import LoginLinkForm
from gongdan.web.forms import mark_invalid, style

LINK_SALT = "gongdan.web.login-link"
BACKEND = settings.AUTHENTICATION_BACKENDS[0]
# Session keys: the user who passed the password and still owes a second factor; a link token
# taken off the address bar.
PENDING, LINK_TOKEN = "gd_mfa_pending", "gd_login_link"
LANGUAGES = {code for code, _label in settings.LANGUAGES}


def landing_url(user) -> str:
    """Each persona's useful first screen."""
    role = Role.ADMIN if user.is_superuser else user.role
    if role == Role.CUSTOMER:
        return reverse("portal:home")
    if role in (Role.LEAD, Role.ADMIN):
        return reverse("web:board")
    if role == Role.DEPARTMENT:
        return reverse("web:queue", args=["team"])
    return reverse("web:queue", args=["mine"])


def _with_language(response: HttpResponse, language: str) -> HttpResponse:
    if language in LANGUAGES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok and target.startswith("/") else ""


def _sign_in(request: HttpRequest, user, target: str = "", *, method: str, second_factor: bool = False) -> HttpResponse:
    request.signin_method = method
    login(request, user, backend=BACKEND)
    if second_factor:
        request.session[mfa.SESSION_FLAG] = True
    # The chosen language, or (until one is chosen) the browser's: a first visit follows Accept-Language.
    language = user.language or translation.get_language_from_request(request)
    translation.activate(language)
    return _with_language(redirect(target or landing_url(user)), language)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return redirect("login")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    style(form)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if mfa.is_enrolled(user):
            request.session[PENDING] = {"user": user.pk, "next": _safe_next(request), "at": clock.now().timestamp()}
            return redirect("login-verify")
        return _sign_in(request, user, _safe_next(request), method="password")
    status = 422 if request.method == "POST" else 200
    locked = getattr(request, "signin_locked_until", None)
    if locked is not None:
        form.errors.clear()
        form.add_error(None, locked_message(locked))
        status = 429
    mark_invalid(form)
    context = {"form": form, "link_form": LoginLinkForm(), "next": _safe_next(request)}
    return render(request, "web/login.html", context, status=status)


def locked_message(until) -> str:
    local = timezone.localtime(until)
    return _(
        "Too many failed sign-ins. Signing in to this account or from this address is paused until %(time)s. "
        "An administrator can lift the lock sooner."
    ) % {"time": local.strftime("%H:%M")}


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not pending or clock.now().timestamp() - pending.get("at", 0) > MFA_PENDING_MINUTES * 60:
        request.session.pop(PENDING, None)
        return None, ""
    return User.objects.filter(pk=pending.get("user"), is_active=True).first(), pending.get("next", "")


@require_http_methods(["GET", "POST"])
def verify_second_factor(request: HttpRequest) -> HttpResponse:
    """The second step for enrolled users: a code from the authenticator app or a recovery code."""
    user, target = _pending_user(request)
    if user is None:
        return redirect("login")
    error, status = "", 200
    if request.method == "POST":
        ip = client_ip(request)
        locked = throttle.locked_until(username=user.get_username(), ip=ip)
        if locked is None and mfa.verify(user=user, token=request.POST.get("token", ""), ip=ip):
            request.session.pop(PENDING, None)
            throttle.register_success(username=user.get_username())
            return _sign_in(request, user, target, method="password+2fa", second_factor=True)
        if locked is None:
            agent = request.META.get("HTTP_USER_AGENT", "")
            locked = throttle.register_failure(username=user.get_username(), ip=ip, user_agent=agent, reason="2fa")
            audit.record_from_request(request, action=Action.MFA_FAILED, actor=user, detail="sign-in")
        if locked is not None:
            request.session.pop(PENDING, None)
            error, status = locked_message(locked), 429
        else:
            error, status = _("That code is not right. Enter the newest code from your app, or a recovery code."), 422
    return render(request, "web/login_verify.html", {"error": error}, status=status)


def _customer_user_for(email: str):
    identity = (
        CustomerIdentity.objects.filter(kind=IdentityKind.EMAIL, value=email.strip().lower())
        .select_related("customer__user")
        .first()
    )
    user = identity.customer.user if identity else None
    if user is None or not user.is_active or user.role != Role.CUSTOMER:
        return None
    return user


def make_link_token(user) -> str:
    # The last login is signed in: once the link is used, last_login changes and the link dies.
    stamp = user.last_login.isoformat() if user.last_login else ""
    return signing.dumps({"u": user.pk, "l": stamp}, salt=LINK_SALT)


def read_link_token(token: str):
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.LOGIN_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True, role=Role.CUSTOMER).first()
    stamp = user.last_login.isoformat() if user and user.last_login else ""
    return user if user is not None and stamp == data.get("l") else None


@require_POST
def send_login_link(request: HttpRequest) -> HttpResponse:
    """Mail a sign-in link, at most a few per address and per IP in a window (SecurityPolicy).
    The answer is the same whether the address is known, unknown or over its limit."""
    form = LoginLinkForm(request.POST)
    if not form.is_valid():
        login_form = AuthenticationForm(request)
        style(login_form)
        context = {"form": login_form, "link_form": form, "next": ""}
        return render(request, "web/login.html", context, status=422)
    email = form.cleaned_data["email"].strip().lower()
    if not throttle.allow_link_mail(email=email, ip=client_ip(request)):
        audit.record_from_request(request, action=Action.LINK_THROTTLED, actor_label=email)
        return render(request, "web/login_link_sent.html", {"email": form.cleaned_data["email"]})
    user = _customer_user_for(email)
    if user is not None:
        audit.record_from_request(request, action=Action.LINK_SENT, actor=user)
        url = siteurl.absolute(reverse("login-link", args=[make_link_token(user)]))
        with (
            transaction.atomic(),
            translation.override(user.language or translation.get_language_from_request(request)),
        ):
            body = render_to_string(
                "web/login_link_email.txt", {"url": url, "minutes": settings.LOGIN_LINK_MAX_AGE // 60}
            )
            outbox.enqueue_email(recipient=email, subject=_("Your sign-in link"), body=body)
    # The same answer whether or not the address is known: the form does not reveal who is a customer.
    return render(request, "web/login_link_sent.html", {"email": form.cleaned_data["email"]})


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def use_login_link(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: its token moves into this browser's session at once and the browser is sent
    on to a URL without it, so the token does not stay in the address bar, history, Referer or logs."""
    if read_link_token(token) is None:
        return _no_referrer(render(request, "web/login_link_invalid.html", status=400))
    request.session[LINK_TOKEN] = token
    return _no_referrer(redirect("login-link-continue"))


@require_http_methods(["GET", "POST"])
def continue_login_link(request: HttpRequest) -> HttpResponse:
    """GET shows a button; only the POST signs in, so mail scanners that open links do not use them
    up. Signing in changes the last login, which the token is bound to: the link works once."""
    token = request.session.get(LINK_TOKEN, "")
    user = read_link_token(token) if token else None
    if user is None:
        request.session.pop(LINK_TOKEN, None)
        return _no_referrer(render(request, "web/login_link_invalid.html", status=400))
    if request.method == "POST":
        request.session.pop(LINK_TOKEN, None)
        return _sign_in(request, user, method="link")
    return _no_referrer(render(request, "web/login_link_confirm.html"))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    target = _safe_next(request) or "/"
    if language not in LANGUAGES:
        return redirect(target)
    if request.user.is_authenticated and request.user.language != language:
        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
    translation.activate(language)
    return _with_language(redirect(target), language)
