"""The declared access policy of every route (see tests/access_matrix.py for the personas and outcomes).

The test world: one client ("Matrixworth") accountable to North Community Therapy (the legitimate
persona's team), with a need, a team task, and a transfer of care sent to a mental health team;
another client in a "belongs to" dispute before the North MDT (none of the personas sits on it).
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.access_matrix import (
    ADMIN,
    CLIENT_API,
    CLIENT_PAGE,
    OWN_LIST_API,
    OWN_LIST_PAGE,
    PUBLIC,
    ROUTES,
    Route,
    _e,
)

__all__ = ["ROUTES", "admin_route"]

GET, POST, PATCH = "GET", "POST", "PATCH"
NOT_A_RECORD = {"about_client": False}
# A write about the client: only those with a relationship (emergency access included).
CLIENT_WRITE_PAGE = CLIENT_PAGE
CLIENT_WRITE_API = CLIENT_API
# The accountable team decides who is accountable; emergency access reads and records, but does not.
ACCOUNTABLE_WRITE_PAGE = _e("sign_in", "404", "404", "ok", "403", "404")
ACCOUNTABLE_WRITE_API = _e("401", "404", "404", "ok", "403", "404")
# Work lists of a practitioner's teams: refused (403, saying why) to those in no team.
TEAM_LIST_PAGE = _e("sign_in", "ok", "ok", "ok", "403", "403")
# Only the MDT of the client's locality: nobody here sits on it.
MDT_ONLY_PAGE = _e("sign_in", "404", "404", "404", "404", "404")
MDT_ONLY_API = _e("401", "404", "404", "404", "404", "404")
# Only the sending team of the referral (the legitimate persona's team).
SENDER_PAGE = _e("sign_in", "404", "404", "ok", "404", "404")
SENDER_API = _e("401", "404", "404", "ok", "404", "404")
# Only the receiving team: the sender is told which team can act (403); others never learn it exists.
RECEIVER_PAGE = _e("sign_in", "404", "404", "403", "404", "404")
RECEIVER_API = _e("401", "404", "404", "403", "404", "404")
# Break glass: any practitioner whose role allows it, for any client; never the administrator.
BREAK_GLASS_PAGE = _e("sign_in", "ok", "ok", "ok", "ok", "403")
BREAK_GLASS_API = _e("401", "ok", "ok", "ok", "ok", "403")

REASON = {"reason": "Checked with the family and the GP"}
CLIENT_DETAILS = {
    "given_name": "Ada",
    "family_name": "Matrixworth",
    "date_of_birth[day]": "17",
    "date_of_birth[month]": "5",
    "date_of_birth[year]": "1940",
    "sex": "female",
    "gp_practice": "@practice_id",
    "phone": "0207 946 0001",
}
# A task owned by a team: its members act on it; emergency access shows it but does not make it yours.
TASK_WRITE_PAGE = _e("sign_in", "404", "404", "ok", "404", "404")
TASK_WRITE_API = _e("401", "404", "404", "ok", "404", "404")
# The page tells the sending team, with the form's error summary, that only the receiving team can act.
RECEIVER_FORM = _e("sign_in", "404", "404", "invalid", "404", "404")
# Writes that name the client in their body: one the writer may not see is a field error, as an unknown
# one is ("Choose a client you may see"), and so says nothing of whether it exists.
CLIENT_IN_BODY_API = _e("401", "invalid", "invalid", "ok", "ok", "invalid")

# --- Signing in, the home page, health -----------------------------------------------------
ROUTES.add("home", Route(GET, _e("sign_in", "ok", "ok", "ok", "ok", "ok"), **NOT_A_RECORD))
ROUTES.add("sign-in", Route(GET, PUBLIC, **NOT_A_RECORD))
ROUTES.add(
    "sign-out",
    Route(GET, _e("405", "405", "405", "405", "405", "405"), **NOT_A_RECORD, notes="sign-out is a POST"),
    Route(POST, _e("sign_in", "sign_in", "sign_in", "sign_in", "sign_in", "sign_in"), form=True, **NOT_A_RECORD),
)
ROUTES.add("healthz", Route(GET, PUBLIC, **NOT_A_RECORD))

# --- Directory pages (no client records) ----------------------------------------------------
ROUTES.add("my-teams", Route(GET, OWN_LIST_PAGE))
ROUTES.add("team", Route(GET, OWN_LIST_PAGE))
ROUTES.add("locality", Route(GET, OWN_LIST_PAGE))

# --- Clients: pages ---------------------------------------------------------------------------
ROUTES.add("caseload", Route(GET, OWN_LIST_PAGE))
ROUTES.add("client-search", Route(GET, OWN_LIST_PAGE, query="?nhs_number=9990000018"))
ROUTES.add(
    "client-new",
    Route(GET, _e("sign_in", "ok", "ok", "ok", "403", "403")),
    Route(
        POST,
        _e("sign_in", "invalid", "invalid", "ok", "403", "403"),
        form=True,
        body={
            "given_name": "New",
            "family_name": "Person",
            "date_of_birth[day]": "1",
            "date_of_birth[month]": "2",
            "date_of_birth[year]": "1950",
            "sex": "female",
            "gp_practice": "@practice_id",
            "team": "@team_id",
        },
        notes="a client is registered to one of your own teams: another team is a field error",
    ),
)
ROUTES.add(
    "emergency-access",
    Route(GET, BREAK_GLASS_PAGE, **NOT_A_RECORD),
    Route(POST, BREAK_GLASS_PAGE, form=True, body={"nhs_number": "9990000018", "reason": "Police call at 2am"}),
)
ROUTES.add("client-record", Route(GET, CLIENT_PAGE))
ROUTES.add("client-timeline", Route(GET, CLIENT_PAGE))
ROUTES.add("client-access-history", Route(GET, _e("sign_in", "404", "404", "ok", "404", "404")))
ROUTES.add(
    "client-edit",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_WRITE_PAGE, form=True, body=CLIENT_DETAILS),
)
ROUTES.add(
    "need-new",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_WRITE_PAGE, form=True, body={"category": "carer", "description": "Carer is exhausted"}),
)
ROUTES.add("need-status", Route(POST, CLIENT_WRITE_PAGE, form=True, body={"status": "met"}))
ROUTES.add(
    "client-consent",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_WRITE_PAGE, form=True, body={"decision": "given", "note": "Asked at the visit"}),
)
ROUTES.add(
    "client-accountability",
    Route(GET, ACCOUNTABLE_WRITE_PAGE),
    Route(POST, ACCOUNTABLE_WRITE_PAGE, form=True, body={"team": "@team_id", **REASON}),
)
ROUTES.add(
    "client-emergency-access",
    Route(GET, BREAK_GLASS_PAGE, **NOT_A_RECORD),
    Route(POST, BREAK_GLASS_PAGE, form=True, body={"reason": "Police call at 2am, nobody else reachable"}),
)

# --- Tasks and notifications ------------------------------------------------------------------
ROUTES.add("my-tasks", Route(GET, OWN_LIST_PAGE))
ROUTES.add("team-tasks", Route(GET, OWN_LIST_PAGE))
ROUTES.add("task-detail", Route(GET, CLIENT_PAGE))
ROUTES.add("task-status", Route(POST, TASK_WRITE_PAGE, form=True, body={"status": "done"}))
ROUTES.add("task-take", Route(POST, TASK_WRITE_PAGE, form=True))
ROUTES.add(
    "task-new",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_WRITE_PAGE, form=True, body={"title": "Ring the GP", "owner": "team:@team_id", "due_days": "2"}),
)
ROUTES.add("notifications", Route(GET, OWN_LIST_PAGE))
ROUTES.add("notifications-read", Route(POST, _e("sign_in", "ok", "ok", "ok", "ok", "ok"), form=True, **NOT_A_RECORD))

# --- Handover: pages --------------------------------------------------------------------------
ROUTES.add(
    "refer",
    Route(GET, ACCOUNTABLE_WRITE_PAGE),
    Route(
        POST,
        ACCOUNTABLE_WRITE_PAGE,
        form=True,
        body={"receiving_team": "@mh_team_id", "kind": "request_for_service", "urgency": "routine", "save": "draft"},
    ),
)
ROUTES.add("worklist", Route(GET, TEAM_LIST_PAGE))
ROUTES.add("worklist-sent", Route(GET, TEAM_LIST_PAGE))
ROUTES.add("worklist-overdue", Route(GET, TEAM_LIST_PAGE))
ROUTES.add("worklist-closed", Route(GET, TEAM_LIST_PAGE))
ROUTES.add("referral", Route(GET, SENDER_PAGE))
ROUTES.add(
    "referral-edit",
    Route(GET, _e("sign_in", "404", "404", "403", "404", "404"), notes="a sent referral is no longer a draft"),
)
ROUTES.add("referral-send", Route(POST, _e("sign_in", "404", "404", "403", "404", "404"), form=True))
ROUTES.add("referral-accept", Route(POST, RECEIVER_FORM, form=True))
ROUTES.add("referral-decline", Route(POST, RECEIVER_FORM, form=True, body={**REASON, "alternative": "District nurses"}))
ROUTES.add("referral-request-information", Route(POST, RECEIVER_FORM, form=True, body={"question": "Any falls?"}))
ROUTES.add(
    "referral-provide-information",
    Route(
        POST,
        RECEIVER_FORM,
        form=True,
        body={"reply": "Two this year"},
        notes="nothing was asked: the form says so",
    ),
)
ROUTES.add("referral-stop-clock", Route(POST, RECEIVER_FORM, form=True, body={"stop_reason": "Awaiting GP letter"}))
ROUTES.add("referral-restart-clock", Route(POST, RECEIVER_FORM, form=True))
ROUTES.add("referral-withdraw", Route(POST, SENDER_PAGE, form=True, body={"withdraw_reason": "Family will cope"}))
ROUTES.add("disputes", Route(GET, _e("sign_in", "403", "403", "403", "403", "403")))
ROUTES.add(
    "dispute",
    Route(GET, MDT_ONLY_PAGE),
    Route(POST, MDT_ONLY_PAGE, form=True, body={"team": "@team_id", "reasons": "Physical needs lead"}),
)
ROUTES.add("handover-quality", Route(GET, _e("sign_in", "404", "404", "404", "404", "404"), **NOT_A_RECORD))
ROUTES.add("handover-quality-chart", Route(GET, _e("sign_in", "404", "404", "404", "404", "404"), **NOT_A_RECORD))

# --- JSON API -------------------------------------------------------------------------------
ROUTES.add("api:api-root", Route(GET, _e("404", "404", "404", "404", "404", "404"), **NOT_A_RECORD))
ROUTES.add("api:openapi-json", Route(GET, PUBLIC, **NOT_A_RECORD))
ROUTES.add("api:search_clients", Route(GET, OWN_LIST_API, query="?nhs_number=9990000018"))
ROUTES.add(
    "api:create_client",
    Route(
        POST,
        _e("401", "invalid", "invalid", "ok", "invalid", "403"),
        body={
            "given_name": "New",
            "family_name": "Person",
            "date_of_birth": "1950-02-01",
            "gp_practice": "F84001",
            "accountable_team": "@team_id",
        },
    ),
)
ROUTES.add("api:read_client", Route(GET, CLIENT_API))
ROUTES.add("api:update_client", Route(PATCH, CLIENT_WRITE_API, body={"phone": "0207 946 0000"}))
ROUTES.add("api:list_needs", Route(GET, CLIENT_API))
ROUTES.add("api:record_need", Route(POST, CLIENT_WRITE_API, body={"category": "carer", "description": "Carer tired"}))
ROUTES.add("api:update_need", Route(PATCH, CLIENT_WRITE_API, body={"status": "met"}))
ROUTES.add("api:list_consent", Route(GET, CLIENT_API))
ROUTES.add("api:record_consent", Route(POST, CLIENT_WRITE_API, body={"decision": "given"}))
ROUTES.add("api:list_accountability", Route(GET, CLIENT_API))
ROUTES.add("api:change_accountability", Route(POST, ACCOUNTABLE_WRITE_API, body={"team": "@team_id", **REASON}))
ROUTES.add("api:read_timeline", Route(GET, CLIENT_API))
ROUTES.add("api:emergency_access", Route(POST, BREAK_GLASS_API, body={"reason": "Police call at 2am, nobody else"}))
ROUTES.add("api:list_tasks", Route(GET, OWN_LIST_API))
ROUTES.add(
    "api:create_task",
    Route(
        POST,
        CLIENT_IN_BODY_API,
        body={
            "title": "Ring the GP",
            "due_at": "2030-01-02T17:00:00Z",
            "owner_team": "@team_id",
            "client": "@client_id",
        },
    ),
)
ROUTES.add("api:read_task", Route(GET, CLIENT_API))
ROUTES.add("api:update_task", Route(PATCH, TASK_WRITE_API, body={"status": "done"}))
ROUTES.add("api:list_referrals", Route(GET, OWN_LIST_API))
ROUTES.add(
    "api:create_referral",
    Route(
        POST,
        _e("401", "invalid", "invalid", "ok", "invalid", "invalid"),
        notes="emergency access does not make one the accountable team: a field error names the team",
        body={
            "client_id": "@client_id",
            "receiving_team_id": "@mh_team_id",
            "kind": "request_for_service",
            "urgency": "routine",
        },
    ),
)
ROUTES.add("api:count_referrals", Route(GET, OWN_LIST_API, **NOT_A_RECORD))
ROUTES.add("api:prefill", Route(GET, CLIENT_API, query="?client_id=@client_id"))
ROUTES.add("api:read_referral", Route(GET, SENDER_API))
ROUTES.add(
    "api:update_referral", Route(PATCH, _e("401", "404", "404", "403", "404", "404"), body={"urgency": "urgent"})
)
ROUTES.add("api:send_referral", Route(POST, _e("401", "404", "404", "403", "404", "404")))
ROUTES.add("api:request_information", Route(POST, RECEIVER_API, body={"question": "Any falls?"}))
ROUTES.add("api:provide_information", Route(POST, _e("401", "404", "404", "403", "404", "404"), body={"reply": "Two"}))
ROUTES.add("api:accept_referral", Route(POST, RECEIVER_API, body={}))
ROUTES.add("api:decline_referral", Route(POST, RECEIVER_API, body={**REASON, "alternative": "District nurses"}))
ROUTES.add("api:withdraw_referral", Route(POST, SENDER_API, body=REASON))
ROUTES.add("api:stop_clock", Route(POST, RECEIVER_API, body=REASON))
ROUTES.add("api:restart_clock", Route(POST, RECEIVER_API))
ROUTES.add("api:list_disputes", Route(GET, OWN_LIST_API))
ROUTES.add("api:read_dispute", Route(GET, MDT_ONLY_API))
ROUTES.add("api:decide_dispute", Route(POST, MDT_ONLY_API, body={"team_id": "@team_id", "reasons": "Physical needs"}))


# --- Flags and the hospital feed ---------------------------------------------------------------
FLAG = {"code": "lives-alone", "text": "Lives alone since May"}
ROUTES.add(
    "client-flags",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_WRITE_PAGE, form=True, body=FLAG),
)
ROUTES.add("client-flag-close", Route(POST, CLIENT_WRITE_PAGE, form=True, body={"reason": "Moved in with daughter"}))
ROUTES.add("client-hospital", Route(GET, CLIENT_PAGE))
# The MDT's hospital worklists: anyone signed in opens them; they list only the clients one may see.
ROUTES.add("hospital-due", Route(GET, OWN_LIST_PAGE))
ROUTES.add("hospital-overdue", Route(GET, OWN_LIST_PAGE))
ROUTES.add("hospital-bounced", Route(GET, OWN_LIST_PAGE))
# Feed exceptions belong to the integration team (none of the personas): its list is empty for the
# others, and one exception is "not found".
ROUTES.add("feed-exceptions", Route(GET, OWN_LIST_PAGE, **NOT_A_RECORD))
ROUTES.add("feed-exception", Route(GET, MDT_ONLY_PAGE, **NOT_A_RECORD))
ROUTES.add(
    "feed-exception-match",
    Route(POST, MDT_ONLY_PAGE, form=True, body={"nhs_number": "9990000018"}, **NOT_A_RECORD),
)
ROUTES.add(
    "feed-exception-discard", Route(POST, MDT_ONLY_PAGE, form=True, body={"reason": "A test message"}, **NOT_A_RECORD)
)
ROUTES.add("api:list_flags", Route(GET, CLIENT_API))
ROUTES.add("api:raise_flag", Route(POST, CLIENT_WRITE_API, body=FLAG))
ROUTES.add("api:close_flag", Route(POST, CLIENT_WRITE_API, body={"reason": "Moved in with daughter"}))
ROUTES.add("api:client_spells", Route(GET, CLIENT_API))
ROUTES.add("api:client_bounces", Route(GET, CLIENT_API))
ROUTES.add("api:worklist", Route(GET, OWN_LIST_API))
ROUTES.add("api:feed_exceptions", Route(GET, OWN_LIST_API, **NOT_A_RECORD))
ROUTES.add("api:feed_exception", Route(GET, MDT_ONLY_API, **NOT_A_RECORD))
ROUTES.add("api:match", Route(POST, MDT_ONLY_API, body={"nhs_number": "9990000018"}, **NOT_A_RECORD))
ROUTES.add("api:discard", Route(POST, MDT_ONLY_API, body={"reason": "A test message"}, **NOT_A_RECORD))

# --- The crisis pathway ------------------------------------------------------------------------
# The test world's crisis was raised by the legitimate persona for the client, and is owned by the
# rapid response team: the raiser follows it; responders (none of the personas) act on it.
CRISIS_RAISE = {
    "situation": "fall",
    "needed": "Fell at 15:00, not hurt, cannot get up safely",
    "contact_name": "Olu Caller",
    "contact_phone": "020 7946 0123",
}
SIGNED_IN_CARE = _e("sign_in", "ok", "ok", "ok", "ok", "404")  # anyone who works with clients
RESPONDER_PAGE = _e("sign_in", "404", "404", "404", "404", "404")  # only the crisis's responders act on it
CRISIS_MANAGERS = _e("sign_in", "404", "404", "404", "404", "404")  # managers, coordinators, commissioners
# Rotas are edited by their managers and by system administrators (who set them up); others see them
# but are told (403) that they may not change them.
ROTA_EDIT = _e("sign_in", "403", "403", "403", "403", "ok")
ROUTES.add("crisis-board", Route(GET, SIGNED_IN_CARE))
ROUTES.add("crisis-board-live", Route(GET, SIGNED_IN_CARE))
ROUTES.add(
    "crisis-new",
    Route(GET, _e("sign_in", "ok", "ok", "ok", "ok", "ok"), **NOT_A_RECORD),
    Route(
        POST,
        _e("sign_in", "ok", "ok", "ok", "ok", "403"),
        form=True,
        body={**CRISIS_RAISE, "nhs_number": "9990000018", "key": "matrix-1"},
    ),
)
ROUTES.add("crisis", Route(GET, CLIENT_PAGE))
ROUTES.add("crisis-acknowledge", Route(POST, RESPONDER_PAGE, form=True))
ROUTES.add("crisis-arrived", Route(POST, RESPONDER_PAGE, form=True))
ROUTES.add("crisis-action-add", Route(POST, RESPONDER_PAGE, form=True, body={"kind": "equipment", "details": "Stool"}))
BRIDGING = {"care_tasks": "Personal care morning and evening", "hours_of_care": "4", "duration_hours": "72"}
ROUTES.add("crisis-bridging", Route(POST, RESPONDER_PAGE, form=True, body=BRIDGING))
ROUTES.add(
    "crisis-action-arrange",
    Route(POST, RESPONDER_PAGE, form=True, body={"a@action_id-provider": "Care Co", "a@action_id-cost": "90"}),
)
ROUTES.add("crisis-action-status", Route(POST, RESPONDER_PAGE, form=True, body={"a@action_id-status": "done"}))
CHECKLIST = {
    "rapid_response_visit": "tried",
    "bridging_package": "not_available",
    "equipment": "not_suitable",
    "carer_support": "not_available",
    "virtual_ward": "not_suitable",
    "reason": "Needs surgery for a fractured hip",
}
ROUTES.add(
    "crisis-before-admitting",
    Route(GET, CLIENT_PAGE),
    Route(POST, RESPONDER_PAGE, form=True, body=CHECKLIST),
)
ROUTES.add("crisis-outcome", Route(POST, RESPONDER_PAGE, form=True, body={"outcome": "stayed_home", "note": "Safe"}))
ROUTES.add("crisis-cancel", Route(POST, SENDER_PAGE, form=True, body={"reason": "Raised in error"}))
# Rotas say who is on call: no client data; anyone signed in reads them; the rota's managers edit.
ROUTES.add("crisis-rotas", Route(GET, _e("sign_in", "ok", "ok", "ok", "ok", "ok"), **NOT_A_RECORD))
ROUTES.add("crisis-rota", Route(GET, _e("sign_in", "ok", "ok", "ok", "ok", "ok"), **NOT_A_RECORD))
SHIFT = {
    "practitioner": "@oncall_id",
    "start_day[day]": "1",
    "start_day[month]": "6",
    "start_day[year]": "2030",
    "start_time": "17:00",
    "end_day[day]": "2",
    "end_day[month]": "6",
    "end_day[year]": "2030",
    "end_time": "09:00",
    "position": "1",
    "repeat_weeks": "1",
}
CAPACITY = {"day[day]": "1", "day[month]": "6", "day[year]": "2030", "packages": "3"}
ROUTES.add("crisis-capacity", Route(POST, ROTA_EDIT, form=True, body=CAPACITY, **NOT_A_RECORD))
ROUTES.add("crisis-rota-shift-add", Route(POST, ROTA_EDIT, form=True, body=SHIFT, **NOT_A_RECORD))
ROUTES.add("crisis-rota-shift-remove", Route(POST, ROTA_EDIT, form=True, **NOT_A_RECORD))
ROUTES.add(
    "crisis-rota-people",
    Route(POST, ROTA_EDIT, form=True, body={"manager": "@manager_id", "fallback": "@oncall_id"}, **NOT_A_RECORD),
)
ROUTES.add("crisis-report", Route(GET, CRISIS_MANAGERS, **NOT_A_RECORD))
ROUTES.add("crisis-report-chart", Route(GET, CRISIS_MANAGERS, **NOT_A_RECORD))
ROUTES.add(
    "api:raise_one",
    Route(
        POST,
        _e("401", "ok", "ok", "ok", "ok", "403"),
        body={**CRISIS_RAISE, "person": {"nhs_number": "9990000018"}},
        headers={"Idempotency-Key": "matrix-api-1"},
        notes="anyone who works with clients raises a crisis for a person by NHS number, without seeing their record",
    ),
)
ROUTES.add("api:list_crises", Route(GET, OWN_LIST_API))
ROUTES.add("api:read_crisis", Route(GET, CLIENT_API))
ROUTES.add("api:cancel_crisis", Route(POST, SENDER_API, body={"reason": "Raised in error"}))

# --- FHIR R4 (/fhir/R4/): the API's tokens and policy; every refusal an OperationOutcome --------
FHIR_CLIENT = _e("401", "404", "404", "ok", "ok", "404")
FHIR_SEARCH = _e("401", "ok", "ok", "ok", "ok", "ok")  # a Bundle of what the caller may see
PATIENT = {
    "resourceType": "Patient",
    "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000026"}],
    "name": [{"family": "Validated", "given": ["Only"]}],
    "gender": "female",
    "birthDate": "1950-02-01",
}
ROUTES.add("fhir-metadata", Route(GET, PUBLIC, **NOT_A_RECORD))
ROUTES.add("fhir-read", Route(GET, FHIR_CLIENT, notes="Patient/<the client>"))
ROUTES.add("fhir-search", Route(GET, FHIR_SEARCH, query="?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"))
ROUTES.add("fhir-everything", Route(GET, FHIR_CLIENT))
# Validation stores nothing and shows nothing but the verdict on what was sent.
ROUTES.add("fhir-validate", Route(POST, FHIR_SEARCH, body=PATIENT, **NOT_A_RECORD))
ROUTES.add("fhir-type-validate", Route(POST, FHIR_SEARCH, body=PATIENT, **NOT_A_RECORD))
ROUTES.add("fhir-unknown", Route(GET, _e("401", "404", "404", "404", "404", "404"), **NOT_A_RECORD))


# Staff without the model's permissions (roles' groups; adding sign-in attempts by hand): refused with 403.
NO_PERMISSION = _e("sign_in", "sign_in", "sign_in", "sign_in", "sign_in", "403")
ADMIN_ROUTES = {
    "admin:login": Route(GET, PUBLIC, **NOT_A_RECORD),
    "admin:logout": Route(GET, _e("ok", "ok", "ok", "ok", "ok", "405"), notes="a POST for staff", **NOT_A_RECORD),
    "admin:view_on_site": Route(GET, _e("sign_in", "sign_in", "sign_in", "sign_in", "sign_in", "404"), **NOT_A_RECORD),
    "admin:[admin/(?P<url>.*)$]": Route(GET, _e("sign_in", "sign_in", "sign_in", "sign_in", "sign_in", "404")),
    # A system administrator sets a practitioner's password (directory.change_practitioner).
    "admin:auth_user_password_change": Route(GET, ADMIN, **NOT_A_RECORD),
    "admin:autocomplete": Route(GET, NO_PERMISSION, notes="needs a model and a field", **NOT_A_RECORD),
    # Practitioners are deactivated and memberships ended by actions, never deleted: history stays.
    "admin:directory_practitioner_delete": Route(GET, NO_PERMISSION, **NOT_A_RECORD),
    "admin:directory_teammembership_delete": Route(GET, NO_PERMISSION, **NOT_A_RECORD),
}


def admin_route(name: str) -> tuple[Route, ...] | None:
    """The Django admin: staff, with the directory's permissions only (the admin refuses client records)."""
    if not name.startswith("admin:") or name in ROUTES.routes:
        return None
    if name in ADMIN_ROUTES:
        return (ADMIN_ROUTES[name],)
    if name.startswith("admin:auth_group"):  # a group that exists: the admin's answer does not hang on ids
        return (Route(GET, NO_PERMISSION, about_client=False, params={"object_id": "@group_id"}),)
    if name.endswith("_add") and name.startswith("admin:axes_"):
        return (Route(GET, NO_PERMISSION, about_client=False),)
    return (Route(GET, ADMIN, about_client=False),)


# --- The locality MDT at work: care plans, the care team, visits, meetings, training -------------
# The test world: the client's plan and care team (written by the legitimate persona), a visit the
# legitimate persona booked, the North MDT's meeting with the client on its agenda (none of the
# personas sits on the MDT), and the legitimate persona's training with a competency their manager
# granted. Emergency access reads the plan, the care team and the visits, but changes none of them:
# that needs a relationship (the brief: "editing needs a legitimate relationship").
_TODAY = date.today()


def _day(name: str, day: date) -> dict[str, str]:
    return {f"{name}[day]": str(day.day), f"{name}[month]": str(day.month), f"{name}[year]": str(day.year)}


PLAN_EDIT_PAGE = _e("sign_in", "404", "404", "ok", "403", "404")
PLAN_EDIT_API = _e("401", "404", "404", "ok", "403", "404")
LEVELS = {"-2": "Cannot at all", "-1": "With help", "0": "Alone with equipment", "1": "Alone", "2": "And lunch"}
LEVEL_KEYS = ("minus_2", "minus_1", "0", "plus_1", "plus_2")
PAGE_GOAL = {f"goal_1_level_{k}": v for k, v in zip(LEVEL_KEYS, LEVELS.values(), strict=True)}
PAGE_PLAN = {
    "goal_1_client_words": "To have a bath again",
    **PAGE_GOAL,
    "goal_1_baseline": "-1",
    "goal_1_weight": "1",
    **_day("review_due", _TODAY + timedelta(days=42)),
}
ROUTES.add("care-plan", Route(GET, CLIENT_PAGE))
ROUTES.add(
    "care-plan-new",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_PAGE, form=True, body=PAGE_PLAN, notes="the client has a plan: shown it, nothing written"),
)
ROUTES.add(
    "care-plan-change",
    Route(GET, PLAN_EDIT_PAGE),
    Route(POST, PLAN_EDIT_PAGE, form=True, body={**PAGE_PLAN, "change_note": "A new goal from the review"}),
)
_YESTERDAY = _TODAY - timedelta(days=1)
AGREEMENT = {"agreement": "agreed", "who": "Ada Matrixworth", **_day("when", _YESTERDAY), "note": "Read together"}
ROUTES.add("care-plan-agreement", Route(POST, PLAN_EDIT_PAGE, form=True, body=AGREEMENT))
REVIEW = {
    **_day("held_on", _TODAY),
    **_day("next_review_due", _TODAY + timedelta(days=42)),
    "score_1": "0",
    "score_2": "1",
}
ROUTES.add("care-plan-review", Route(GET, PLAN_EDIT_PAGE), Route(POST, PLAN_EDIT_PAGE, form=True, body=REVIEW))
ROUTES.add("care-plan-end", Route(POST, PLAN_EDIT_PAGE, form=True, body={"reason": "Goals met"}))
FRAILTY = {"band": "moderate", "efi_score": "0.3", **_day("assessed_on", _TODAY), "source": "GP record"}
ROUTES.add("frailty", Route(GET, PLAN_EDIT_PAGE), Route(POST, PLAN_EDIT_PAGE, form=True, body=FRAILTY))
MEMBER = {"practitioner": "@manager_id", "role": "Rapid response manager"}
ROUTES.add("care-team", Route(GET, CLIENT_PAGE), Route(POST, PLAN_EDIT_PAGE, form=True, body=MEMBER))
ROUTES.add("care-team-end", Route(POST, PLAN_EDIT_PAGE, form=True, body={"reason": "Discharged by the service"}))
ROUTES.add(
    "mdt-request",
    Route(GET, CLIENT_PAGE),
    Route(POST, CLIENT_WRITE_PAGE, form=True, body={"reason": "Falls and a carer under strain"}),
)
VISIT = {
    "visitor": "@team_id-@practitioner_id",
    "kind": "treatment",
    **_day("day", _TODAY + timedelta(days=5)),
    "at": "11:00",
    "duration_minutes": "60",
}
ROUTES.add("client-visits", Route(GET, CLIENT_PAGE))
ROUTES.add("visit-new", Route(GET, CLIENT_PAGE), Route(POST, PLAN_EDIT_PAGE, form=True, body=VISIT))
ROUTES.add("visit", Route(GET, CLIENT_PAGE))
ROUTES.add("visit-done", Route(POST, PLAN_EDIT_PAGE, form=True, body={"outcome": "Rails fitted"}))
ROUTES.add("visit-cancel", Route(POST, PLAN_EDIT_PAGE, form=True, body={"reason": "Client in hospital"}))
# Another organisation accepts a trusted assessor's assessment: the visit is the persona's own
# organisation's, which the page says with its error summary (the API: 403 saying why).
ROUTES.add(
    "visit-accept",
    Route(POST, _e("sign_in", "404", "404", "invalid", "invalid", "404"), form=True, body={"note": ""}),
)
ROUTES.add("visit-share", Route(POST, CLIENT_WRITE_PAGE, form=True))
ROUTES.add("my-visits", Route(GET, OWN_LIST_PAGE))
# MDT meetings: the MDT's members read them, its coordinator or manager runs them; practitioners in no
# MDT are told so (403) on the list; a meeting of an MDT one is not in is "not found".
MDT_LIST_PAGE = _e("sign_in", "403", "403", "403", "403", "403")
SERIES = {
    "locality": "@locality_id",
    "title": "North MDT",
    **_day("first_date", _TODAY + timedelta(days=7)),
    "start_time": "13:00",
    "duration_minutes": "90",
    "every_weeks": "1",
}
ROUTES.add("meetings", Route(GET, MDT_LIST_PAGE, **NOT_A_RECORD))
ROUTES.add(
    "meeting-series-new",
    Route(GET, MDT_LIST_PAGE, **NOT_A_RECORD),
    Route(POST, MDT_LIST_PAGE, form=True, body=SERIES, **NOT_A_RECORD),
)
ROUTES.add("meeting-occurrence", Route(GET, MDT_ONLY_PAGE), Route(POST, MDT_ONLY_PAGE, form=True))
ROUTES.add("meeting", Route(GET, MDT_ONLY_PAGE))
ROUTES.add("meeting-propose", Route(POST, MDT_ONLY_PAGE, form=True))
ROUTES.add("meeting-attendance", Route(POST, MDT_ONLY_PAGE, form=True, body={"present": "@practitioner_id"}))
ROUTES.add("meeting-add", Route(POST, MDT_ONLY_PAGE, form=True, body={"nhs_number": "9990000018", "reason": "Falls"}))
ROUTES.add("meeting-start", Route(POST, MDT_ONLY_PAGE, form=True))
ROUTES.add("meeting-close", Route(POST, MDT_ONLY_PAGE, form=True))
ROUTES.add("meeting-minutes", Route(GET, MDT_ONLY_PAGE))
ROUTES.add("meeting-item", Route(GET, MDT_ONLY_PAGE))
ROUTES.add("meeting-item-change", Route(POST, MDT_ONLY_PAGE, form=True, body={"action": "up"}))
DISCUSSION = {"note": "Two falls; carer tired", "decision": "Falls assessment and respite"}
ROUTES.add("meeting-item-discussion", Route(POST, MDT_ONLY_PAGE, form=True, body=DISCUSSION))
ACTION = {"title": "Falls assessment", "owner": "t-@team_id", **_day("due_on", _TODAY + timedelta(days=7))}
ROUTES.add("meeting-item-action", Route(POST, MDT_ONLY_PAGE, form=True, body=ACTION))
ROUTES.add(
    "meeting-item-dispute", Route(POST, MDT_ONLY_PAGE, form=True, body={"team": "@team_id", "reasons": "Decided"})
)
# Training: oneself, one's managers and the MDT coordinators of one's teams read it; oneself and one's
# managers record courses; only a manager grants or withdraws a competency (the persona is told so).
SELF_PAGE = _e("sign_in", "404", "404", "ok", "404", "404")
SELF_API = _e("401", "404", "404", "ok", "404", "404")
MANAGER_PAGE = _e("sign_in", "404", "404", "invalid", "404", "404")  # told why, on the form
MANAGER_API = _e("401", "404", "404", "403", "404", "404")
TRAINING = {"course": "safeguarding_adults", **_day("completed_on", _TODAY), "evidence": "Certificate"}
COMPETENCY = {
    "kind": "trusted_assessor_package_of_care",
    "hours_limit": "14",
    **_day("granted_on", _TODAY),
    **_day("expires_on", _TODAY + timedelta(days=365)),
    "evidence": "Observed three assessments",
}
ROUTES.add("my-training", Route(GET, OWN_LIST_PAGE, **NOT_A_RECORD))
ROUTES.add("training", Route(GET, SELF_PAGE, **NOT_A_RECORD))
ROUTES.add("training-new", Route(POST, SELF_PAGE, form=True, body=TRAINING, **NOT_A_RECORD))
ROUTES.add("competency-new", Route(POST, MANAGER_PAGE, form=True, body=COMPETENCY, **NOT_A_RECORD))
# Withdrawing: a competency is "not found" to all but the practitioner's managers.
ROUTES.add("competency-withdraw", Route(POST, MDT_ONLY_PAGE, form=True, body={"reason": "Left"}, **NOT_A_RECORD))
ROUTES.add("training-matrix", Route(GET, MDT_ONLY_PAGE, **NOT_A_RECORD, notes="the team's managers"))

# The same through the API.
API_GOAL = {"client_words": "To have a bath again", "levels": LEVELS}
ROUTES.add("api:read_plan", Route(GET, CLIENT_API, query="?client_id=@client_id"))
ROUTES.add(
    "api:create_plan",
    Route(
        POST,
        _e("401", "404", "404", "403", "403", "404"),
        notes="the client has a plan: 403 saying so",
        body={"client_id": "@client_id", "goals": [API_GOAL], "review_due": str(_TODAY + timedelta(days=42))},
    ),
)
ROUTES.add("api:change_plan", Route(POST, PLAN_EDIT_API, body={"change_note": "A new goal", "add_goals": [API_GOAL]}))
ROUTES.add(
    "api:agreement",
    Route(POST, PLAN_EDIT_API, body={"agreement": "agreed", "who": "Ada", "when": f"{_YESTERDAY}T10:00:00+00:00"}),
)
API_REVIEW = {"held_on": str(_TODAY), "scores": {"1": 0, "2": 1}, "next_review_due": str(_TODAY + timedelta(days=42))}
ROUTES.add("api:review", Route(POST, PLAN_EDIT_API, body=API_REVIEW))
ROUTES.add("api:end", Route(POST, PLAN_EDIT_API, body={"reason": "Goals met"}))
ROUTES.add(
    "api:frailty",
    Route(POST, PLAN_EDIT_API, body={"client_id": "@client_id", "band": "moderate", "assessed_on": str(_TODAY)}),
)
ROUTES.add("api:read_team", Route(GET, CLIENT_API))
ROUTES.add(
    "api:add_member", Route(POST, PLAN_EDIT_API, body={"practitioner_id": "@manager_id", "role": "Rapid response"})
)
ROUTES.add("api:end_member", Route(POST, PLAN_EDIT_API, body={"reason": "Discharged by the service"}))
ROUTES.add("api:calendar", Route(GET, CLIENT_API, query="?client_id=@client_id"))
API_VISIT = {
    "client_id": "@client_id",
    "practitioner_id": "@practitioner_id",
    "team_id": "@team_id",
    "kind": "treatment",
    "starts_at": f"{_TODAY + timedelta(days=5)}T11:00:00+00:00",
}
ROUTES.add("api:book", Route(POST, PLAN_EDIT_API, body=API_VISIT))
ROUTES.add(
    "api:duplicate_check",
    Route(
        GET,
        CLIENT_API,
        query=f"?client_id=@client_id&assessment=home_environment&day={_TODAY}&organisation_id=@organisation_id",
    ),
)
ROUTES.add("api:done", Route(POST, PLAN_EDIT_API, body={"outcome": "Rails fitted"}))
ROUTES.add("api:cancel", Route(POST, PLAN_EDIT_API, body={"reason": "Client in hospital"}))
ROUTES.add("api:accept", Route(POST, _e("401", "404", "404", "403", "403", "404"), body={"note": ""}))
ROUTES.add("api:list_meetings", Route(GET, OWN_LIST_API))
ROUTES.add("api:read_meeting", Route(GET, MDT_ONLY_API))
ROUTES.add("api:propose", Route(POST, MDT_ONLY_API))
ROUTES.add("api:add_client", Route(POST, MDT_ONLY_API, body={"client_id": "@client_id", "reason": "Falls"}))
ROUTES.add("api:change_item", Route(PATCH, MDT_ONLY_API, body={"action": "up"}))
ROUTES.add("api:attendance", Route(POST, MDT_ONLY_API, body={"present": ["@practitioner_id"]}))
ROUTES.add("api:discussion", Route(POST, MDT_ONLY_API, body=DISCUSSION))
ROUTES.add(
    "api:action",
    Route(POST, MDT_ONLY_API, body={"title": "Falls assessment", "due_on": str(_TODAY), "owner_team_id": "@team_id"}),
)
ROUTES.add("api:dispute", Route(POST, MDT_ONLY_API, body={"team_id": "@team_id", "reasons": "Decided"}))
ROUTES.add("api:close", Route(POST, MDT_ONLY_API))
API_SERIES = {"locality_id": "@locality_id", "title": "North MDT", "first_date": str(_TODAY), "start_time": "13:00"}
ROUTES.add("api:create_series", Route(POST, MDT_ONLY_API, body=API_SERIES, **NOT_A_RECORD))
ROUTES.add("api:open_meeting", Route(POST, MDT_ONLY_API, body={"day": "@day"}))
ROUTES.add("api:request_discussion", Route(POST, CLIENT_WRITE_API, body={"client_id": "@client_id", "reason": "Falls"}))
ROUTES.add("api:read_training", Route(GET, SELF_API, **NOT_A_RECORD))
ROUTES.add(
    "api:record_training",
    Route(POST, SELF_API, body={"course": "safeguarding_adults", "completed_on": str(_TODAY)}, **NOT_A_RECORD),
)
API_COMPETENCY = {
    "kind": "trusted_assessor_package_of_care",
    "granted_on": str(_TODAY),
    "expires_on": str(_TODAY + timedelta(days=365)),
    "evidence": "Observed three assessments",
    "hours_limit": "14",
}
ROUTES.add("api:grant", Route(POST, MANAGER_API, body=API_COMPETENCY, **NOT_A_RECORD))
ROUTES.add("api:withdraw", Route(POST, MDT_ONLY_API, body={"reason": "Left"}, **NOT_A_RECORD))
ROUTES.add("api:matrix", Route(GET, MDT_ONLY_API, **NOT_A_RECORD, notes="the team's managers"))
# --- Access alerts for information governance (ADR 0045) ------------------------------------------
# Only an information governance lead (a role none of the personas holds) reviews access alerts:
# to everyone else the pages do not exist. tests/integration/test_access_alerts.py shows the lead's.
GOVERNANCE_ONLY = _e("sign_in", "404", "404", "404", "404", "404")
ROUTES.add("access-alerts", Route(GET, GOVERNANCE_ONLY))
ROUTES.add("access-alert", Route(GET, GOVERNANCE_ONLY))
ROUTES.add(
    "access-alert-acknowledge",
    Route(GET, _e("sign_in", "405", "405", "405", "405", "405"), **NOT_A_RECORD),
    Route(POST, GOVERNANCE_ONLY, form=True, body={"note": "Looking into it with the team manager"}),
)
ROUTES.add(
    "access-alert-close",
    Route(GET, _e("sign_in", "405", "405", "405", "405", "405"), **NOT_A_RECORD),
    Route(POST, GOVERNANCE_ONLY, form=True, body={"finding": "A genuine emergency: nothing more to do"}),
)
