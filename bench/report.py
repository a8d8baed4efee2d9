"""Results as JSON and a markdown table, with the machine they were measured on and the targets."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Target:
    label: str
    path: tuple[str, ...]
    limit: float
    at_least: bool  # True: the value must reach the limit (throughput); False: stay under it
    unit: str
    peer: str = ""


# The targets (2 cores, PostgreSQL, 1M tickets) and django-helpdesk's figures (2 cores, 100k).
TARGETS = [
    Target(
        "Intake, full pipeline, c=8: throughput", ("intake", "c8", "throughput"), 200, True, "tickets/s", "56/s at c=32"
    ),
    Target("Intake, full pipeline, c=8: p99", ("intake", "c8", "p99_ms"), 100, False, "ms", "647 ms at c=32"),
    Target("Queue page, c=8: p99", ("pages", "queue_page", "c8", "p99_ms"), 50, False, "ms", "153 ms p50 at c=1"),
    Target("Ticket page (100 events), c=8: p99", ("pages", "ticket_page", "c8", "p99_ms"), 50, False, "ms"),
    Target("Duplicate candidate lookup: p99", ("duplicates", "find_candidates", "p99_ms"), 5, False, "ms"),
    Target("SLA sweep, 1,000 due of 10k open", ("sla_sweep", "open_10k", "ms"), 200, False, "ms"),
    Target("SLA sweep, 1,000 due of all open", ("sla_sweep", "open_all", "ms"), 200, False, "ms", "23 min for 100k"),
    Target("Web worker RSS after the run", ("memory", "web_worker_max_mb"), 250, False, "MB"),
    # Issue 15: accept in the request, judge behind it; the peer side by side.
    Target(
        "Create, in-request CPU per ticket", ("judgement", "request_deferred", "cpu_ms_per_ticket"), 10, False, "ms"
    ),
    Target("Create, request + worker CPU per ticket", ("judgement", "pipeline_cpu_ms_per_ticket"), 30, False, "ms"),
    Target("Batch of 100 new tickets judged (worker CPU)", ("judgement", "batch_of_100", "cpu_ms"), 1000, False, "ms"),
    Target("Intake-to-routed, c=8: p99", ("intake", "c8", "intake_to_routed", "p99_ms"), 2000, False, "ms"),
    Target("Create ÷ peer, c=8: throughput", ("peer", "ratios", "create_c8", "throughput"), 4, True, "×"),
    Target("Public reply ÷ peer, c=8: throughput", ("peer", "ratios", "public_reply_c8", "throughput"), 2, True, "×"),
]


def _dig(data: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def verdicts(results: dict) -> list[dict]:
    rows = []
    for target in TARGETS:
        value = _dig(results, target.path)
        if value is None:
            verdict = "not measured"
        elif target.at_least:
            verdict = "met" if value >= target.limit else "missed"
        else:
            verdict = "met" if value <= target.limit else "missed"
        sign = "≥" if target.at_least else "≤"
        rows.append(
            {
                "target": target.label,
                "goal": f"{sign} {target.limit:g} {target.unit}",
                "value": value,
                "verdict": verdict,
                "peer": target.peer,
            }
        )
    return rows


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def machine(pg_version: str, stack: str) -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")),
        platform.processor(),
    )
    root = Path(__file__).resolve().parent.parent
    dirty = bool(_run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"]))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "server": stack,
        "commit": _run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]) + (" (dirty)" if dirty else ""),
        "branch": _run(["git", "-C", str(root), "rev-parse", "--abbrev-ref", "HEAD"]),
    }


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        return None
    return None


def _cell(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _latency_rows(name: str, levels: dict) -> list[str]:
    rows = []
    for level, result in levels.items():
        if not level.startswith("c"):
            continue  # e.g. the intake's per-step timings, reported below the table
        rows.append(
            f"| {name} | {level} | {_cell(result.get('throughput'))} | {_cell(result.get('p50_ms'))} | "
            f"{_cell(result.get('p95_ms'))} | {_cell(result.get('p99_ms'))} | {result.get('requests', 0)} | "
            f"{result.get('errors', 0)} | {_cell(result.get('server_cpu_ms_per_request'))} | "
            f"{_cell(result.get('client_cpu_s'))} |"
        )
    return rows


def markdown(results: dict) -> str:
    m, data = results["machine"], results["dataset"]
    loaded = "reused from an earlier run." if results["reused_database"] else f"loaded in {data['seconds']} s."
    lines = [
        f"# Gongdan benchmark — {results['size']} ({results['started_at']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}; commit {m['commit']} on {m['branch']}. Server: {m['server']}. "
        f"Load average before/after: {m.get('load_before', '—')} / {m.get('load_after', '—')} "
        "(other work on the machine inflates latencies; app CPU ms/req barely moves).",
        "",
        f"Data: {data['tickets']:,} tickets, {data['events']:,} events, {data['customers']:,} customers, "
        f"{data['active']:,} active, {data['index_rows']:,} duplicate-index rows; " + loaded,
        "",
        "## Targets",
        "",
        "| target | goal | measured | verdict | django-helpdesk |",
        "|---|---|---|---|---|",
    ]
    for row in results["targets"]:
        lines.append(f"| {row['target']} | {row['goal']} | {_cell(row['value'])} | {row['verdict']} | {row['peer']} |")
    lines += [
        "",
        "## HTTP scenarios (closed loop; latency in ms)",
        "",
        "| scenario | concurrency | req/s | p50 | p95 | p99 | requests | errors | app CPU ms/req | client CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    if "intake" in results:
        lines += _latency_rows("intake (API, full pipeline)", results["intake"])
    for name, levels in results.get("pages", {}).items():
        lines += _latency_rows(name.replace("_", " "), levels)
    steps = results.get("intake", {}).get("steps_ms")
    if steps:
        lines += ["", "Intake pipeline, mean ms per step: " + ", ".join(f"{k} {v}" for k, v in steps.items()) + "."]
    mail = results.get("mail_corpus")
    if mail:
        lines += [
            "",
            f"Mail corpus, raw-mail endpoint, c={mail['concurrency']}: {mail['mails']} mails, "
            f"{mail['mails_per_s']} mails/s, p50 {mail['p50_ms']} ms, p99 {mail['p99_ms']} ms, "
            f"{mail['dead_letters']} dead letters, {mail['server_errors']} server errors; outcomes {mail['outcomes']}.",
        ]
    lines += _judgement(results)
    lines += _peer(results)
    lines += _in_process(results)
    lines += ["", f"Wall clock: {results['seconds']} s.", ""]
    return "\n".join(lines)


def _judgement(results: dict) -> list[str]:
    lines = []
    intake = results.get("intake", {})
    levels = [(k, v) for k, v in intake.items() if k.startswith("c") and isinstance(v, dict)]
    if levels:
        lines += [
            "",
            "## Intake behind the request (worker CPU and intake-to-routed)",
            "",
            "| level | web CPU ms/ticket | worker CPU ms/ticket | pipeline CPU ms/ticket | routed p50 ms "
            "| routed p99 ms | still pending | drain s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for level, r in levels:
            routed = r.get("intake_to_routed", {})
            lines.append(
                f"| {level} | {_cell(r.get('server_cpu_ms_per_request'))} | {_cell(r.get('worker_cpu_ms_per_ticket'))} "
                f"| {_cell(r.get('pipeline_cpu_ms_per_ticket'))} | {_cell(routed.get('p50_ms'))} "
                f"| {_cell(routed.get('p99_ms'))} | {_cell(routed.get('still_pending'))} | {_cell(r.get('drain_s'))} |"
            )
    cost = results.get("judgement")
    if cost:
        d, i, b = cost["request_deferred"], cost["request_inline"], cost["batch_of_100"]
        lines += [
            "",
            "In-process, one thread (CPU time and queries; barely moved by other load): intake request with the "
            f"judgement deferred {d['cpu_ms_per_ticket']} ms CPU, {d['queries_per_ticket']} queries per ticket; "
            f"inline (the request judged, as before) {i['cpu_ms_per_ticket']} ms, {i['queries_per_ticket']} queries; "
            f"the worker's batch of {b['tickets']}: {b['cpu_ms']} ms CPU ({b['cpu_ms_per_ticket']} per ticket), "
            f"{b['wall_ms']} ms wall, {b['queries']} queries; request + batch "
            f"{cost['pipeline_cpu_ms_per_ticket']} ms per ticket. Steps: {', '.join(b['steps'])}.",
        ]
    return lines


def _peer(results: dict) -> list[str]:
    peer = results.get("peer")
    if not peer:
        return []
    lines = [
        "",
        f"## Side by side with {peer['peer']} ({peer['peer_server']}, {peer['peer_tickets']:,} tickets)",
        "",
        "| round (load before) | scenario | Gongdan req/s | peer req/s | ratio | Gongdan p99 | peer p99 "
        "| Gongdan CPU ms/req (+worker) | peer CPU ms/req | errors G/P |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for number, round_ in enumerate(peer["rounds"]):
        for key, runs in round_.items():
            if not isinstance(runs, dict):
                continue
            g, p, r = runs["gongdan"], runs["peer"], runs["ratio"]
            worker = f" (+{g['worker_cpu_ms_per_request']})" if "worker_cpu_ms_per_request" in g else ""
            lines.append(
                f"| {number + 1} ({round_['load_before']}) | {key} | {_cell(g['throughput'])} "
                f"| {_cell(p['throughput'])} "
                f"| {_cell(r['throughput'])}× | {_cell(g['p99_ms'])} | {_cell(p['p99_ms'])} "
                f"| {_cell(g['server_cpu_ms_per_request'])}{worker} | {_cell(p['server_cpu_ms_per_request'])} "
                f"| {g['errors']}/{p['errors']} |"
            )
    lines += ["", f"Ratios (Gongdan ÷ peer) are read on the quietest round, round {peer['quietest_round'] + 1}."]
    return lines


def _in_process(results: dict) -> list[str]:
    lines = [
        "",
        "## In-process",
        "",
        "| scenario | calls | p50 ms | p95 ms | p99 ms | total |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results.get("duplicates", {}).items():
        if isinstance(result, dict):
            lines.append(
                f"| {name} | {result['requests']} | {result['p50_ms']} | {result['p95_ms']} | {result['p99_ms']} | "
                f"{result['seconds']} s |"
            )
        else:
            lines.append(f"| duplicates | — | — | — | — | {result} |")
    for name, result in results.get("sla_sweep", {}).items():
        lines.append(
            f"| SLA sweep, {result['handled']} due of {result['open_tickets']:,} open ({name}) | {result['handled']} | "
            f"{result['ms_per_ticket']} per ticket | — | — | {result['ms']} ms |"
        )
    memory = results.get("memory", {})
    if memory:
        lines += [
            "",
            f"Memory after the run (RSS): web workers {memory.get('web_workers_mb')} MB, "
            f"gunicorn master {memory.get('web_master_mb')} MB, huey consumer {memory.get('huey_consumer_mb')} MB.",
        ]
    return lines


def write(results: dict) -> Path:
    stamp = results["started_at"].replace(":", "").replace("-", "")[:15]
    folder = RESULTS / f"{stamp}-{results['size']}"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False, default=str)
    (folder / "results.json").write_text(text + "\n")
    (folder / "results.md").write_text(markdown(results))
    shutil.copyfile(folder / "results.json", RESULTS / "latest.json")
    shutil.copyfile(folder / "results.md", RESULTS / "latest.md")
    return folder
