"""Merge proposals, merging with provenance, un-merge, recurrence and the duplicate top-10 (R5.3–R5.5, R10.2).

`rules` holds the pure decisions, `services` the only writers of this part's models, `selectors`
the read queries and reports; `views`/`api` are thin.
"""
