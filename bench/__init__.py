"""Gongdan's benchmark suite: workload generator, bulk loader, scenarios and runner (`make bench`).

Read docs/performance.md for what is measured and how; ADR 0012 for the server and loader choices.
"""
