"""What happened to each generated ticket up to the load moment: its final state and its timeline.

Pure and seeded like the workload. The shapes of the events (types, old/new values, summaries) are
those the ticket services write, so pages and APIs render bench tickets like real ones. Texts come
from the demo catalogue (the group's first question, the customer's answer, the kind's fix).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.workload import TicketSpec
from gongdan.demo import catalogue as cat
from gongdan.demo.kinds import KINDS_BY_CODE

# Minutes to the first answer and hours to the fix, per priority (the demo planner's ranges).
FIRST_RESPONSE = {"P0": (3, 14), "P1": (10, 55), "P2": (20, 240), "P3": (60, 600), "P4": (120, 1200)}
RESOLUTION = {"P0": (1, 6), "P1": (2, 20), "P2": (5, 60), "P3": (20, 110), "P4": (30, 140)}
# Share of tickets still active by age: most old tickets are closed, a few linger (R3.5 stagnation).
ACTIVE_BY_AGE = ((timedelta(days=3), 0.9), (timedelta(days=14), 0.5), (timedelta(days=60), 0.1))
ACTIVE_OLD = 0.02
ACTIVE_STATUSES = (("new", 15), ("open", 55), ("pending-customer", 15), ("pending-third-party", 5), ("on-hold", 10))
STATUS_LABELS = {
    "new": ("new", "新建"),
    "open": ("open", "处理中"),
    "pending-customer": ("pending", "待客户回复"),
    "pending-third-party": ("pending", "待第三方"),
    "on-hold": ("on_hold", "挂起"),
    "resolved": ("resolved", "已解决"),
    "closed": ("closed", "已关闭"),
    "merged": ("merged", "已合并"),
}
LONG_TIMELINE = 100


@dataclass
class Event:
    event_type: str
    at: datetime
    actor: str  # "customer", "agent" or "system"
    summary: str = ""
    body: str = ""
    old: dict | None = None
    new: dict | None = None
    is_public: bool = False
    is_effective: bool = False
    first_response: bool = False


@dataclass
class Outcome:
    status: str
    assigned: bool
    events: list[Event] = field(default_factory=list)
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    closure_kind: str = ""
    rating: int | None = None
    last_effective_action_at: datetime | None = None
    merged: bool = False
    status_since: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        return self.events[-1].at


def active_share(age: timedelta) -> float:
    for limit, share in ACTIVE_BY_AGE:
        if age < limit:
            return share
    return ACTIVE_OLD


def _status_event(at: datetime, old: str, new: str, actor: str = "agent") -> Event:
    (old_kind, old_label), (new_kind, new_label) = STATUS_LABELS[old], STATUS_LABELS[new]
    return Event(
        "status_changed",
        at,
        actor,
        summary=f"{old_label} → {new_label}",
        old={"status": old, "kind": old_kind},
        new={"status": new, "kind": new_kind},
        is_public=True,
        is_effective=actor == "agent",
    )


class Planner:
    def __init__(self, now: datetime, seed: int):
        self.now, self.seed = now, seed

    def plan(self, spec: TicketSpec, *, long: bool = False) -> Outcome:
        rng = random.Random(f"{self.seed}-timeline-{spec.index}")
        age = self.now - spec.created_at
        if long:
            return self._long(rng, spec)
        if rng.random() < active_share(age):
            status = rng.choices(*zip(*ACTIVE_STATUSES, strict=True))[0]
            return self._active(rng, spec, status)
        return self._finished(rng, spec)

    def _minutes(self, rng: random.Random, low: float, high: float) -> timedelta:
        return timedelta(minutes=rng.uniform(low, high))

    def _opening(self, rng: random.Random, spec: TicketSpec, outcome: Outcome) -> datetime:
        at = spec.created_at
        outcome.events.append(
            Event(
                "created",
                at,
                "customer",
                summary=spec.subject[:60],
                new={"status": "new", "priority": spec.priority, "channel": "api"},
                is_public=True,
            )
        )
        at += self._minutes(rng, 0.01, 2)
        outcome.events.append(Event("assigned", at, "system", summary="指派给 routing", new={"assignee": "agent"}))
        return at

    def _first_answer(self, rng: random.Random, spec: TicketSpec, outcome: Outcome, at: datetime) -> datetime:
        group = cat.GROUPS_BY_CODE[spec.group]
        zh = spec.language == "zh-hans"
        at = max(at, spec.created_at + self._minutes(rng, *FIRST_RESPONSE[spec.priority]))
        at = min(at, self.now - timedelta(seconds=2))
        outcome.events.append(_status_event(at, "new", "open"))
        outcome.events.append(
            Event(
                "reply",
                at,
                "agent",
                summary="已回复客户" if zh else "Replied",
                body=group.ask_zh if zh else group.ask_en,
                is_public=True,
                is_effective=True,
                first_response=True,
            )
        )
        outcome.first_response_at = outcome.last_effective_action_at = at
        at = min(at + self._minutes(rng, 5, 180), self.now - timedelta(seconds=1))
        outcome.events.append(
            Event("reply", at, "customer", body=group.info_zh if zh else group.info_en, is_public=True)
        )
        return at

    def _note(self, rng: random.Random, spec: TicketSpec, outcome: Outcome, at: datetime) -> datetime:
        notes = cat.AGENT_NOTES if spec.language == "zh-hans" else cat.AGENT_NOTES_EN
        summary, body = rng.choice(notes)
        at = min(at + self._minutes(rng, 5, 120), self.now - timedelta(seconds=1))
        outcome.events.append(Event("note", at, "agent", summary=summary, body=body, is_effective=True))
        outcome.last_effective_action_at = at
        return at

    def _active(self, rng: random.Random, spec: TicketSpec, status: str) -> Outcome:
        outcome = Outcome(status=status, assigned=rng.random() < 0.8)
        at = self._opening(rng, spec, outcome)
        if not outcome.assigned:
            outcome.events.pop()
        if status == "new" or spec.created_at + timedelta(minutes=FIRST_RESPONSE[spec.priority][0]) >= self.now:
            outcome.status, outcome.status_since = "new", spec.created_at
            return outcome
        at = self._first_answer(rng, spec, outcome, at)
        at = self._note(rng, spec, outcome, at)
        if status != "open":
            at = min(at + self._minutes(rng, 1, 60), self.now - timedelta(seconds=1))
            outcome.events.append(_status_event(at, "open", status))
        outcome.status_since = at
        return outcome

    def _finished(self, rng: random.Random, spec: TicketSpec) -> Outcome:
        if spec.duplicate_of is not None and rng.random() < 0.5:
            return self._merged(rng, spec)
        kind = KINDS_BY_CODE[spec.kind]
        zh = spec.language == "zh-hans"
        outcome = Outcome(status="closed", assigned=True)
        at = self._first_answer(rng, spec, outcome, self._opening(rng, spec, outcome))
        at = self._note(rng, spec, outcome, at)
        at = max(at, spec.created_at + timedelta(hours=rng.uniform(*RESOLUTION[spec.priority])))
        at = min(at, self.now - timedelta(seconds=1))
        summary, reply_zh, reply_en = kind.fix
        outcome.events.append(
            Event("reply", at, "agent", summary=summary, body=reply_zh if zh else reply_en, is_public=True)
        )
        outcome.events[-1].is_effective = True
        outcome.events.append(_status_event(at, "open", "resolved"))
        outcome.events.append(Event("confirmation_requested", at, "system", summary="请客户确认", is_public=True))
        outcome.resolved_at = outcome.last_effective_action_at = at
        return self._closing(rng, outcome, at)

    def _closing(self, rng: random.Random, outcome: Outcome, at: datetime) -> Outcome:
        confirmed = rng.random() < 0.7
        at += timedelta(hours=rng.uniform(0.5, 48)) if confirmed else timedelta(days=7)
        if at >= self.now:
            outcome.status, outcome.status_since = "resolved", outcome.resolved_at
            return outcome
        if confirmed:
            outcome.events.append(Event("customer_confirmed", at, "customer", summary="客户确认已解决", is_public=True))
            outcome.closure_kind = "customer_confirmed"
            outcome.rating = rng.choices((5, 4, 3, 2, 1), (52, 28, 11, 5, 4))[0]
            outcome.events.append(_status_event(at, "resolved", "closed", actor="customer"))
        else:
            outcome.events.append(Event("auto_closed", at, "system", summary="7 天未确认，自动关闭", is_public=True))
            outcome.closure_kind = "auto_closed"
            outcome.events.append(_status_event(at, "resolved", "closed", actor="system"))
        outcome.closed_at = outcome.status_since = at
        return outcome

    def _merged(self, rng: random.Random, spec: TicketSpec) -> Outcome:
        outcome = Outcome(status="merged", assigned=True, merged=True)
        at = self._opening(rng, spec, outcome) + self._minutes(rng, 2, 60)
        at = min(at, self.now - timedelta(seconds=1))
        merged = _status_event(at, "new", "merged")
        merged.event_type, merged.summary = "merged", "合并到原工单"
        merged.body, merged.is_effective = cat.MERGE_REASON.format(target="原工单"), False
        outcome.events.append(merged)
        outcome.status_since = at
        return outcome

    def _long(self, rng: random.Random, spec: TicketSpec) -> Outcome:
        """The ticket-page scenario's ticket: an open case with a hundred-event conversation."""
        outcome = Outcome(status="open", assigned=True)
        at = self._opening(rng, spec, outcome)
        step = (self.now - timedelta(seconds=5) - at) / LONG_TIMELINE
        notes = cat.AGENT_NOTES if spec.language == "zh-hans" else cat.AGENT_NOTES_EN
        at += step
        outcome.events.append(_status_event(at, "new", "open"))
        while len(outcome.events) < LONG_TIMELINE:
            at += step
            turn = len(outcome.events) % 3
            if turn == 0:
                summary, body = rng.choice(notes)
                outcome.events.append(Event("note", at, "agent", summary=summary, body=body, is_effective=True))
            elif turn == 1:
                body = rng.choice(cat.REOPEN_COMMENTS[spec.language])
                outcome.events.append(Event("reply", at, "customer", body=body, is_public=True))
            else:
                body = "继续排查中，稍后回复。" if spec.language == "zh-hans" else "Still investigating, more soon."
                first = outcome.first_response_at is None
                reply = Event("reply", at, "agent", body=body, is_public=True, is_effective=True, first_response=first)
                outcome.events.append(reply)
                outcome.first_response_at = outcome.first_response_at or at
            if turn != 1:
                outcome.last_effective_action_at = at
        outcome.status_since = outcome.events[2].at
        return outcome
