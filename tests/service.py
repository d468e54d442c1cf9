"""A real JoinedUp service for tests that crash it: its own database, gunicorn in a process group.

Used by the durability tests, which kill the service (and PostgreSQL) at random and then read
the database directly to see what survived.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JOINEDUP = [sys.executable, "-m", "joinedup"]
GUNICORN = [sys.executable, "-m", "gunicorn"]
SECRET = "durability-only-secret-key-for-the-crash-tests-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [*JOINEDUP, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"joinedup {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Service:
    """gunicorn serving JoinedUp on DATABASE_URL, which the test owns."""

    database_url: str
    var_dir: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "JOINEDUP_ENV": "test",
            "JOINEDUP_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": self.database_url,
            "JOINEDUP_SECRET_KEY": SECRET,
            "JOINEDUP_FAST_HASHER": "1",
            "JOINEDUP_LOG_LEVEL": "CRITICAL",
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, clients: int = 40) -> None:
        run(self.env, "migrate", "--verbosity", "0")
        run(self.env, "seed-demo", "--clients", str(clients), "--seed", "3")

    def token(self, username: str) -> str:
        out = run(self.env, "token", "create", username)
        return next(word for word in out.split() if word.startswith("ju_"))

    def accounts(self) -> list[dict[str, Any]]:
        return json.loads(run(self.env, "demo-accounts"))

    def start(self) -> None:
        command = [
            *GUNICORN,
            "joinedup.config.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "30",
        ]
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so that a kill takes the workers too
        )
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"The service did not answer within {seconds} s")

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown, no flush, as in a power cut."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        self.kill()


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL cluster of the test's own (initdb/pg_ctl, as the postgres user when run as root)."""

    directory: Path
    port: int = field(default_factory=free_port)

    @staticmethod
    def binaries() -> Path | None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        return found[-1].parent if found else None

    @classmethod
    def available(cls) -> str:
        """Why a cluster cannot be made here, or "" when it can."""
        if cls.binaries() is None:
            return "no initdb on this machine (apt-get install postgresql)"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser"
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user"
        return ""

    def _as_postgres(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True, check=check, timeout=120)

    def create(self) -> str:
        bindir = self.binaries()
        assert bindir is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._as_postgres(str(bindir / "initdb"), "-D", str(self.directory / "data"), "-A", "trust", "-U", "postgres")
        self.start()
        subprocess.run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "durability"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/durability"

    def start(self) -> None:
        bindir = self.binaries()
        assert bindir is not None
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._as_postgres(
            str(bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-o", options, "-l",
            str(self.directory / "log"), "-w", "start",
        )  # fmt: skip

    def stop_immediately(self) -> None:
        """`pg_ctl stop -m immediate`: no checkpoint, recovery from the WAL at the next start."""
        bindir = self.binaries()
        assert bindir is not None
        self._as_postgres(str(bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop")

    def destroy(self) -> None:
        bindir = self.binaries()
        if bindir is not None and (self.directory / "data").exists():
            self._as_postgres(
                str(bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop", check=False
            )
        shutil.rmtree(self.directory, ignore_errors=True)
