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
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongdan.accounts.constants import Role
from gongdan.automation import services as outbox
from gongdan.core import siteurl
from gongdan.customers.constants import IdentityKind
from gongdan.customers.models import CustomerIdentity
from gongdan.portal.forms import LoginLinkForm
from gongdan.web.forms import mark_invalid, style

LINK_SALT = "gongdan.web.login-link"
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


def _sign_in(request: HttpRequest, user, target: str = "") -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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
        return _sign_in(request, form.get_user(), _safe_next(request))
    mark_invalid(form)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "link_form": LoginLinkForm(), "next": _safe_next(request)}
    return render(request, "web/login.html", context, status=status)


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
    form = LoginLinkForm(request.POST)
    if not form.is_valid():
        login_form = AuthenticationForm(request)
        style(login_form)
        context = {"form": login_form, "link_form": form, "next": ""}
        return render(request, "web/login.html", context, status=422)
    email = form.cleaned_data["email"].strip().lower()
    user = _customer_user_for(email)
    if user is not None:
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


@require_http_methods(["GET", "POST"])
def use_login_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST signs in, so mail scanners that open links do not use them up."""
    user = read_link_token(token)
    if user is None:
        return render(request, "web/login_link_invalid.html", status=400)
    if request.method == "POST":
        return _sign_in(request, user)
    return render(request, "web/login_link_confirm.html", {"token": token})


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
