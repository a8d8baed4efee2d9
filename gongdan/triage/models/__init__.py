from gongdan.triage.models.duplicates import DuplicateBand, DuplicateConfig, DuplicateSuspicion, SearchTerm  # noqa: F401
from gongdan.triage.models.merging import MergePolicy, MergeProposal, MergeProvenance, RecurrenceRecord  # noqa: F401
