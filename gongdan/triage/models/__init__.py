from gongdan.triage.models.classification import (  # noqa: F401
    ClassificationCorrection,
    ClassifierModel,
    KeywordRule,
    TicketClassification,
)
from gongdan.triage.models.priority import BusinessWindow, PriorityOverride, PriorityRuleSet, TicketTriage, TriagePolicy  # noqa: F401
