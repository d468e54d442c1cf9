"""Browser tests against a real JoinedUp server, started once per session.

The server runs in a subprocess on its own SQLite database in a temporary
directory: migrated, seeded with the demo borough (`joinedup seed-demo`), and
served by `joinedup runserver`. pytest-django's live server is not used: its
flush between tests would hit the audit log's DELETE triggers.

Chromium is Debian's (/usr/bin/chromium): `playwright install` cannot download
browsers here.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
JOINEDUP = [sys.executable, "-m", "joinedup"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"No Chromium at {CHROMIUM}: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*JOINEDUP, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"joinedup {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The server stopped with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(f"The server did not answer {url} within {seconds} s")


@dataclass(frozen=True)
class DemoServer:
    url: str
    accounts: list[dict[str, Any]]
    password: str
    env: dict[str, str] = field(default_factory=dict)  # for running `joinedup` commands on its database

    def run(self, *args: str) -> str:
        return _run(self.env, *args)

    def account(self, username: str) -> dict[str, Any]:
        return next(a for a in self.accounts if a["username"] == username)


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    with tempfile.TemporaryDirectory(prefix="joinedup-e2e-") as var_dir:
        env = {
            **os.environ,
            "JOINEDUP_ENV": "test",
            "JOINEDUP_VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/e2e.sqlite3",
            "JOINEDUP_SECRET_KEY": "e2e-only-secret-key-for-the-browser-tests-0123456789abcdef",
            "JOINEDUP_DEMO_PASSWORD": "e2e-demo-password-2026",
            "JOINEDUP_FAST_HASHER": "1",
            "JOINEDUP_LOG_LEVEL": "ERROR",
        }
        _run(env, "migrate", "--verbosity", "0")
        _run(env, "seed-demo", "--clients", "200", "--seed", "1")
        accounts = json.loads(_run(env, "demo-accounts"))
        port = _free_port()
        with subprocess.Popen(
            [*JOINEDUP, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ) as server:
            try:
                url = f"http://127.0.0.1:{port}"
                _wait_for(f"{url}/sign-in/", server)
                yield DemoServer(url=url, accounts=accounts, password=env["JOINEDUP_DEMO_PASSWORD"], env=env)
            finally:
                server.terminate()
                server.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(demo_server: DemoServer) -> str:
    return demo_server.url
