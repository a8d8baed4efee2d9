"""Routing fixtures: a network category that needs a skill, and three agents of the service team."""

from types import SimpleNamespace

import pytest

from gongdan.accounts.constants import Availability, Role
from gongdan.accounts.models import Skill, UserSkill
from gongdan.core.context import Actor, Channel
from gongdan.routing.models import CategorySkill
from tests import factories


def staff(username: str, display: str, team, *, seniority: int = 1, skills: dict | None = None, **fields):
    fields.setdefault("availability", Availability.ON_SHIFT)
    user = factories.UserFactory(
        username=username, role=fields.pop("role", Role.AGENT), display_name=display, seniority=seniority, **fields
    )
    user.teams.add(team)
    for code, level in (skills or {}).items():
        skill = Skill.objects.get_or_create(code=code, defaults={"name_zh": code, "name_en": code})[0]
        UserSkill.objects.create(user=user, skill=skill, proficiency=level)
    return user


def needs(category, code: str, level: int) -> None:
    skill = Skill.objects.get_or_create(code=code, defaults={"name_zh": code, "name_en": code})[0]
    CategorySkill.objects.create(category=category, skill=skill, min_proficiency=level)


@pytest.fixture
def network(service_team):
    category = factories.category("network", "网络故障")
    category.default_team = service_team
    category.save()
    needs(category, "network", 3)
    return category


@pytest.fixture
def crew(service_team, network):
    return SimpleNamespace(
        anna=staff("anna", "Anna", service_team, seniority=2, skills={"network": 4}),
        bo=staff("bo", "Bo", service_team, seniority=4, skills={"network": 5}),
        chen=staff("chen", "Chen", service_team, seniority=5, skills={"network": 2}),
    )


def desk_actor(user) -> Actor:
    return Actor(user=user, ip="10.0.0.7", channel=Channel.WEB)
