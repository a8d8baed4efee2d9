"""Dynamic priority (R4.2) as a pure function: facts and rules in, a score breakdown out.

score = base + context + tier + history, where
  base    = fault points (by fault type) × scope factor (by impact scope)
  context = the points of every active business window (promotion, month-end, release…)
  tier    = (base + context) × (tier coefficient − 1)   — a VIP's ×1.8 scales the first two dimensions
  history = min(complaints in the last N days × complaint points, cap)
The score falls into a band (P0…P4). An active window may override the priority of a category
("payment failure" is P0 during a promotion). A ticket with no signal at all keeps the default priority.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from gongdan.core.textanalysis import normalise
from gongdan.tickets.constants import PriorityCode
from gongdan.triage.constants import FaultType, ImpactScope, Recurrence

PRIORITY_CODES = set(PriorityCode.values)


class RuleConfig(BaseModel):
    """The weights and bands of one rule set version, validated (admin edits it as JSON)."""

    model_config = {"extra": "forbid"}

    fault_points: dict[FaultType, float]
    unknown_fault_points: float = Field(ge=0)
    scope_factors: dict[ImpactScope, float]
    tier_coefficients: dict[str, float]
    complaint_points: float = Field(ge=0)
    complaint_cap: float = Field(ge=0)
    history_days: int = Field(ge=1, le=365)
    large_organization_size: int = Field(ge=1)
    bands: list[tuple[str, float]]
    default_priority: str
    category_fault_types: dict[str, FaultType] = {}
    fault_cues: dict[FaultType, list[str]] = {}
    scope_cues: dict[ImpactScope, list[str]] = {}

    @field_validator("scope_factors")
    @classmethod
    def _every_scope(cls, value: dict) -> dict:
        missing = set(ImpactScope) - set(value)
        if missing:
            raise ValueError(f"scope factors missing for {sorted(missing)}")
        return value

    @field_validator("default_priority")
    @classmethod
    def _known_priority(cls, value: str) -> str:
        if value not in PRIORITY_CODES:
            raise ValueError(f"unknown priority {value}")
        return value

    @model_validator(mode="after")
    def _bands_cover_every_score(self) -> RuleConfig:
        codes = [code for code, _ in self.bands]
        if set(codes) - PRIORITY_CODES or len(codes) != len(set(codes)):
            raise ValueError("bands name each of P0…P4 at most once")
        if not self.bands or min(low for _, low in self.bands) > 0:
            raise ValueError("the lowest band must start at 0 so every score has a priority")
        return self

    def band(self, score: float) -> str:
        for code, low in sorted(self.bands, key=lambda b: -b[1]):
            if score >= low:
                return code
        return self.default_priority


@dataclass(frozen=True)
class WindowSpec:
    name: str
    kind: str
    recurrence: str
    points: float
    category_overrides: dict[str, str] = field(default_factory=dict)
    starts_on: date | None = None
    ends_on: date | None = None
    last_days: int = 0


def window_active(window: WindowSpec, day: date) -> bool:
    """One-off windows include both end dates; month-end windows cover the last N days of any month."""
    if window.recurrence == Recurrence.MONTH_END:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        return day.day > days_in_month - window.last_days
    if window.starts_on is None or window.ends_on is None:
        return False
    return window.starts_on <= day <= window.ends_on


@dataclass(frozen=True)
class TicketFacts:
    text: str
    fault_code: str = ""
    category_codes: tuple[str, ...] = ()  # the category path, top level first
    customer_tier: str = "standard"
    organization_size: int = 0
    complaints: int = 0  # the customer's complaints in the rule set's history window


def _cue_hit(text: str, cues: dict[Any, list[str]]) -> tuple[Any, str] | None:
    for key, phrases in cues.items():
        for phrase in phrases:
            if normalise(phrase) in text:
                return key, phrase
    return None


def detect_fault_type(facts: TicketFacts, rules: RuleConfig) -> tuple[str | None, str]:
    """Text cues first (they name the actual failure), then the most specific mapped category,
    then a fault code (a machine-reported fault)."""
    hit = _cue_hit(normalise(facts.text), rules.fault_cues)
    if hit:
        return str(hit[0]), f"text: {hit[1]}"
    for code in reversed(facts.category_codes):
        if code in rules.category_fault_types:
            return str(rules.category_fault_types[code]), f"category: {code}"
    if facts.fault_code:
        return str(FaultType.FAULT), f"fault code: {facts.fault_code}"
    return None, "no signal"


def detect_scope(facts: TicketFacts, rules: RuleConfig) -> tuple[str, str, bool]:
    """(scope, source, is a signal): wording wins; else a large organization means several people."""
    hit = _cue_hit(normalise(facts.text), rules.scope_cues)
    if hit:
        return str(hit[0]), f"text: {hit[1]}", True
    if facts.organization_size >= rules.large_organization_size:
        return str(ImpactScope.GROUP), f"organization of {facts.organization_size}", True
    return str(ImpactScope.SINGLE), "no signal", False


def _override(facts: TicketFacts, windows: list[WindowSpec]) -> tuple[str, str, str] | None:
    """The most specific category with an override in any active window: (priority, window, category)."""
    for code in reversed(facts.category_codes):
        for window in windows:
            if code in window.category_overrides:
                return window.category_overrides[code], window.name, code
    return None


def score_ticket(facts: TicketFacts, rules: RuleConfig, active_windows: list[WindowSpec]) -> dict[str, Any]:
    """The breakdown stored on the ticket: every dimension's inputs and points, the score and priority."""
    fault_type, fault_source = detect_fault_type(facts, rules)
    scope, scope_source, scope_signal = detect_scope(facts, rules)
    fault_points = (
        rules.fault_points.get(fault_type, rules.unknown_fault_points) if fault_type else rules.unknown_fault_points
    )
    factor = rules.scope_factors[scope]
    base = round(fault_points * factor, 1)
    context = round(sum(w.points for w in active_windows), 1)
    coefficient = rules.tier_coefficients.get(facts.customer_tier, 1.0)
    tier = round((base + context) * (coefficient - 1), 1)
    history = round(min(facts.complaints * rules.complaint_points, rules.complaint_cap), 1)
    total = round(base + context + tier + history, 1)
    override = _override(facts, active_windows)
    signals = bool(fault_type or scope_signal or coefficient != 1.0 or history or active_windows)
    if override:
        priority, reason = override[0], "override"
    elif signals:
        priority, reason = rules.band(total), "band"
    else:
        priority, reason = rules.default_priority, "no signals"
    return {
        "score": total,
        "priority": priority,
        "decided_by": reason,
        "signals": signals,
        "base": {
            "fault_type": fault_type or "",
            "fault_source": fault_source,
            "fault_points": fault_points,
            "scope": scope,
            "scope_source": scope_source,
            "scope_factor": factor,
            "points": base,
        },
        "context": {"windows": [w.name for w in active_windows], "points": context},
        "tier": {"tier": facts.customer_tier, "coefficient": coefficient, "points": tier},
        "history": {"complaints": facts.complaints, "days": rules.history_days, "points": history},
        "override": ({"priority": override[0], "window": override[1], "category": override[2]} if override else None),
    }


def ab_group(ticket_id: int, share_percent: int) -> str:
    """Deterministic A/B split by ticket id: a multiplicative hash spreads consecutive ids evenly."""
    bucket = (ticket_id * 2654435761) % 2**32 % 100
    return "B" if bucket < share_percent else "A"
