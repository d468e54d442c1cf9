"""The access matrix: every route of JoinedUp, and what each kind of person gets from it.

`tests/integration/test_access_matrix.py` enumerates the routes from the URL configuration
and fails for a route that is not declared here, so that a new route cannot escape it.

Personas (built in the test around one client, accountable to North Community Therapy):
    anonymous       nobody signed in, no token
    other_org       a council social worker with no relationship to the client
    same_org        a community therapist of the same organisation, another team, no relationship
    legitimate      a therapist of the client's accountable team
    emergency       a mental health practitioner with a live emergency access grant for the client
    administrator   a system administrator (Django staff): the directory, never client records

Outcomes: "ok" (2xx, or a redirect that is not to sign-in), "sign_in" (redirect to sign in),
"401", "403", "404", "405", "invalid" (400/422: the input was refused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PERSONAS = ("anonymous", "other_org", "same_org", "legitimate", "emergency", "administrator")


@dataclass(frozen=True)
class Expect:
    anonymous: str
    other_org: str
    same_org: str
    legitimate: str
    emergency: str
    administrator: str

    def of(self, persona: str) -> str:
        return str(getattr(self, persona))


@dataclass(frozen=True)
class Route:
    method: str
    expect: Expect
    # A valid body for writes, so that authorisation, not validation, decides. A string "@key" stands
    # for the test world's value of that key (the client's id, a team's id...).
    body: dict[str, Any] | None = None
    query: str = ""  # appended to the URL of a GET, e.g. "?nhs_number=9990000018"
    # Route parameters of this route's own, over the test world's: {"object_id": "@group_id"}.
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # sent as well, e.g. an Idempotency-Key
    form: bool = False  # a page form (urlencoded) rather than JSON
    about_client: bool = True  # the response would show the client: refused personas must not see them
    notes: str = ""


def _e(anonymous: str, other: str, same: str, legit: str, emergency: str, admin: str) -> Expect:
    return Expect(anonymous, other, same, legit, emergency, admin)


# --- Policies shared by many routes --------------------------------------------------------

# A page about one client: refusal looks like "not found".
CLIENT_PAGE = _e("sign_in", "404", "404", "ok", "ok", "404")
# A page about one client that only the accountable team (and the MDT) may open.
ACCOUNTABLE_ONLY_PAGE = _e("sign_in", "404", "404", "ok", "404", "404")
# A page listing what the person may see (their caseload, their tasks...): open to anyone signed
# in; the client appears only for those with a relationship (checked by `about_client`).
OWN_LIST_PAGE = _e("sign_in", "ok", "ok", "ok", "ok", "ok")
PUBLIC = _e("ok", "ok", "ok", "ok", "ok", "ok")
# The API about one client.
CLIENT_API = _e("401", "404", "404", "ok", "ok", "404")
OWN_LIST_API = _e("401", "ok", "ok", "ok", "ok", "ok")
# The Django admin: staff only.
ADMIN = _e("sign_in", "sign_in", "sign_in", "sign_in", "sign_in", "ok")


@dataclass
class Declarations:
    """Route name -> what each method of it answers (a page form: GET shows it, POST sends it)."""

    routes: dict[str, tuple[Route, ...]] = field(default_factory=dict)

    def add(self, name: str, *routes: Route) -> None:
        if name in self.routes:
            raise ValueError(f"route {name} declared twice")
        if not routes:
            raise ValueError(f"route {name}: declare at least one method")
        self.routes[name] = routes


ROUTES = Declarations()
