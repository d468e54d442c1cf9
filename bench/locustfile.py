"""Staff browsing JoinedUp: caseloads, client records and referral inboxes in the browser, and
client reads over the API. Driven by bench/load_test.py, which writes the plan this reads.

Each simulated user signs in once (a session of their own) and then, with a few seconds' thought
between clicks, opens their caseload, a client's record, their inbox, or (API users) reads a client.
Each response says how many audit events it wrote (X-Audit-Events: the service runs with
JOINEDUP_AUDIT_COUNT_HEADER=1), so that bench/load_test.py can hold their sum against the audit log;
each response time is kept for the percentiles.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["JOINEDUP_LOAD_PLAN"]).read())  # noqa: SIM115
SAMPLES: list[tuple[str, str, float, int, int]] = []  # (kind, name, milliseconds, status, audit events)
_lock = threading.Lock()
_pages = itertools.count()
_apis = itertools.count()


@events.request.add_listener
def _keep(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    kind = "api" if name.startswith("/api/") else "page"
    written = int(response.headers.get("X-Audit-Events", "-1")) if response is not None and status else -1
    with _lock:
        SAMPLES.append((kind, name, response_time, status, written))


@events.quitting.add_listener
def _save(environment, **kwargs):
    with open(os.environ["JOINEDUP_LOAD_SAMPLES"], "w") as out:
        json.dump(SAMPLES, out)


class Practitioner(HttpUser):
    """A practitioner in the browser."""

    weight = 9
    wait_time = between(PLAN["think_min"], PLAN["think_max"])

    def on_start(self) -> None:
        self.me = PLAN["pages"][next(_pages) % len(PLAN["pages"])]
        self.rng = random.Random(self.me["username"])
        page = self.client.get("/sign-in/", name="sign-in")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/sign-in/",
            {"username": self.me["username"], "password": PLAN["password"], "csrfmiddlewaretoken": token.group(1)},
            name="sign-in",
            allow_redirects=False,  # the caseload it leads to is opened by the tasks, under its own name
        )
        self.wait()  # people sign in and then read: the first click comes after a think, as the later ones

    @task(4)
    def caseload(self) -> None:
        self._get(self.rng.choice(self.me["caseload"]))

    @task(4)
    def record(self) -> None:
        self._get(self.rng.choice(self.me["records"]))

    @task(2)
    def inbox(self) -> None:
        self._get(self.me["inbox"])

    def _get(self, path: str) -> None:
        with self.client.get(path, name=path, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class ApiClient(HttpUser):
    """Another system reading client records with a practitioner's token."""

    weight = 1
    wait_time = between(PLAN["think_min"], PLAN["think_max"])

    def on_start(self) -> None:
        self.me = PLAN["apis"][next(_apis) % len(PLAN["apis"])]
        self.rng = random.Random(self.me["token"][-8:])
        self.wait()

    @task
    def read(self) -> None:
        path = self.rng.choice(self.me["reads"])
        headers = {"Authorization": f"Bearer {self.me['token']}"}
        with self.client.get(path, name=path, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
