"""Account endpoints: who am I, and the staff directory (users, teams) for staff only."""

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from gongdan.accounts.constants import STAFF_ROLES, Role
from gongdan.accounts.models import Team, User
from gongdan.core.errors import PermissionDenied
from gongdan.tickets.schemas import Code, is_staff

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    email: str
    language: str
    timezone: str
    is_superuser: bool
    teams: list[str]
    customer_id: int | None


class StaffUserOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    availability: str
    is_active: bool
    teams: list[str]


class TeamOut(Schema):
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent: str | None
    lead_id: int | None
    members: list[int]


class UserFilters(Schema):
    role: Role | None = None
    team: Code | None = Field(None, description="Team code.")
    include_inactive: bool = False


def _ensure_staff(user) -> None:
    if not is_staff(user):
        raise PermissionDenied("Only staff may list staff and teams.", "只有员工可以查看员工和团队列表。")


@router.get("/me", response=MeOut, summary="The account behind this request")
def me(request: HttpRequest):
    user = request.user
    customer = getattr(user, "customer_profile", None)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=str(user),
        role=Role.ADMIN if user.is_superuser else user.role,
        email=user.email,
        language=user.language or get_language(),
        timezone=user.timezone,
        is_superuser=user.is_superuser,
        teams=sorted(team.code for team in user.teams.all()),
        customer_id=customer.pk if customer else None,
    )


@router.get("/users", response=list[StaffUserOut], summary="Staff accounts (staff only)")
def users(request: HttpRequest, filters: Query[UserFilters]):
    _ensure_staff(request.user)
    queryset = User.objects.filter(Q(role__in=STAFF_ROLES) | Q(is_superuser=True)).prefetch_related("teams")
    if filters.role:
        queryset = queryset.filter(role=filters.role.value)
    if filters.team:
        queryset = queryset.filter(teams__code=filters.team)
    if not filters.include_inactive:
        queryset = queryset.filter(is_active=True)
    return [
        StaffUserOut(
            id=user.pk,
            username=user.username,
            display_name=str(user),
            role=user.role,
            availability=user.availability,
            is_active=user.is_active,
            teams=sorted(team.code for team in user.teams.all()),
        )
        for user in queryset.order_by("username")
    ]


@router.get("/teams", response=list[TeamOut], summary="Teams and departments (staff only)")
def teams(request: HttpRequest):
    _ensure_staff(request.user)
    queryset = Team.objects.select_related("parent").prefetch_related("members").order_by("code")
    return [
        TeamOut(
            code=team.code,
            name_zh=team.name_zh,
            name_en=team.name_en,
            kind=team.kind,
            parent=team.parent.code if team.parent_id else None,
            lead_id=team.lead_id,
            members=sorted(member.pk for member in team.members.all()),
        )
        for team in queryset
    ]
