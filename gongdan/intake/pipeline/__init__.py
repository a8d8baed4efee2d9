"""Intake pipeline: one module per step, run in order by `runner.ingest` with per-step timings.

limits → normalise → identity → follow_up → hooks (dedupe/triage) → create → route → notify
"""
