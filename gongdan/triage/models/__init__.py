from gongdan.triage.models.merging import MergePolicy, MergeProposal, MergeProvenance, RecurrenceRecord  # noqa: F401
