"""Each staff member's own notification channels and quiet hours (R7.6)."""

from datetime import time
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import AfterValidator, ConfigDict

from gongdan.automation import services
from gongdan.core.errors import PermissionDenied
from gongdan.core.schemas import InputSchema
from gongdan.tickets.schemas import Text, is_staff

router = Router(tags=["notifications"])


def _local(value: time | None) -> time | None:
    if value is not None and value.tzinfo is not None:
        raise ValueError("quiet hours are local times in your own time zone, without an offset")
    return value


LocalTime = Annotated[time | None, AfterValidator(_local)]


class PreferenceIn(InputSchema):
    channel: Literal["email", "apprise", "sms"]
    target: Text(500) = ""
    is_active: bool = True
    urgent_only: bool = False
    quiet_start: LocalTime = None
    quiet_end: LocalTime = None
    urgent_ignores_quiet_hours: bool = True


class PreferenceOut(PreferenceIn):
    model_config = ConfigDict(extra="ignore")  # an answer, not a request body

    id: int
    target: str


def _staff(request: HttpRequest):
    if not is_staff(request.user):
        raise PermissionDenied("Only staff members receive desk notifications.", "只有员工会收到工单通知。")
    return request.user


def _out(pref) -> PreferenceOut:
    return PreferenceOut(
        id=pref.pk,
        channel=pref.channel,
        target=services.masked_target(pref.channel, pref.target),
        is_active=pref.is_active,
        urgent_only=pref.urgent_only,
        quiet_start=pref.quiet_start,
        quiet_end=pref.quiet_end,
        urgent_ignores_quiet_hours=pref.urgent_ignores_quiet_hours,
    )


@router.get("", response=list[PreferenceOut], summary="My notification channels (push URLs shown masked)")
def my_preferences(request: HttpRequest):
    return [_out(pref) for pref in _staff(request).notification_preferences.order_by("pk")]


@router.put("", response=list[PreferenceOut], summary="Replace my notification channels")
def replace_my_preferences(request: HttpRequest, payload: list[PreferenceIn]):
    prefs = services.replace_preferences(user=_staff(request), items=[item.dict() for item in payload])
    return [_out(pref) for pref in prefs]
