from gongdan.triage.models.classification import ClassificationCorrection, ClassifierModel, KeywordRule, TicketClassification  # noqa: F401,E501
from gongdan.triage.models.priority import BusinessWindow, PriorityOverride, PriorityRuleSet, TicketTriage, TriagePolicy  # noqa: F401,E501
