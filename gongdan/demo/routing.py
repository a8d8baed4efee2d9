"""Routing in the demo desk: seniority, engineers' homes, site coordinates, team strategies, category skills.

The replayed history keeps the plan's own assignments, so routing stays manual while it runs. Afterwards
the desk is configured as a live one would be, and the open field jobs are dispatched from their sites.
"""

from gongdan.accounts.models import Skill, Team, User
from gongdan.core.context import Actor, Channel
from gongdan.demo import data, kinds
from gongdan.routing import services
from gongdan.routing.constants import Strategy
from gongdan.routing.models import CategorySkill, RoutingPolicy, TeamRouting
from gongdan.tickets.constants import ACTIVE_KINDS
from gongdan.tickets.models import Category, Ticket

SENIORITY = {
    "lead_zhao": 5,
    "duty_gao": 5,
    "lead_qian": 4,
    "agent_zhou": 4,
    "field_ma": 4,
    "agent_li": 3,
    "agent_liu": 3,
    "agent_huang": 3,
    "field_hu": 3,
    "agent_wang": 2,
    "agent_chen": 2,
    "agent_yang": 2,
    "agent_emma": 2,
    "field_lin": 2,
}
HOMES = {
    "field_ma": (31.1129, 121.3817),  # Shanghai, Minhang
    "field_hu": (31.3245, 120.7165),  # Suzhou Industrial Park
    "field_lin": (30.2084, 120.2119),  # Hangzhou, Binjiang
}
# The demo's own gazetteer for its site addresses (the desk has no geocoding service).
PLACES = (
    ("上海市徐汇区", 31.1886, 121.4365),
    ("上海市松江区", 31.0323, 121.2277),
    ("杭州市西湖区", 30.2741, 120.1551),
    ("苏州市姑苏区", 31.3114, 120.6179),
    ("江苏省常州市", 31.8107, 119.9741),
    ("武汉市", 30.5928, 114.3055),
    ("深圳市南山区", 22.5333, 113.9305),
)
STRATEGIES = {
    "kefu-1": Strategy.BEST_MATCH,
    "kefu-2": Strategy.ROUND_ROBIN,
    "tech-support": Strategy.MANUAL,
    "field-service": Strategy.MANUAL,
}
MIN_PROFICIENCY = 3
DISPATCHER = "duty_gao"


def hold_for_replay() -> None:
    RoutingPolicy.objects.update_or_create(pk=1, defaults={"default_strategy": Strategy.MANUAL})


def site_coordinates(site: str) -> tuple[float, float] | None:
    for prefix, latitude, longitude in PLACES:
        if site.startswith(prefix):
            return latitude, longitude
    return None


def configure() -> int:
    """Turn routing on for the live desk and dispatch the open field jobs. Returns how many were dispatched."""
    for username, level in SENIORITY.items():
        User.objects.filter(username=username).update(seniority=level)
    for username, (latitude, longitude) in HOMES.items():
        User.objects.filter(username=username).update(home_latitude=latitude, home_longitude=longitude)
    teams = {team.code: team for team in Team.objects.filter(code__in=STRATEGIES)}
    TeamRouting.objects.bulk_create(TeamRouting(team=teams[code], strategy=s) for code, s in STRATEGIES.items())
    skills = {skill.code: skill for skill in Skill.objects.all()}
    categories = {category.code: category for category in Category.objects.all()}
    CategorySkill.objects.bulk_create(
        CategorySkill(category=categories[kind.code], skill=skills[kind.skill], min_proficiency=MIN_PROFICIENCY)
        for kind in kinds.KINDS
        if kind.skill
    )
    RoutingPolicy.objects.filter(pk=1).update(default_strategy=Strategy.BEST_MATCH)
    services.refresh_breaker()
    dispatcher = User.objects.get(username=DISPATCHER)
    actor = Actor(user=dispatcher, ip=data.office_ip(DISPATCHER), channel=Channel.WEB)
    jobs = Ticket.objects.filter(status__kind__in=ACTIVE_KINDS).exclude(site_location="").order_by("pk")
    dispatched = 0
    for ticket in jobs:
        where = site_coordinates(ticket.site_location)
        if where is not None:
            services.dispatch(actor=actor, ticket=ticket, latitude=where[0], longitude=where[1])
            dispatched += 1
    return dispatched
