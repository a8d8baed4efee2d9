"""One row of every triage model for the admin page test (like tests/intake/rows.py)."""

from datetime import date

from gongdan.core import clock
from gongdan.core.context import Actor
from gongdan.triage import services
from gongdan.triage.classification import training
from gongdan.triage.classification.features import Sample
from gongdan.triage.models import ClassifierModel, DuplicateSuspicion, TriagePolicy
from tests import factories


def one_triage_row_each(ticket, agent_actor) -> None:
    system = Actor.system()
    TriagePolicy.objects.create(ab_share_percent=10)
    services.create_window(
        actor=system, name="双11", kind="promotion", points=10, starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 12)
    )
    services.seed_default_rules(actor=system)
    services.override_priority(actor=agent_actor, ticket=ticket, code="P1", reason="产线停工")
    services.correct_classification(actor=agent_actor, ticket=ticket, sentiment="negative")
    # A tiny model straight from the pure trainer: the admin only lists it (training from the
    # database needs ten tickets, too slow for a fixture that runs once per admin page).
    samples = [
        Sample("打印机卡纸", "a"),
        Sample("打印机又卡纸", "a"),
        Sample("收不到验证码", "b"),
        Sample("验证码没到", "b"),
    ]
    blob = training.dump(training.train(samples))
    ClassifierModel.objects.create(version=1, blob=blob, digest="0" * 64, sample_count=4, trained_at=clock.now())
    # The fixture's other tickets are unrelated texts, which the duplicate score never flags: the same
    # customer asking again with matching text is a same-request duplicate the judgement flags.
    again = factories.ticket_for(ticket.customer, subject="验证码还是收不到")
    assert DuplicateSuspicion.objects.filter(ticket=again, original=ticket).exists()
