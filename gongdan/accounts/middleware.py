"""Staff whose role must use two-factor sign-in reach nothing but the enrolment page (and sign-out)
until this session has passed a second factor. API tokens never carry a session, so they pass.
Placed after SessionPolicyMiddleware, which keeps the session's `gd_mfa_needed` current."""

from django.shortcuts import redirect

from gongdan.accounts import mfa, sessions
from gongdan.core.problems import problem_response

OPEN_PREFIXES = ("/account/2fa/", "/logout/", "/language/", "/static/", "/healthz", "/i18n/")


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            if request.path.startswith("/api/"):
                return problem_response(
                    request,
                    403,
                    "second-factor-required",
                    "Your role requires two-factor sign-in: set it up at /account/2fa/ first.",
                    "您的角色必须使用双因素登录：请先在 /account/2fa/ 完成设置。",
                )
            return redirect("accounts:mfa")
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        user = request.user
        if not user.is_authenticated or not hasattr(request, "session"):
            return False
        if request.session.get(mfa.SESSION_FLAG) or request.path.startswith(OPEN_PREFIXES):
            return False
        # Decided at sign-in and re-decided once a minute by SessionPolicyMiddleware (no query here).
        return bool(request.session.get(sessions.MFA_NEEDED))
