"""Training from the database, the shared model cached by version, the confidence floor routing to
the triage queue, one-click acceptance and corrections (recorded and weighted in training)."""

import pytest
from django.test import Client

from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput, PermissionDenied
from gongdan.tickets import services as ticket_services
from gongdan.tickets.constants import EventType
from gongdan.tickets.models import TicketEvent
from gongdan.triage import services
from gongdan.triage.classification import prediction
from gongdan.triage.classification.features import samples_from_database
from gongdan.triage.models import ClassificationCorrection, ClassifierModel, TicketClassification, TriagePolicy
from gongdan.web import queues
from tests import factories

pytestmark = pytest.mark.django_db

TEXTS = {
    "printer-jam": [
        ("打印机卡纸", "财务部的打印机又卡纸了，取不出来"),
        ("打印机一直卡纸", "打印到一半就卡纸，纸张皱在里面"),
        ("Printer paper jam", "The office printer jams on every second page"),
        ("打印机卡纸报警", "打印机面板显示卡纸，清理后还是报警"),
        ("Paper stuck in printer", "Paper is stuck inside the printer tray again"),
        ("复印机卡纸", "复印的时候卡纸，纸屑卡在滚轴里"),
    ],
    "login-no-code": [
        ("收不到验证码", "登录时手机收不到短信验证码"),
        ("验证码一直收不到", "点获取验证码后没有短信"),
        ("No SMS verification code", "I never receive the login code by SMS"),
        ("登录验证码没收到", "等了十分钟验证码还没到，无法登录"),
        ("Login code does not arrive", "The SMS code for login never arrives on my phone"),
        ("短信验证码收不到", "换了网络也收不到登录验证码短信"),
    ],
}


@pytest.fixture
def trained(customer, agent_actor):
    categories = {code: factories.category(code, code) for code in TEXTS}
    for code, pairs in TEXTS.items():
        for subject, description in pairs:
            factories.ticket_for(customer, subject=subject, description=description, category=categories[code])
    return services.train_classifier(actor=Actor.system())


def test_training_stores_a_shared_versioned_model(trained):
    assert (trained.version, trained.sample_count) == (1, 12)
    assert trained.metrics == {"categories": 2, "tags": [], "sentiment": False, "weighted_samples": 0}
    version, bundle = prediction.current_model()
    assert version == 1 and prediction.current_model()[1] is bundle  # cached until a new version exists
    again = services.train_classifier(actor=Actor.system())
    assert again.version == 2 and prediction.current_model()[0] == 2


def test_training_refuses_too_few_tickets_and_agents(customer, agent_actor):
    with pytest.raises(InvalidInput):
        services.train_classifier(actor=Actor.system())
    with pytest.raises(PermissionDenied):
        services.train_classifier(actor=agent_actor)
    assert ClassifierModel.objects.count() == 0


def test_a_confident_prediction_categorises_the_new_ticket_through_the_ticket_services(trained, customer):
    TriagePolicy.objects.create(confidence_floor=0.5)
    ticket = factories.ticket_for(customer, subject="打印机卡纸了", description="打印机卡纸，纸取不出来")
    ticket.refresh_from_db()
    found = TicketClassification.objects.get(ticket=ticket)
    assert (ticket.category.code, found.source, found.applied, found.needs_review) == (
        "printer-jam",
        "model",
        True,
        False,
    )
    assert found.confidence >= 0.5
    event = TicketEvent.objects.get(ticket=ticket, event_type=EventType.CATEGORY_CHANGED)
    assert event.actor_id is None and event.body == f"Classified by model v1, confidence {found.confidence:.0%}"


def test_below_the_floor_the_ticket_is_not_categorised_and_waits_in_the_triage_queue(trained, customer, agent):
    TriagePolicy.objects.create(confidence_floor=0.99)
    ticket = factories.ticket_for(customer, subject="打印机卡纸了", description="打印机卡纸，纸取不出来")
    ticket.refresh_from_db()
    found = TicketClassification.objects.get(ticket=ticket)
    assert (ticket.category, found.applied, found.needs_review) == (None, False, True)
    assert [code for code, _ in found.suggestions] == ["printer-jam", "login-no-code"]
    in_queue = list(queues.tickets("triage", agent, queues.Filters()).values_list("number", flat=True))
    assert in_queue == [ticket.number]
    assert queues.counts(agent)["triage"] == 1

    client = Client()
    client.force_login(agent)
    panel = client.get(f"/desk/triage/t/{ticket.number}/panel/").content.decode()
    assert 'id="triage-needs-review"' in panel and 'value="printer-jam"' in panel
    accepted = client.post(
        f"/desk/triage/t/{ticket.number}/classification/", {"cl-category": "printer-jam"}, HTTP_HX_REQUEST="true"
    )
    assert accepted.status_code == 200
    ticket.refresh_from_db()
    correction = ClassificationCorrection.objects.get(ticket=ticket)
    assert (ticket.category.code, correction.field, correction.predicted, correction.corrected, correction.user) == (
        "printer-jam",
        "category",
        "printer-jam",
        "printer-jam",
        agent,
    )
    assert correction.confidence == found.confidence and correction.accepted
    # The ticket leaves the queue at once; the sidebar's count (kept 5 s per user) follows on recount.
    assert list(queues.tickets("triage", agent, queues.Filters())) == []
    assert queues.recount(agent)["triage"] == 0


def test_an_explicit_category_is_kept_and_not_queued(trained, customer):
    other = factories.category("login-no-code")
    ticket = factories.ticket_for(customer, subject="打印机卡纸", description="卡纸", category=other)
    ticket.refresh_from_db()
    found = TicketClassification.objects.get(ticket=ticket)
    assert (ticket.category.code, found.category.code, found.applied, found.needs_review) == (
        "login-no-code",
        "printer-jam",
        False,
        False,
    )


def test_a_correction_is_recorded_and_weighs_more_in_the_next_training(trained, customer, agent_actor):
    TriagePolicy.objects.create(confidence_floor=0.5)
    ticket = factories.ticket_for(customer, subject="打印机卡纸了", description="打印机卡纸，纸取不出来")
    services.correct_classification(
        actor=agent_actor, ticket=ticket, category="login-no-code", tags=["打印机", "紧急"], sentiment="negative"
    )
    ticket.refresh_from_db()
    assert (ticket.category.code, ticket.sentiment) == ("login-no-code", "negative")
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["打印机", "紧急"]
    rows = list(ClassificationCorrection.objects.order_by("field").values_list("field", "predicted", "corrected"))
    assert rows == [
        ("category", "printer-jam", "login-no-code"),
        ("sentiment", "neutral", "negative"),
        ("tags", [], ["打印机", "紧急"]),
    ]
    weights = {s.text.split("\n")[0]: s.weight for s in samples_from_database()}
    assert (weights["打印机卡纸了"], weights["打印机卡纸"]) == (3.0, 1.0)
    assert services.train_classifier(actor=Actor.system()).metrics["weighted_samples"] == 1


def test_an_agent_correcting_to_an_unknown_category_changes_nothing(trained, customer, agent_actor):
    ticket = factories.ticket_for(customer, subject="打印机卡纸了", description="卡纸")
    before = ticket.category_id
    with pytest.raises(InvalidInput):
        services.correct_classification(actor=agent_actor, ticket=ticket, category="nope")
    ticket.refresh_from_db()
    assert (ticket.category_id, ClassificationCorrection.objects.count()) == (before, 0)


def test_keyword_rules_set_sentiment_and_a_strong_category(customer):
    factories.category("pay-failed", "支付失败")
    assert services.seed_default_rules(actor=Actor.system()) == 4
    ticket = factories.ticket_for(customer, subject="Payment failed", description="I am furious, this is unacceptable")
    ticket.refresh_from_db()
    assert (ticket.category.code, ticket.sentiment) == ("pay-failed", "angry")
    assert list(ticket.tags.values_list("name", flat=True)) == ["支付"]
    assert TicketClassification.objects.get(ticket=ticket).source == "rule"


def test_a_category_change_on_the_ticket_page_is_recorded_as_a_correction_at_the_next_training(
    trained, customer, agent, agent_actor
):
    TriagePolicy.objects.create(confidence_floor=0.5)
    ticket = factories.ticket_for(customer, subject="打印机卡纸了", description="打印机卡纸，纸取不出来")
    ticket.refresh_from_db()
    confidence = TicketClassification.objects.get(ticket=ticket).confidence
    ticket_services.set_category(actor=agent_actor, ticket=ticket, category=factories.category("login-no-code"))
    services.train_classifier(actor=Actor.system())
    correction = ClassificationCorrection.objects.get(ticket=ticket)
    assert (correction.user, correction.predicted, correction.corrected, correction.confidence) == (
        agent,
        "printer-jam",
        "login-no-code",
        confidence,
    )
    assert ClassifierModel.objects.latest("version").metrics["weighted_samples"] == 1
