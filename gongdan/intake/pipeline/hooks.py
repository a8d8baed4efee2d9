"""Extension points filled by later issues: dedupe/triage (before creation) and routing (after).

A triage hook is `hook(ctx) -> None`; it may set `ctx.target` (and `ctx.merged = True`) to fold a
duplicate into an existing ticket, fill `ctx.ticket_fields` (priority_code, category, tags…), or
raise `Rejected` to send the message to dead letters. A route hook is `hook(ctx) -> None` called
with `ctx.ticket` set after creation, inside the same transaction. Both lists are empty by default;
register with `register_triage(fn)` / `register_route(fn)` from an AppConfig.ready().
"""

from collections.abc import Callable

from gongdan.intake.pipeline.context import IntakeContext

Hook = Callable[[IntakeContext], None]

TRIAGE_HOOKS: list[Hook] = []
ROUTE_HOOKS: list[Hook] = []


def register_triage(hook: Hook) -> Hook:
    if hook not in TRIAGE_HOOKS:
        TRIAGE_HOOKS.append(hook)
    return hook


def register_route(hook: Hook) -> Hook:
    if hook not in ROUTE_HOOKS:
        ROUTE_HOOKS.append(hook)
    return hook


def run_triage(ctx: IntakeContext) -> None:
    for hook in list(TRIAGE_HOOKS):
        hook(ctx)


def run_route(ctx: IntakeContext) -> None:
    if ctx.ticket is None:
        return
    for hook in list(ROUTE_HOOKS):
        hook(ctx)
