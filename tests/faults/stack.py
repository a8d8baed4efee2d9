"""The processes a fault test breaks on purpose, all private to the test (never the shared ones):
a PostgreSQL cluster in a temp dir, a redis-server, gunicorn, a huey consumer and an SMTP sink,
each on a free port of 127.0.0.1, each stoppable and restartable on that same port."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests
from aiosmtpd.controller import Controller

from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    assert found[-1], f"PostgreSQL's {name} is needed (Debian: postgresql)"
    return found[-1]


class PrivatePostgres:
    """initdb + pg_ctl in a temp dir. initdb refuses root: as root it runs as the `postgres` user."""

    def __init__(self):
        self.port = _free_port()
        # In the system temp dir, not pytest's (0700 for root): the `postgres` user must reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="gongdan-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{args[0]} failed: {done.stderr[-2000:]}"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/gongdan"

    def init(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "gongdan")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off -c max_connections=60"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True)

    def close(self) -> None:
        with contextlib.suppress(AssertionError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    def __init__(self, base: Path):
        self.port = _free_port()
        self.dir = base
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


class SmtpSink:
    """Counts every Message-ID it accepts; stop() closes the port, start() reopens the same one."""

    def __init__(self):
        self.port = _free_port()
        self.received: list[str] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        with self.lock:
            self.received.append(found.group(1).decode() if found else "")
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class App:
    """gunicorn (3 workers) and one huey consumer against the private database and Redis."""

    def __init__(self, base: Path, database_url: str, redis_url: str, smtp_port: int):
        self.port = _free_port()
        self.base = base
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGDAN_", "DATABASE_URL"))}
        self.env.update(
            DATABASE_URL=database_url,
            GONGDAN_REDIS_URL=redis_url,
            GONGDAN_VAR_DIR=str(base / "var"),
            GONGDAN_DEBUG="0",
            GONGDAN_SECRET_KEY="faults-" + "x" * 50,
            GONGDAN_EMAIL_HOST="127.0.0.1",
            GONGDAN_EMAIL_PORT=str(smtp_port),
            GONGDAN_OUTAGE_RETRY_AFTER="1",
            GONGDAN_LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="gongdan.config.settings",
        )
        self.processes: list[subprocess.Popen] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def _spawn(self, args: list[str], log: str) -> None:
        handle = open(self.base / log, "ab")  # noqa: SIM115  (closed with the process)
        self.processes.append(subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT))

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        web = [gunicorn, "gongdan.config.wsgi:application", f"--bind=127.0.0.1:{self.port}", "--workers=3"]
        self._spawn([*web, "--timeout=30", "--graceful-timeout=5"], "gunicorn.log")
        self._spawn([sys.executable, "manage.py", "run_huey"], "huey.log")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for process in self.processes:
                assert process.poll() is None, f"exited {process.args[:2]}; see {self.base}"
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError("gunicorn did not answer /healthz within 90 s")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
