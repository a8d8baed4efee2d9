"""Step: resolve who wrote (R2.2) through `customers.services.resolve_identity`."""

from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput
from gongdan.customers import services as customers
from gongdan.intake.constants import SOURCE_CHANNEL, Reason
from gongdan.intake.pipeline.context import IntakeContext, Rejected


def run(ctx: IntakeContext) -> None:
    inbound = ctx.inbound
    wanted = [customers.NewIdentity(i.kind, i.value) for i in inbound.identities]
    try:
        resolution = customers.resolve_identity(
            actor=Actor.system(SOURCE_CHANNEL[inbound.source]),
            identities=wanted,
            name=inbound.sender_name,
            language=inbound.language,
        )
    except InvalidInput as exc:
        raise Rejected(Reason.NO_SENDER, exc.message_en) from exc
    ctx.customer, ctx.customer_created = resolution.customer, resolution.created
    ctx.actor = Actor(customer=resolution.customer, channel=SOURCE_CHANNEL[inbound.source])
    ctx.record.customer = resolution.customer
    if resolution.linked and not resolution.created:
        ctx.notes.append("linked " + ", ".join(f"{kind}:{value}" for kind, value in resolution.linked))
