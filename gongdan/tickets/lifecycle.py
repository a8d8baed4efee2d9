"""The one transition table of the ticket lifecycle (R1.3). Pure: kinds in, decisions out.

Stages order the kinds; moving to an earlier stage is a 回退 (step back) and needs a reason.
`closed` is reached only from `resolved`: by the customer's confirmation, by the auto-close
sweep, or by an agent with a reason (e.g. the customer confirmed by phone).
"""

from dataclasses import dataclass

from gongdan.tickets.constants import StatusKind as K

STAGE = {K.NEW: 0, K.OPEN: 1, K.PENDING: 1, K.ON_HOLD: 1, K.RESOLVED: 2, K.CLOSED: 3, K.MERGED: 3}

ALLOWED: dict[str, frozenset[str]] = {
    K.NEW: frozenset({K.OPEN, K.PENDING, K.ON_HOLD, K.RESOLVED, K.MERGED}),
    K.OPEN: frozenset({K.PENDING, K.ON_HOLD, K.RESOLVED, K.MERGED}),
    K.PENDING: frozenset({K.OPEN, K.ON_HOLD, K.RESOLVED, K.MERGED}),
    K.ON_HOLD: frozenset({K.OPEN, K.PENDING, K.RESOLVED, K.MERGED}),
    K.RESOLVED: frozenset({K.OPEN, K.CLOSED}),
    K.CLOSED: frozenset({K.OPEN}),
    K.MERGED: frozenset(),
}

# The kinds a ticket may be merged from, and so the kinds an un-merge returns it to.
MERGEABLE_KINDS = frozenset(kind for kind, targets in ALLOWED.items() if K.MERGED in targets)

# Transitions that only the system's own flows may take: merging goes through the merge service,
# and un-merging (back to the status the original had before) through the un-merge service.
SYSTEM_ONLY = frozenset({(kind, K.MERGED) for kind in ALLOWED} | {(K.MERGED, kind) for kind in MERGEABLE_KINDS})


@dataclass(frozen=True)
class TransitionRule:
    allowed: bool
    needs_reason: bool
    is_step_back: bool


def rule_for(from_kind: str, to_kind: str) -> TransitionRule:
    allowed = to_kind in ALLOWED.get(from_kind, frozenset())
    step_back = STAGE[to_kind] < STAGE[from_kind]
    # Closing a resolved ticket without the customer's confirmation must be explained as well.
    agent_close = from_kind == K.RESOLVED and to_kind == K.CLOSED
    return TransitionRule(allowed=allowed, needs_reason=step_back or agent_close, is_step_back=step_back)


def allowed_targets(from_kind: str) -> list[str]:
    return sorted(ALLOWED.get(from_kind, frozenset()))


DONE_KINDS = frozenset({K.RESOLVED, K.CLOSED})
# A public reply on these is refused: the conversation is over (a new request references it).
FINAL_KINDS_FOR_REPLY = frozenset({K.CLOSED, K.MERGED})
