"""Routing's view of the desk configuration, read once per configuration generation (`core.configcache`).

Every created ticket is routed, and routing used to read the policy (twice), the team's strategy, the
category tree and its skill needs, and joined statuses and priorities into its load counts. All of these
are configuration rows (`core.apps.CONFIG_MODELS`): saving one renews the generation, so one snapshot
serves until then. The snapshot is shared between threads: read it, never change it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gongdan.core import configcache
from gongdan.routing.models import CategorySkill, RoutingPolicy, TeamRouting
from gongdan.tickets import selectors as ticket_selectors
from gongdan.tickets.models import Category


@dataclass(frozen=True)
class Codes:
    """Status and priority ids, so that ticket counts filter on ids instead of joining those tables."""

    status_ids: Mapping[str, tuple[int, ...]]  # status kind -> ids of the statuses of that kind
    priority_codes: Mapping[int, str]  # priority id -> code

    def statuses_of(self, kinds: Iterable[str]) -> list[int]:
        return [pk for kind in kinds for pk in self.status_ids.get(kind, ())]

    def priority_id(self, code: str) -> int | None:
        return next((pk for pk, known in self.priority_codes.items() if known == code), None)


@dataclass(frozen=True)
class Tree:
    """The category tree with each category's default team and skill needs, and the teams' strategies."""

    team_strategy: Mapping[int, str]  # team id -> strategy, for teams with a setting
    category_parent: Mapping[int, int | None]
    category_team: Mapping[int, int | None]  # category id -> its own default team id
    category_needs: Mapping[int, Mapping[int, int]]  # category id -> skill id -> minimum proficiency (own rows)

    def path(self, category_id: int) -> list[int]:
        """The category's ids from the root down to itself."""
        ids: list[int] = []
        node: int | None = category_id
        while node is not None and node not in ids:
            ids.append(node)
            node = self.category_parent.get(node)
        return list(reversed(ids))


def _load_policy() -> RoutingPolicy:
    # Not `RoutingPolicy.current()`: creating the row would renew the generation this value is cached under.
    return RoutingPolicy.objects.filter(pk=1).first() or RoutingPolicy(pk=1)


def _load_codes() -> Codes:
    statuses: dict[str, list[int]] = defaultdict(list)
    for status in ticket_selectors.statuses():
        statuses[status.kind].append(status.pk)
    return Codes(
        status_ids=MappingProxyType({kind: tuple(ids) for kind, ids in statuses.items()}),
        priority_codes=MappingProxyType({priority.pk: priority.code for priority in ticket_selectors.priorities()}),
    )


def _load_tree() -> Tree:
    needs: dict[int, dict[int, int]] = defaultdict(dict)
    for category_id, skill_id, level in CategorySkill.objects.values_list("category_id", "skill_id", "min_proficiency"):
        needs[category_id][skill_id] = level
    categories = list(Category.objects.values_list("pk", "parent_id", "default_team_id"))
    return Tree(
        team_strategy=MappingProxyType(dict(TeamRouting.objects.values_list("team_id", "strategy"))),
        category_parent=MappingProxyType({pk: parent for pk, parent, _team in categories}),
        category_team=MappingProxyType({pk: team for pk, _parent, team in categories}),
        category_needs=MappingProxyType({pk: MappingProxyType(need) for pk, need in needs.items()}),
    )


def policy() -> RoutingPolicy:
    """The routing policy of the current configuration (shared: read it, never change or save it)."""
    return configcache.cached(("routing", "policy"), _load_policy)


def codes() -> Codes:
    return configcache.cached(("routing", "codes"), _load_codes)


def tree() -> Tree:
    return configcache.cached(("routing", "tree"), _load_tree)
