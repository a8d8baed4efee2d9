"""`python -m bench.run --size quick|full`: load (or reuse) the bench database, run every scenario, report.

Called by `make bench` and `make bench-full`. Only a PostgreSQL database named gongdan_bench* is used
(never the development or test databases); set GONGDAN_BENCH_DATABASE_URL to point elsewhere.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "bench" / "var"
# One database per size, so a full run never replaces the quick one (each load is reused while it matches).
DEFAULT_URLS = {
    "tiny": "postgres://postgres@127.0.0.1:5432/gongdan_bench_tiny",
    "quick": "postgres://postgres@127.0.0.1:5432/gongdan_bench",
    "full": "postgres://postgres@127.0.0.1:5432/gongdan_bench_full",
}
SCENARIOS = ("intake", "pages", "judgement", "duplicates", "sla", "embeddings", "mail", "peer")


def _configure(database_url: str) -> None:
    """The runner's own Django: the same production-like settings as the server it starts."""
    from bench.server import environment

    VAR.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment(database_url, VAR))
    import django

    django.setup()


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=("tiny", "quick", "full"), default="quick")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per HTTP level")
    parser.add_argument("--reload", action="store_true", help="rebuild the database even if it matches")
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}, or 'load' to only load"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    database_url = os.environ.get("GONGDAN_BENCH_DATABASE_URL", DEFAULT_URLS[args.size])
    _configure(database_url)
    from bench import database
    from bench.report import load_average, machine, verdicts, write
    from bench.workload import SIZES

    size, only = SIZES[args.size], set(args.only.split(","))
    started, began, load_before = datetime.now(UTC), time.perf_counter(), load_average()
    described = machine("", "")  # the commit and machine as the run starts
    manifest, reused = database.ensure(size, force=args.reload, progress=lambda text: print(text, flush=True))
    if only == {"load"}:
        print(f"database {'reused' if reused else 'loaded'}: {manifest.tickets:,} tickets")
        return 0
    removed = database.forget_previous_runs(manifest)
    database.vacuum()
    state = "reused" if reused else "loaded"
    print(f"database {state}: {manifest.tickets:,} tickets ({removed} added by earlier runs removed)")
    results: dict = {"size": size.name, "started_at": started.isoformat(timespec="seconds"), "reused_database": reused}
    results["dataset"] = {k: v for k, v in vars(manifest).items() if k != "extra"}
    results.update(_http(size, manifest, only, args.seconds, database_url))
    results.update(_in_process(size, manifest, only))
    if "embeddings" in only:  # the embedding worker (issue 16): memory, throughput, burst drain
        from bench.embeddings import embeddings_scenario

        print("embedding worker…", flush=True)
        rate = max((row.get("throughput", 0) for row in results.get("intake", {}).values()), default=None)
        results["embeddings"] = embeddings_scenario(size, rate)
    described.update(postgresql=database.pg_version(), server=results.pop("stack", ""))
    described.update(load_before=load_before, load_after=load_average())
    results["machine"] = described
    results["seconds"] = round(time.perf_counter() - began, 1)
    results["targets"] = verdicts(results)
    folder = write(results)
    print(f"results: {folder.relative_to(ROOT)}  (bench/results/latest.md)")
    print((folder / "results.md").read_text())
    return 0


def _http(size, manifest, only: set[str], seconds: float, database_url: str) -> dict:
    from bench import scenarios
    from bench.server import Stack, flush_queue

    if not only & {"intake", "pages", "mail", "peer"}:
        return {}
    personas = scenarios.Personas()
    flush_queue()
    results: dict = {}
    with Stack(database_url, VAR) as stack:
        results["stack"] = stack.describe()
        if "intake" in only:
            print("intake over HTTP…", flush=True)
            results["intake"] = scenarios.intake(stack, size, personas, seconds)
        if "pages" in only:
            print("queue page, API list, ticket page…", flush=True)
            results["pages"] = scenarios.pages(stack, manifest, personas, seconds)
        if "mail" in only:
            from bench.mailcorpus import mail_corpus

            print("mail corpus over the raw-mail endpoint (c=4)…", flush=True)
            results["mail_corpus"] = mail_corpus(stack, personas)
        if "peer" in only:
            from bench import peerbench

            print("side by side with the peer (django-helpdesk)…", flush=True)
            results["peer"] = peerbench.run(stack, personas, manifest, size, seconds, VAR)
        memory = stack.memory()
    memory["web_worker_max_mb"] = max((mb for mb in memory["web_workers_mb"] if mb), default=None)
    results["memory"] = memory
    return results


def _in_process(size, manifest, only: set[str]) -> dict:
    from bench import database, scenarios

    results: dict = {}
    if "judgement" in only:
        from bench import judgement

        print("request and batch CPU per ticket (in-process)…", flush=True)
        results["judgement"] = judgement.cost(scenarios.intake_requests(size, scenarios.Personas()))
    if "duplicates" in only:
        print("duplicate lookups…", flush=True)
        results["duplicates"] = scenarios.duplicates(size, manifest)
    if "sla" in only:
        print("SLA sweeps…", flush=True)
        scenarios.worker_start()
        results["sla_sweep"] = {
            "open_10k": scenarios.sla_sweep(10_000),
            "open_all": scenarios.sla_sweep(None),
        }
        database.vacuum()
    return results


if __name__ == "__main__":
    sys.exit(main())
