"""The processes under test: gunicorn (gthread workers) and one huey consumer, on the bench database.

Production-like settings: DEBUG off, persistent database connections, RedisHuey on its own Redis
database, a dummy e-mail backend (no SMTP server here), warnings-only logging. Memory is read from
/proc (VmRSS) after the run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
THREADS = 4
REDIS_URL = "redis://127.0.0.1:6379/12"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, var_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="gongdan.config.settings",
        GONGDAN_DEBUG="0",
        GONGDAN_CONN_MAX_AGE="600",
        GONGDAN_REDIS_URL=REDIS_URL,
        GONGDAN_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        GONGDAN_SMS_BACKEND=env.get("GONGDAN_SMS_BACKEND", "gongdan.automation.sms.ConsoleSmsSender"),
        GONGDAN_LOG_LEVEL="WARNING",
        GONGDAN_VAR_DIR=str(var_dir),
        GONGDAN_HUEY_IMMEDIATE="0",
    )
    return env


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def pss_mb(pid: int) -> float | None:
    """Proportional set size: shared pages (e.g. a preloaded master's) counted once across processes."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (from /proc; 0.0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def flush_queue() -> None:
    """Start every run with an empty task queue (leftovers of an interrupted run would skew the worker)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


class Stack:
    """gunicorn + huey consumer, started and stopped by the runner (context manager)."""

    def __init__(self, database_url: str, var_dir: Path, *, workers: int = WORKERS, threads: int = THREADS):
        self.env = environment(database_url, var_dir)
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.log_dir = var_dir
        self.web: subprocess.Popen | None = None
        self.huey: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        return f"gunicorn {self.workers} gthread workers × {self.threads} threads; 1 huey consumer (2 threads)"

    def __enter__(self) -> Stack:
        bin_dir = Path(sys.executable).parent
        self.web = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "gongdan.config.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                "--worker-class=gthread",
                f"--threads={self.threads}",
                "--keep-alive=30",
                "--timeout=120",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log_dir / "gunicorn.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        self.huey = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log_dir / "huey.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.web.returncode}; see {self.log_dir / 'gunicorn.log'}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within a minute")

    def cpu(self) -> float:
        """CPU seconds used by the gunicorn master and its workers: the application's own cost."""
        if self.web is None:
            return 0.0
        return sum(cpu_seconds(pid) for pid in [self.web.pid, *children(self.web.pid)])

    def worker_cpu(self) -> float:
        """CPU seconds used by the huey consumer (judgement batches, outbox, periodic sweeps)."""
        if self.huey is None:
            return 0.0
        return sum(cpu_seconds(pid) for pid in [self.huey.pid, *children(self.huey.pid)])

    def memory(self) -> dict:
        workers = children(self.web.pid) if self.web else []
        return {
            "web_master_mb": rss_mb(self.web.pid) if self.web else None,
            "web_workers_mb": [rss_mb(pid) for pid in workers],
            "web_workers_pss_mb": [pss_mb(pid) for pid in workers],
            "huey_consumer_mb": rss_mb(self.huey.pid) if self.huey else None,
        }

    def __exit__(self, *exc) -> None:
        for process in (self.web, self.huey):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.huey):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
