"""The peer in `make bench` (issue 15): django-helpdesk, pinned, from PyPI, in its own virtualenv
(`bench/peer/venv`, gitignored), on its own PostgreSQL database (`gongdan_bench_peer_<size>`),
preloaded with the same number of tickets through its ORM (`bench/peer/preload.py`), served by
gunicorn with 2 sync workers. The same four scenarios run against both servers in one run,
interleaved (Gongdan then the peer, then the other way round in the next round), each checking its
answers; server CPU per request (process CPU time of the web processes, and Gongdan's worker) is
reported beside latency, and the ratios Gongdan ÷ peer per round.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

from bench import loadgen
from bench.loadgen import Request
from bench.server import children, cpu_seconds, free_port

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "bench" / "peer"
VENV = PEER / "venv"
PINNED = ["django-helpdesk==2.6.1", "gunicorn==23.0.0", "psycopg[binary]==3.2.3"]
WORKERS = 2
LEVELS = (1, 8)
ROUNDS = 2
SCENARIOS = ("create", "public_reply", "own_open_queue", "ticket_page")


def ensure_venv(progress=print) -> Path:
    """The peer's virtualenv, made and filled on first use (pip, from PyPI, pinned)."""
    gunicorn = VENV / "bin" / "gunicorn"
    if not gunicorn.exists():
        progress(f"installing the peer ({PINNED[0]}) into {VENV.relative_to(ROOT)}…")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", *PINNED], check=True)
    return VENV


def database_url(size_name: str) -> str:
    name = f"gongdan_bench_peer_{size_name}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GONGDAN_", "DATABASE_URL"))}
    env.update(PEER_DATABASE_URL=url, DJANGO_SETTINGS_MODULE="project.settings", PYTHONPATH=str(PEER))
    return env


def preload(url: str, tickets: int) -> dict:
    """Migrate the peer's database and load `tickets` tickets (kept between runs); its personas as JSON."""
    python = str(VENV / "bin" / "python")
    subprocess.run([python, "-m", "django", "migrate", "-v", "0"], cwd=PEER, env=_env(url), check=True)
    done = subprocess.run(
        [python, "preload.py", str(tickets)], cwd=PEER, env=_env(url), check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class PeerStack:
    """gunicorn (2 sync workers) serving django-helpdesk from its own virtualenv."""

    def __init__(self, url: str, log_dir: Path):
        self.url, self.port, self.log_dir = url, free_port(), log_dir
        self.web: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> PeerStack:
        self.web = subprocess.Popen(
            [
                str(VENV / "bin" / "gunicorn"),
                "project.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={WORKERS}",
                "--keep-alive=30",
                "--timeout=120",
            ],
            cwd=PEER,
            env=_env(self.url),
            stdout=open(self.log_dir / "peer-gunicorn.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        import time

        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/login/", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"the peer did not answer; see {self.log_dir / 'peer-gunicorn.log'}")

    def cpu(self) -> float:
        if self.web is None:
            return 0.0
        return sum(cpu_seconds(pid) for pid in [self.web.pid, *children(self.web.pid)])

    def __exit__(self, *exc) -> None:
        if self.web is not None and self.web.poll() is None:
            self.web.send_signal(signal.SIGTERM)
            try:
                self.web.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.web.kill()


def _peer_requests(peer: dict, texts: list[tuple[str, str]]) -> dict:
    token = {"Authorization": f"Token {peer['token']}"}
    cookie = {"Cookie": f"sessionid={peer['session']}"}
    creates = (
        Request(
            "POST",
            "/api/tickets/",
            token,
            {
                "queue": peer["queue_id"],
                "title": subject[:200],
                "description": body or subject,
                "submitter_email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
                "priority": 3,
            },
        )
        for subject, body in itertools.cycle(texts)
    )
    replies = (
        Request(
            "POST",
            "/api/followups/",
            token,
            {"ticket": ticket, "title": "Reply", "comment": "已处理，请再试一次。 Please try again.", "public": True},
        )
        for ticket in itertools.cycle(peer["reply_tickets"])
    )
    return {
        "create": creates,
        "public_reply": replies,
        "own_open_queue": [Request("GET", "/dashboard/", cookie)],
        "ticket_page": [Request("GET", f"/tickets/{peer['long_ticket']}/", cookie)],
    }


def _gongdan_requests(personas, manifest, texts: list[tuple[str, str]], customers: list[int], numbers: list[str]):
    from gongdan.accounts import services as accounts

    agent_token = accounts.issue_api_token(user=personas.agent, name="bench replies")[1]
    lead = {"Authorization": f"Bearer {personas.lead_token}"}
    creates = (
        Request(
            "POST", "/api/v1/tickets", lead, {"customer_id": customer, "subject": subject[:200], "description": body}
        )
        for (subject, body), customer in zip(itertools.cycle(texts), itertools.cycle(customers), strict=False)
    )
    replies = (
        Request(
            "POST",
            f"/api/v1/tickets/{number}/replies",
            {"Authorization": f"Bearer {agent_token}"},
            {"body": "已处理，请再试一次。 Please try again."},
        )
        for number in itertools.cycle(numbers)
    )
    return {
        "create": creates,
        "public_reply": replies,
        "own_open_queue": [Request("GET", "/desk/q/mine/?status=open", personas.cookie())],
        "ticket_page": [Request("GET", f"/desk/t/{manifest.long_ticket}/", personas.cookie())],
    }


def _created(status: int) -> bool:
    return status == 201


def _ratio(ours: dict, theirs: dict) -> dict:
    def divide(a, b):
        return round(a / b, 2) if a and b else None

    return {
        "throughput": divide(ours.get("throughput"), theirs.get("throughput")),
        "p99_peer_over_ours": divide(theirs.get("p99_ms"), ours.get("p99_ms")),
        "cpu_per_request_ours_over_peer": divide(
            ours.get("server_cpu_ms_per_request"), theirs.get("server_cpu_ms_per_request")
        ),
    }


def side_by_side(stack, peer_stack: PeerStack, ours: dict, theirs: dict, seconds: float) -> dict:
    """Every scenario and level, Gongdan and the peer back to back, the order swapped each round."""
    from bench.report import load_average

    rounds = []
    for number in range(ROUNDS):
        first_ours = number % 2 == 0
        result: dict = {"load_before": load_average()}
        for name in SCENARIOS:
            ok = _created if name in ("create", "public_reply") else (lambda status: status == 200)
            for level in LEVELS:
                runs = {}
                order = [("gongdan", stack, ours), ("peer", peer_stack, theirs)]
                for side, server, requests in order if first_ours else reversed(order):
                    worker = stack.worker_cpu() if side == "gongdan" else 0.0
                    runs[side] = loadgen.run(
                        server.base_url,
                        requests[name],
                        concurrency=level,
                        seconds=seconds,
                        ok=ok,
                        server_cpu=server.cpu,
                    )
                    if side == "gongdan" and name == "create":
                        from bench import judgement as judging

                        runs[side]["drain_s"] = judging.wait_judged()
                        worker = stack.worker_cpu() - worker
                        runs[side]["worker_cpu_ms_per_request"] = round(
                            worker * 1000 / max(runs[side]["requests"], 1), 2
                        )
                runs["ratio"] = _ratio(runs["gongdan"], runs["peer"])
                result[f"{name}_c{level}"] = runs
        result["load_after"] = load_average()
        rounds.append(result)
    quietest = min(range(len(rounds)), key=lambda n: float(rounds[n]["load_before"].split()[0]))
    ratios = {key: runs["ratio"] for key, runs in rounds[quietest].items() if isinstance(runs, dict)}
    return {
        "rounds": rounds,
        "quietest_round": quietest,
        "ratios": ratios,
        "peer": PINNED[0],
        "peer_server": f"gunicorn {WORKERS} sync workers",
    }


def run(stack, personas, manifest, size, seconds: float, var_dir: Path, progress=print) -> dict:
    from bench.scenarios import intake_requests
    from gongdan.tickets.constants import ACTIVE_KINDS
    from gongdan.tickets.models import Ticket

    ensure_venv(progress)
    url = database_url(size.name)
    progress(f"peer database {url.rsplit('/', 1)[1]}: preloading {manifest.tickets:,} tickets through its ORM…")
    peer = preload(url, manifest.tickets)
    messages = list(itertools.islice(intake_requests(size, personas), 400))
    texts = [(m.json["subject"], m.json["body"]) for m in messages]
    customers = list(Ticket.objects.order_by("-pk").values_list("customer_id", flat=True).distinct()[:200]) or [
        manifest.first_customer_id
    ]
    active = Ticket.objects.filter(status__kind__in=ACTIVE_KINDS, merged_into__isnull=True).order_by("-pk")
    numbers = list(active.filter(assignee=personas.agent).values_list("number", flat=True)[:50])
    if len(numbers) < 10:  # a small database: the agent's team's active tickets
        numbers += list(active.filter(team=personas.team).values_list("number", flat=True)[: 50 - len(numbers)])
    ours = _gongdan_requests(personas, manifest, texts, customers, numbers)
    theirs = _peer_requests(peer, texts)
    with PeerStack(url, var_dir) as peer_stack:
        result = side_by_side(stack, peer_stack, ours, theirs, seconds)
    result["peer_tickets"] = peer["tickets"]
    return result
