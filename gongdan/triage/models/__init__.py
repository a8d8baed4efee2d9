from gongdan.triage.models.duplicates import DuplicateBand, DuplicateConfig, DuplicateSuspicion, SearchTerm  # noqa: F401
