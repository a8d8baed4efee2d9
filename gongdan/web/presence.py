"""Collision notice: each open ticket page reports in every few seconds; others within the window show."""

from datetime import timedelta

from gongdan.core import clock
from gongdan.web.models import Presence, WorkspacePolicy


def report(*, ticket, user, replying: bool) -> list[Presence]:
    """Record that `user` has `ticket` open (and whether they are writing); return the others present."""
    now = clock.now()
    Presence.objects.update_or_create(ticket=ticket, user=user, defaults={"replying": replying, "seen_at": now})
    return others(ticket=ticket, user=user)


def others(*, ticket, user) -> list[Presence]:
    window = timedelta(seconds=WorkspacePolicy.current().presence_seconds)
    return list(
        Presence.objects.filter(ticket=ticket, seen_at__gte=clock.now() - window)
        .exclude(user=user)
        .select_related("user")
        .order_by("-replying", "user__username")
    )


def leave(*, ticket, user) -> None:
    Presence.objects.filter(ticket=ticket, user=user).delete()
