from gongdan.triage.models.classification import (  # noqa: F401
    ClassificationCorrection,
    ClassifierModel,
    KeywordRule,
    TicketClassification,
)
from gongdan.triage.models.duplicates import DuplicateBand, DuplicateConfig, DuplicateSuspicion, SearchTerm  # noqa: F401
from gongdan.triage.models.embeddings import ClusterMember, IncidentCluster, TicketEmbedding  # noqa: F401
from gongdan.triage.models.merging import MergePolicy, MergeProposal, MergeProvenance, RecurrenceRecord  # noqa: F401
from gongdan.triage.models.priority import BusinessWindow, PriorityOverride, PriorityRuleSet, TicketTriage, TriagePolicy  # noqa: F401
