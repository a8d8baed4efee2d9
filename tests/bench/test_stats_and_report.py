"""Percentiles, summaries and target verdicts: worked examples."""

from bench.report import markdown, verdicts
from bench.stats import percentile, summarise


def test_nearest_rank_percentiles():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([4.0], 99) == 4.0
    assert percentile([], 50) == 0.0
    assert percentile([1, 2, 3, 4], 50) == 2


def test_summary_counts_throughput_over_the_measured_seconds():
    result = summarise([10.0, 20.0, 30.0, 40.0], seconds=2.0, errors=1)
    assert result == {
        "requests": 4,
        "errors": 1,
        "seconds": 2.0,
        "throughput": 2.0,
        "p50_ms": 20.0,
        "p95_ms": 40.0,
        "p99_ms": 40.0,
        "max_ms": 40.0,
    }


SAMPLE = {
    "size": "quick",
    "started_at": "2026-11-26T00:00:00+00:00",
    "reused_database": True,
    "seconds": 300.0,
    "machine": {
        "cpu": "Xeon",
        "cores": 2,
        "ram_gb": 24.0,
        "postgresql": "15.20",
        "python": "3.11.7",
        "commit": "abc1234",
        "branch": "bench",
        "server": "gunicorn",
    },
    "dataset": {
        "tickets": 100000,
        "events": 1000000,
        "customers": 20000,
        "active": 8000,
        "index_rows": 3,
        "seconds": 1,
    },
    "intake": {"c8": {"throughput": 250.0, "p99_ms": 120.0, "p50_ms": 20, "p95_ms": 90, "requests": 2000}},
    "pages": {"queue_page": {"c8": {"p99_ms": 40.0}}},
    "sla_sweep": {"open_10k": {"ms": 150.0, "handled": 1000, "open_tickets": 10000, "ms_per_ticket": 0.15}},
    "memory": {"web_worker_max_mb": 180.0},
}


def test_verdicts_compare_each_target_in_its_direction_and_say_what_was_not_measured():
    rows = {row["target"]: (row["value"], row["verdict"]) for row in verdicts(SAMPLE)}
    assert rows["Intake, full pipeline, c=8: throughput"] == (250.0, "met")
    assert rows["Intake, full pipeline, c=8: p99"] == (120.0, "missed")
    assert rows["Queue page, c=8: p99"] == (40.0, "met")
    assert rows["Ticket page (100 events), c=8: p99"] == (None, "not measured")
    assert rows["SLA sweep, 1,000 due of 10k open"] == (150.0, "met")
    assert rows["Web worker RSS after the run"] == (180.0, "met")


def test_the_markdown_report_has_the_targets_table_with_the_peer_figures():
    text = markdown({**SAMPLE, "targets": verdicts(SAMPLE)})
    assert "| Intake, full pipeline, c=8: p99 | ≤ 100 ms | 120 | missed | 647 ms at c=32 |" in text
    assert "| intake (API, full pipeline) | c8 | 250 | 20 | 90 | 120 | 2000 | 0 | — | — |" in text
    assert "commit abc1234 on bench" in text
