"""Password sign-in with lockout: every password check in the app (our sign-in page, the admin's)
goes through this backend, so none of them can be used to guess past the lock."""

from django.contrib.auth.backends import ModelBackend

from gongdan.accounts import throttle
from gongdan.core.context import client_ip


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Code paths without a request (the test client's login(), shell scripts) have no IP to limit.
            return super().authenticate(request, username=username, password=password, **kwargs)
        if username is None:
            username = kwargs.get(self._username_field(), "")
        ip = client_ip(request)
        locked = throttle.locked_until(username=username or "", ip=ip)
        if locked is not None:
            # Not even the right password signs in while locked; the view shows when to try again.
            request.signin_locked_until = locked
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            agent = request.META.get("HTTP_USER_AGENT", "")
            locked = throttle.register_failure(username=username or "", ip=ip, user_agent=agent, reason="password")
            if locked is not None:
                request.signin_locked_until = locked
            return None
        throttle.register_success(username=username or "")
        return user

    def _username_field(self) -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
