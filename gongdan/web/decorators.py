"""View guards: who may open the workspace, and in which time zone pages are drawn."""

from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from gongdan.accounts.constants import DESK_ROLES, STAFF_ROLES, Role


def user_zone(user) -> ZoneInfo | None:
    try:
        return ZoneInfo(user.timezone) if getattr(user, "timezone", "") else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _guard(allowed):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role = Role.ADMIN if user.is_superuser else user.role
            if role not in allowed or not user.is_active:
                # The same answer as for a page that does not exist (access rule: invisible = 404).
                raise Http404
            zone = user_zone(user)
            if zone is None:
                return view(request, *args, **kwargs)
            with timezone.override(zone):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = _guard(STAFF_ROLES)
desk_required = _guard(DESK_ROLES)
lead_required = _guard({Role.ADMIN, Role.LEAD})
customer_required = _guard({Role.CUSTOMER})
admin_required = _guard({Role.ADMIN})
