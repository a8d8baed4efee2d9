"""Pure routing maths (rule 6): values in, values out. No database, no clock.

The services turn rows into these values, call these functions and store what they decided.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from gongdan.routing.constants import AgentState, FieldFallback, Strategy

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class ShiftWindow:
    weekday: int  # 0 = Monday
    start: time
    end: time  # earlier than or equal to `start`: the shift runs past midnight


@dataclass(frozen=True)
class Weights:
    skill: float
    load: float
    seniority: float
    vip_min_seniority: int
    load_by_priority: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    state: str
    skills: Mapping[Hashable, int]  # skill (routing uses ids) -> proficiency 1..5
    seniority: int
    open_by_priority: Mapping[str, int]  # priority code -> open tickets assigned


@dataclass(frozen=True)
class Need:
    skills: Mapping[Hashable, int]  # skill (as keyed in the candidates' skills) -> minimum proficiency
    vip: bool = False


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    skill_fit: float
    load: float


def agent_state(availability: str, shifts: Sequence[ShiftWindow], local_now: datetime) -> str:
    """On shift only when the agent says so and, if shifts are planned, one of them covers now."""
    if availability != AgentState.ON_SHIFT:
        return AgentState.ON_BREAK if availability == AgentState.ON_BREAK else AgentState.OFF
    if not shifts:
        return AgentState.ON_SHIFT
    return AgentState.ON_SHIFT if any(_covers(s, local_now) for s in shifts) else AgentState.OFF


def _covers(shift: ShiftWindow, moment: datetime) -> bool:
    today, clock_time = moment.weekday(), moment.time()
    if shift.end > shift.start:
        return shift.weekday == today and shift.start <= clock_time < shift.end
    started_today = shift.weekday == today and clock_time >= shift.start
    started_yesterday = (shift.weekday + 1) % 7 == today and clock_time < shift.end
    return started_today or started_yesterday


def weighted_load(open_by_priority: Mapping[str, int], weights: Mapping[str, float]) -> float:
    """Open tickets weighted by priority: a P0 weighs more than a P4."""
    return float(sum(count * weights.get(code, 1) for code, count in open_by_priority.items()))


def skill_fit(skills: Mapping[Hashable, int], need: Mapping[Hashable, int]) -> float | None:
    """Mean proficiency over the needed skills, scaled to 0..1; None when a skill is missing or too weak."""
    if not need:
        return 1.0
    levels = [skills.get(code, 0) for code in need]
    if any(level < need[code] for level, code in zip(levels, need, strict=True)):
        return None
    return sum(levels) / (5 * len(levels))


def qualifies(candidate: Candidate, need: Need) -> bool:
    return candidate.state == AgentState.ON_SHIFT and skill_fit(candidate.skills, need.skills) is not None


def eligible(candidates: Iterable[Candidate], need: Need, weights: Weights) -> list[Candidate]:
    """Qualified agents on shift; for a VIP only the senior ones, unless no senior is available."""
    qualified = [c for c in candidates if qualifies(c, need)]
    if need.vip:
        senior = [c for c in qualified if c.seniority >= weights.vip_min_seniority]
        return senior or qualified
    return qualified


def best_match_score(candidate: Candidate, need: Need, weights: Weights) -> Ranked:
    fit = skill_fit(candidate.skills, need.skills) or 0.0
    load = weighted_load(candidate.open_by_priority, weights.load_by_priority)
    seniority = weights.seniority * candidate.seniority if need.vip else 0.0
    score = round(weights.skill * fit - weights.load * load + seniority, 2)
    return Ranked(candidate, score, round(fit, 2), load)


def rank(strategy: str, candidates: Iterable[Candidate], need: Need, weights: Weights, last_id: int | None):
    """Eligible candidates, best first, each with its score under `strategy`."""
    pool = sorted(eligible(candidates, need, weights), key=lambda c: c.user_id)
    scored = [best_match_score(c, need, weights) for c in pool]
    if strategy == Strategy.LEAST_LOADED:
        return sorted(scored, key=lambda r: (r.load, sum(r.candidate.open_by_priority.values()), r.candidate.user_id))
    if strategy == Strategy.ROUND_ROBIN:
        order = round_robin_order([c.user_id for c in pool], last_id)
        by_id = {r.candidate.user_id: r for r in scored}
        return [by_id[user_id] for user_id in order]
    if strategy == Strategy.MANUAL:
        return []
    return sorted(scored, key=lambda r: (-r.score, r.load, r.candidate.user_id))


def round_robin_order(user_ids: Sequence[int], last_id: int | None) -> list[int]:
    """The ids in turn, starting just after the one who got the last ticket."""
    ordered = sorted(user_ids)
    if last_id is None:
        return ordered
    after = [user_id for user_id in ordered if user_id > last_id]
    return after + [user_id for user_id in ordered if user_id <= last_id]


def explain(strategy: str, ranked: Sequence[Ranked], limit: int) -> str:
    """One line per top candidate, as written into the assignment event."""
    lines = [f"strategy={strategy}"]
    for position, r in enumerate(ranked[:limit], start=1):
        lines.append(
            f"{position}. {r.candidate.name}: score {r.score:g} (skills {r.skill_fit:g}, load {r.load:g}, "
            f"seniority {r.candidate.seniority})"
        )
    return "\n".join(lines)


# The P0 circuit breaker (R6.2).


def breaker_should_be_open(waiting_p0: int, threshold: int) -> bool:
    """Open while more than `threshold` P0 tickets wait unassigned or unanswered; closed otherwise."""
    return waiting_p0 > threshold


def breaker_holds(priority_code: str, is_open: bool, held_priorities: Iterable[str]) -> bool:
    return is_open and priority_code in set(held_priorities)


# Field dispatch (R6.3).


@dataclass(frozen=True)
class Engineer:
    user_id: int
    name: str
    latitude: float
    longitude: float
    state: str = AgentState.ON_SHIFT


@dataclass(frozen=True)
class Distance:
    engineer: Engineer
    km: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of the Earth's mean radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def position(
    home: tuple[float | None, float | None],
    last: tuple[float | None, float | None],
    last_at: datetime | None,
    now: datetime,
    fresh_hours: int,
) -> tuple[float, float] | None:
    """Where an engineer is: the last known place if recent enough, else home; None if neither is known."""
    if None not in last and last_at is not None and now - last_at <= timedelta(hours=fresh_hours):
        return last  # type: ignore[return-value]
    if None not in home:
        return home  # type: ignore[return-value]
    return None


def by_distance(engineers: Iterable[Engineer], latitude: float, longitude: float) -> list[Distance]:
    measured = [Distance(e, round(haversine_km(latitude, longitude, e.latitude, e.longitude), 1)) for e in engineers]
    return sorted(measured, key=lambda d: (d.km, d.engineer.user_id))


def choose_engineer(ranked: Sequence[Distance], max_km: float, fallback: str) -> tuple[Distance | None, bool]:
    """The nearest engineer on shift within range; else the fallback decides. Returns (choice, fallback_used)."""
    available = [d for d in ranked if d.engineer.state == AgentState.ON_SHIFT]
    if not available:
        return None, True
    if available[0].km <= max_km:
        return available[0], False
    return (available[0] if fallback == FieldFallback.NEAREST_ANYWHERE else None), True
