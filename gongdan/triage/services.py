"""The only writers of triage rows. Ticket fields change only through `gongdan.tickets.services`
(priority, category, tags, sentiment), always with an actor and a reason that cites the numbers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gongdan.core import clock, configcache
from gongdan.core.context import Actor
from gongdan.core.errors import InvalidInput
from gongdan.core.text import is_blank
from gongdan.customers.constants import Tier
from gongdan.tickets import services as tickets
from gongdan.tickets.constants import EventType, PriorityCode, Sentiment, TicketType
from gongdan.tickets.models import Category, Ticket, TicketEvent
from gongdan.tickets.services.hooks import CreationHints
from gongdan.triage import access, scoring
from gongdan.triage.classification import features, prediction
from gongdan.triage.constants import (
    DEFAULT_KEYWORD_RULES,
    DEFAULT_RULES,
    MIN_TRAINING_SAMPLES,
    AbGroup,
    CorrectionField,
    Recurrence,
)
from gongdan.triage.models import (
    BusinessWindow,
    ClassificationCorrection,
    ClassifierModel,
    KeywordRule,
    PriorityOverride,
    PriorityRuleSet,
    TicketClassification,
    TicketTriage,
    TriagePolicy,
)

NEGATIVE_SENTIMENTS = (Sentiment.NEGATIVE, Sentiment.ANGRY)
VIP_TAG = "vip"

# ---- rule sets ---------------------------------------------------------------------------------


@transaction.atomic
def publish_rule_set(*, actor: Actor, name: str, config: dict) -> PriorityRuleSet:
    """A new version becomes active; the one before it scores the A/B share from now on."""
    access.ensure_configure(actor)
    if is_blank(name):
        raise InvalidInput("A rule set needs a name.", "规则集需要名称。", fields={"name": "blank"})
    try:
        rules = scoring.RuleConfig.model_validate(config)
    except ValueError as error:
        raise InvalidInput(
            f"Invalid rule set: {error}", f"规则集无效：{error}", fields={"config": "invalid"}
        ) from error
    # Lock the existing versions (PostgreSQL refuses FOR UPDATE with an aggregate); the unique
    # version constraint settles a race on an empty table.
    latest = max(PriorityRuleSet.objects.select_for_update().values_list("version", flat=True), default=0)
    PriorityRuleSet.objects.filter(is_active=True).update(is_active=False)
    return PriorityRuleSet.objects.create(
        version=latest + 1, name=name.strip(), config=rules.model_dump(mode="json"), is_active=True
    )


RuleSetAndRules = tuple[PriorityRuleSet, scoring.RuleConfig]


def _rule_sets() -> tuple[RuleSetAndRules | None, RuleSetAndRules | None]:
    """The active rule set and the one before it (group B), parsed: configuration, cached; read-only."""

    def load():
        active = PriorityRuleSet.objects.filter(is_active=True).first()
        if active is None:
            return None, None
        previous = PriorityRuleSet.objects.filter(version__lt=active.version).order_by("-version").first()
        return (active, active.rules()), ((previous, previous.rules()) if previous else None)

    return configcache.cached(("priority-rule-sets",), load)


def _active_rule_set() -> PriorityRuleSet:
    active = _rule_sets()[0]
    if active is not None:
        return active[0]
    return publish_rule_set(actor=Actor.system(), name="Default", config=DEFAULT_RULES)


# ---- priority scoring --------------------------------------------------------------------------


def _complaints(ticket: Ticket, days: int) -> int:
    """The customer's earlier complaints within `days`: complaint tickets or a negative sentiment."""
    since = ticket.created_at - timedelta(days=days)
    return (
        Ticket.objects.filter(customer_id=ticket.customer_id, created_at__gte=since, created_at__lte=ticket.created_at)
        .exclude(pk=ticket.pk)
        .filter(Q(ticket_type=TicketType.COMPLAINT) | Q(sentiment__in=NEGATIVE_SENTIMENTS))
        .count()
    )


def _tier(ticket: Ticket) -> str:
    """The customer's own tier, or their organization's when that is higher (a VIP account's staff)."""
    order = list(Tier.values)
    tiers = [ticket.customer.tier]
    if ticket.organization_id:
        tiers.append(ticket.organization.tier)
    return max(tiers, key=order.index)


def ticket_facts(ticket: Ticket, rules: scoring.RuleConfig) -> scoring.TicketFacts:
    return scoring.TicketFacts(
        text=features.ticket_text(ticket.subject, ticket.description),
        fault_code=ticket.fault_code,
        category_codes=tuple(node.code for node in ticket.category.path()) if ticket.category_id else (),
        customer_tier=_tier(ticket),
        organization_size=ticket.organization.customers.count() if ticket.organization_id else 0,
        complaints=_complaints(ticket, rules.history_days),
    )


def _window_specs() -> list[scoring.WindowSpec]:
    return configcache.cached(
        ("business-windows",), lambda: [window.spec() for window in BusinessWindow.objects.filter(is_active=True)]
    )


def active_windows(moment) -> list[scoring.WindowSpec]:
    day = timezone.localdate(moment)
    return [spec for spec in _window_specs() if scoring.window_active(spec, day)]


def _rule_set_for(ticket: Ticket, policy: TriagePolicy) -> tuple[PriorityRuleSet, scoring.RuleConfig, str]:
    active, previous = _rule_sets()
    if active is None:
        rule_set = _active_rule_set()  # publishes the default rule set
        active, previous = (rule_set, rule_set.rules()), None
    if previous is not None and scoring.ab_group(ticket.pk, policy.ab_share_percent) == AbGroup.B:
        return previous[0], previous[1], AbGroup.B
    return active[0], active[1], AbGroup.A


def score_priority(*, ticket: Ticket, hints: CreationHints) -> TicketTriage:
    """Score a new ticket, store the breakdown and apply the priority unless the creator chose one."""
    rule_set, rules, group = _rule_set_for(ticket, TriagePolicy.cached())
    breakdown = scoring.score_ticket(ticket_facts(ticket, rules), rules, active_windows(ticket.created_at))
    breakdown["rule_set_version"] = rule_set.version
    triage = TicketTriage.objects.create(
        ticket=ticket,
        rule_set=rule_set,
        rule_set_version=rule_set.version,
        ab_group=group,
        score=breakdown["score"],
        computed_priority=breakdown["priority"],
        explicit_priority=hints.priority_given,
        breakdown=breakdown,
        scored_at=clock.now(),
    )
    # The ticket already has the computed priority: set_priority would change nothing (and re-lock it).
    if not hints.priority_given and breakdown["priority"] != ticket.priority.code:
        reason = (
            f"Score {breakdown['score']} → {breakdown['priority']} "
            f"({breakdown['decided_by']}, rule set v{rule_set.version}, group {group})"
        )
        tickets.set_priority(actor=Actor.system(), ticket=ticket, code=breakdown["priority"], reason=reason)
    return triage


def _category_code_paths() -> dict[str, tuple[str, ...]]:
    """Each category's code path (top level first), by code: configuration, cached."""

    def load() -> dict[str, tuple[str, ...]]:
        rows = {pk: (code, parent) for pk, code, parent in Category.objects.values_list("pk", "code", "parent_id")}

        def path(pk: int | None) -> tuple[str, ...]:
            codes: list[str] = []
            while pk is not None and pk in rows:
                codes.append(rows[pk][0])
                pk = rows[pk][1]
            return tuple(reversed(codes))

        return {code: path(pk) for pk, (code, _parent) in rows.items()}

    return configcache.cached(("category-code-paths",), load)


def _default_rules() -> scoring.RuleConfig:
    return configcache.cached(("default-priority-rules",), lambda: scoring.RuleConfig.model_validate(DEFAULT_RULES))


def initial_priority(ticket: Ticket) -> str:
    """The priority a new ticket is stored with, from cheap pure rules over what the request knows
    (issue 15): the active rule set's score of its text cues, fault code (an alarm), the given
    category or else a keyword rule's, the customer's tier and the active business windows. The
    worker's full score adds the learned classifier, the complaint history and the organization's
    size, and changes the priority on the timeline if it differs. Never empty (R1.6)."""
    active = _rule_sets()[0]
    rules = active[1] if active is not None else _default_rules()
    text = features.ticket_text(ticket.subject, ticket.description)
    if ticket.category_id:
        category = ticket.category.code
    else:
        policy = TriagePolicy.cached()
        matches = prediction.match_rules(text, _rule_specs())
        decision = prediction.combine(None, matches, floor=policy.confidence_floor, tag_threshold=policy.tag_threshold)
        category = decision.category if decision.apply_category else ""
    facts = scoring.TicketFacts(
        text=text,
        fault_code=ticket.fault_code,
        category_codes=_category_code_paths().get(category, ()),
        customer_tier=_tier(ticket),
    )
    return scoring.score_ticket(facts, rules, active_windows(ticket.created_at))["priority"]


@transaction.atomic
def override_priority(*, actor: Actor, ticket: Ticket, code: str, reason: str) -> PriorityOverride:
    """An agent's priority choice with a required reason; the score at that moment is kept beside it."""
    access.ensure_can_triage(actor, ticket)
    if is_blank(reason):
        raise InvalidInput("Say why you change the priority.", "请填写调整优先级的原因。", fields={"reason": "blank"})
    if code not in PriorityCode.values:
        raise InvalidInput(f"Unknown priority: {code}.", f"未知的优先级：{code}。", fields={"code": "unknown"})
    old = ticket.priority.code
    triage = TicketTriage.objects.filter(ticket=ticket).first()
    tickets.set_priority(actor=actor, ticket=ticket, code=code, reason=f"Override: {reason.strip()}")
    return PriorityOverride.objects.create(
        ticket=ticket,
        user=actor.user,
        old_priority=old,
        new_priority=code,
        computed_priority=triage.computed_priority if triage else "",
        score=triage.score if triage else None,
        reason=reason.strip(),
        created_at=clock.now(),
    )


# ---- classification ----------------------------------------------------------------------------


def _rule_specs() -> list[prediction.RuleSpec]:
    return configcache.cached(("keyword-rule-specs",), _load_rule_specs)


def _load_rule_specs() -> list[prediction.RuleSpec]:
    return [
        prediction.RuleSpec(
            name=rule.name,
            keywords=tuple(rule.keyword_list()),
            min_hits=rule.min_hits,
            category=rule.category.code if rule.category_id else "",
            tags=tuple(rule.tags),
            sentiment=rule.sentiment,
        )
        for rule in KeywordRule.objects.filter(is_active=True).select_related("category")
    ]


def _category(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True).first() if code else None


def _apply_decision(ticket: Ticket, decision: prediction.Decision, hints: CreationHints, version: int | None) -> bool:
    system = Actor.system()
    applied = False
    category = _category(decision.category) if decision.apply_category and not hints.category_given else None
    if category is not None:
        reason = (
            f"Classified by {decision.source}{f' v{version}' if version else ''}, confidence {decision.confidence:.0%}"
        )
        tickets.set_category(actor=system, ticket=ticket, category=category, reason=reason)
        applied = True
    wanted = auto_tags(ticket, decision.tags)
    current = sorted(ticket.tags.values_list("name", flat=True)) if wanted else []
    if set(wanted) - set(current):
        tickets.update_fields(actor=system, ticket=ticket, changes={}, tags=sorted(set(current) | set(wanted)))
    if decision.sentiment and decision.sentiment != Sentiment.NEUTRAL and not ticket.sentiment:
        tickets.update_fields(actor=system, ticket=ticket, changes={"sentiment": decision.sentiment})
    return applied


def auto_tags(ticket: Ticket, predicted) -> list[str]:
    """The predicted tags, except the VIP tag, which only the customer's tier gives (a text saying
    "VIP" or "我是大客户" is no evidence of anything)."""
    tags = {tag for tag in predicted if tag.lower() != VIP_TAG}
    if _tier(ticket) == Tier.VIP:
        tags.add(VIP_TAG)
    return sorted(tags)


def classify(*, ticket: Ticket, hints: CreationHints) -> TicketClassification:
    """Predict category, tags and sentiment for a new ticket and apply what is confident enough."""
    policy = TriagePolicy.cached()
    loaded = prediction.current_model()
    text = features.ticket_text(ticket.subject, ticket.description)
    model = prediction.predict(loaded[0], loaded[1], text) if loaded else None
    matches = prediction.match_rules(text, _rule_specs())
    decision = prediction.combine(model, matches, floor=policy.confidence_floor, tag_threshold=policy.tag_threshold)
    applied = _apply_decision(ticket, decision, hints, model.version if model else None)
    return TicketClassification.objects.create(
        ticket=ticket,
        model_version=model.version if model else None,
        source=decision.source,
        category=_category(decision.category),
        confidence=decision.confidence,
        suggestions=[list(s) for s in decision.suggestions],
        tags=auto_tags(ticket, decision.tags),
        # Every ticket's sentiment is stored here, neutral included (the ticket's own field stays
        # blank for neutral: writing it would add a timeline event to nearly every ticket).
        sentiment=decision.sentiment or Sentiment.NEUTRAL,
        sentiment_confidence=decision.sentiment_confidence,
        applied=applied,
        needs_review=decision.needs_review and not hints.category_given,
        classified_at=clock.now(),
    )


def on_ticket_created(ticket: Ticket, actor: Actor, hints: CreationHints) -> None:
    """The created hook: classify first, so scoring sees a category the classifier applied."""
    classification = classify(ticket=ticket, hints=hints)
    # Read back what classification may have written (category, sentiment); nothing else to read.
    if classification.applied or classification.sentiment not in ("", Sentiment.NEUTRAL):
        ticket.refresh_from_db(fields=["category", "sentiment"])
    score_priority(ticket=ticket, hints=hints)


def _record(actor: Actor, ticket: Ticket, field: str, predicted, corrected, confidence: float) -> None:
    ClassificationCorrection.objects.create(
        ticket=ticket,
        user=actor.user,
        field=field,
        predicted=predicted,
        corrected=corrected,
        confidence=confidence,
        created_at=clock.now(),
    )


@transaction.atomic
def correct_classification(
    *,
    actor: Actor,
    ticket: Ticket,
    category: str | None = None,
    tags: list[str] | None = None,
    sentiment: str | None = None,
) -> TicketClassification | None:
    """An agent accepts or corrects the prediction. Each given field is written through the ticket
    services and recorded (who, predicted, corrected, confidence); training weighs these tickets more."""
    access.ensure_can_triage(actor, ticket)
    found = TicketClassification.objects.select_for_update().filter(ticket=ticket).first()
    predicted = found or TicketClassification(confidence=0, tags=[], sentiment="")
    if category is not None:
        chosen = _category(category)
        if chosen is None:
            raise InvalidInput(
                f"Unknown category: {category}.", f"未知的分类：{category}。", fields={"category": "unknown"}
            )
        tickets.set_category(actor=actor, ticket=ticket, category=chosen, reason="Classification reviewed")
        guess = predicted.category.code if predicted.category_id else None
        _record(actor, ticket, CorrectionField.CATEGORY, guess, chosen.code, predicted.confidence)
    if tags is not None:
        tickets.update_fields(actor=actor, ticket=ticket, changes={}, tags=tags)
        _record(actor, ticket, CorrectionField.TAGS, predicted.tags, sorted(set(tags)), predicted.confidence)
    if sentiment is not None:
        tickets.update_fields(actor=actor, ticket=ticket, changes={"sentiment": sentiment})
        _record(
            actor, ticket, CorrectionField.SENTIMENT, predicted.sentiment, sentiment, predicted.sentiment_confidence
        )
    if found is not None and category is not None:
        found.needs_review = False
        found.save(update_fields=["needs_review"])
    return found


def _record_category_changes_elsewhere() -> int:
    """Category changes made outside the triage panel (ticket page, API, rules) to a ticket whose
    category the classifier applied become corrections too, attributed to the last person who
    changed the category. Runs before each training, so they are recorded and weighted."""
    recorded = 0
    changed = (
        TicketClassification.objects.filter(applied=True, category__isnull=False)
        .exclude(ticket__category=F("category"))
        .exclude(ticket__classification_corrections__field=CorrectionField.CATEGORY)
        .select_related("ticket__category", "category")
    )
    for found in changed:
        event = (
            TicketEvent.objects.filter(ticket=found.ticket, event_type=EventType.CATEGORY_CHANGED, actor__isnull=False)
            .order_by("-created_at", "-id")
            .first()
        )
        ClassificationCorrection.objects.create(
            ticket=found.ticket,
            user=event.actor if event else None,
            field=CorrectionField.CATEGORY,
            predicted=found.category.code,
            corrected=found.ticket.category.code if found.ticket.category_id else None,
            confidence=found.confidence,
            created_at=event.created_at if event else clock.now(),
        )
        recorded += 1
    return recorded


@transaction.atomic
def train_classifier(*, actor: Actor) -> ClassifierModel:
    """Retrain from every categorised ticket (corrections weighted) and store a new shared version."""
    from gongdan.triage.classification import training  # scikit-learn: only where a model is trained

    access.ensure_configure(actor)
    _record_category_changes_elsewhere()
    samples = features.samples_from_database()
    if len(samples) < MIN_TRAINING_SAMPLES:
        raise InvalidInput(
            f"Training needs at least {MIN_TRAINING_SAMPLES} categorised tickets; there are {len(samples)}.",
            f"训练至少需要 {MIN_TRAINING_SAMPLES} 张已分类工单，目前只有 {len(samples)} 张。",
            fields={"samples": "too_few"},
        )
    try:
        bundle = training.train(samples)
    except ValueError as error:
        raise InvalidInput(f"Cannot train: {error}.", f"无法训练：{error}。", fields={"samples": "invalid"}) from error
    latest = max(ClassifierModel.objects.select_for_update().values_list("version", flat=True), default=0)
    metrics = {
        "categories": len(bundle.category.classes_),
        "tags": bundle.tag_classes,
        "sentiment": bundle.sentiment is not None,
        "weighted_samples": sum(1 for s in samples if s.weight > 1),
    }
    blob = training.dump(bundle)
    return ClassifierModel.objects.create(
        version=latest + 1,
        blob=blob,
        digest=hashlib.sha256(blob).hexdigest(),
        metrics=metrics,
        sample_count=len(samples),
        trained_at=clock.now(),
    )


@transaction.atomic
def seed_default_rules(*, actor: Actor) -> int:
    """Create the starting keyword rules that are missing (by name); category rules only where the
    category exists. Returns how many were created."""
    access.ensure_configure(actor)
    created = 0
    for spec in DEFAULT_KEYWORD_RULES:
        category = _category(spec.get("category", ""))
        if spec.get("category") and category is None:
            continue
        _, made = KeywordRule.objects.get_or_create(
            name=spec["name"],
            defaults={
                "keywords": "\n".join(spec["keywords"]),
                "category": category,
                "tags": spec.get("tags", []),
                "sentiment": spec.get("sentiment", ""),
            },
        )
        created += made
    return created


@transaction.atomic
def create_window(
    *,
    actor: Actor,
    name: str,
    kind: str,
    points: float,
    starts_on=None,
    ends_on=None,
    recurrence: str = Recurrence.ONCE,
    last_days: int = 0,
    category_overrides: dict[str, str] | None = None,
) -> BusinessWindow:
    """A business window (validated like the admin form): promotions, month-end, release windows."""
    access.ensure_configure(actor)
    window = BusinessWindow(
        name=name.strip(),
        kind=kind,
        recurrence=recurrence,
        starts_on=starts_on,
        ends_on=ends_on,
        last_days=last_days,
        points=points,
        category_overrides=category_overrides or {},
    )
    try:
        window.full_clean()
    except ValidationError as error:
        raise InvalidInput(
            f"Invalid business window: {error.messages}",
            f"业务时段无效：{error.messages}",
            fields={k: "invalid" for k in error.message_dict},
        ) from error
    window.save()
    return window


@dataclass(frozen=True)
class Suggestion:
    category: Category | None
    confidence: float
    priority: str | None


def suggest(*, subject: str, description: str, customer=None) -> Suggestion:
    """What triage would choose for a ticket being typed (the desk's new-ticket form): read only."""
    policy = TriagePolicy.cached()
    loaded = prediction.current_model()
    text = features.ticket_text(subject, description)
    model = prediction.predict(loaded[0], loaded[1], text) if loaded else None
    matches = prediction.match_rules(text, _rule_specs())
    decision = prediction.combine(model, matches, floor=policy.confidence_floor, tag_threshold=policy.tag_threshold)
    category = _category(decision.category) if decision.category else None
    active = _rule_sets()[0]
    priority = None
    if active is not None:
        facts = scoring.TicketFacts(
            text=text,
            category_codes=tuple(node.code for node in category.path()) if category else (),
            customer_tier=customer.tier if customer is not None else "standard",
        )
        priority = scoring.score_ticket(facts, active[1], active_windows(clock.now()))["priority"]
    return Suggestion(category, decision.confidence, priority)
