"""The referrals and disputes API: drafts, sending, the receiving team's answers, worklists,
disputes; scope (404 like absent), the wrong side (403), broken input (422, nothing stored)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from joinedup.clients.models import Client, NeedCategory
from joinedup.clients.services import record_need
from joinedup.core.models import AuditEvent
from joinedup.handover.information import DEFAULT_INFORMATION_ITEMS
from joinedup.handover.models import Dispute, Referral, ReferralTransition
from tests.factories import client_in
from tests.handover_factories import complete_information, mental_health_team, sent_referral
from tests.integration.api_client import ApiClient, api_as, audit_statements_per_event, field_of

NOT_FOUND = {"detail": "Not found"}
ACTIONS = {
    "send": None,
    "request-information": {"question": "Is she known to the memory service?"},
    "provide-information": {"reply": "Yes, since March"},
    "accept": {},
    "decline": {"reason": "No secondary care need", "alternative": "Talking therapies"},
    "withdraw": {"reason": "Moved away"},
    "stop-clock": {"reason": "Client in respite until Monday"},
    "restart-clock": None,
}


def _stored() -> tuple[int, int, int]:
    return Referral.objects.count(), ReferralTransition.objects.count(), AuditEvent.objects.count()


def _draft(b, client, **overrides):
    body = {
        "client_id": client.pk,
        "receiving_team_id": mental_health_team(b).pk,
        "kind": "transfer_of_care",
        "urgency": "urgent",
        "information": complete_information(),
    }
    body.update(overrides)
    return body


def _created(b, client, by="ot.north", **overrides) -> dict:
    response = _api(b, by).post("/referrals", _draft(b, client, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


def _api(b, name: str) -> ApiClient:
    """One token per practitioner and test (creating a token is itself audited)."""
    clients = b.__dict__.setdefault("_api_clients", {})
    if name not in clients:
        clients[name] = api_as(b, name)
    return clients[name]


def _post(b, name, path, body=None):
    return _api(b, name).post(path, {} if body is None else body)


# --- happy paths ------------------------------------------------------------------------


def test_create_read_and_change_a_draft(b):
    client = client_in(b)
    info = complete_information(risk_falls="")
    created = _created(b, client, information=info, urgency="routine")
    assert created["state"] == "draft" and created["your_side"] == "sender"
    assert created["client_id"] == client.pk and created["location"] == f"/api/v1/referrals/{created['id']}"
    assert created["sending_team"] == {"id": b.therapy_north.pk, "name": "North Community Therapy"}
    assert set(created["actions"]) == {"send", "withdraw"}
    assert created["deadline_at"] is None and created["time_left_seconds"] is None

    api = _api(b, "ot.north")
    page = api.get(f"/referrals/{created['id']}").json()
    assert page["client"]["id"] == client.pk and page["client"]["name"] == client.full_name
    assert page["client"]["relationship"]
    items = {item["key"]: item for item in page["information"]}
    assert list(items) == [item.key for item in DEFAULT_INFORMATION_ITEMS]
    assert items["risk_falls"]["problem"] and items["request"]["problem"] is None
    assert items["access_to_home"]["not_known"] is True and items["access_to_home"]["not_known_reason"]

    changed = api.patch(
        f"/referrals/{created['id']}", {"urgency": "emergency", "information": {"risk_falls": "Two falls in May"}}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["urgency"] == "emergency"
    page = api.get(f"/referrals/{created['id']}").json()
    items = {item["key"]: item for item in page["information"]}
    assert items["risk_falls"]["text"] == "Two falls in May" and items["risk_falls"]["problem"] is None
    assert items["request"]["text"]  # other answers kept


def test_the_whole_handover_over_the_api(b):
    client = client_in(b)
    team = mental_health_team(b)
    referral = _created(b, client)
    sent = _post(b, "ot.north", f"/referrals/{referral['id']}/send")
    assert sent.status_code == 200, sent.content
    sent = sent.json()
    assert sent["state"] == "sent" and sent["deadline_at"] and sent["time_left_seconds"] > 0
    assert sent["actions"] == ["withdraw"]

    inbox = _api(b, "mh.duty").get("/referrals", {"list": "inbox"}).json()
    assert [row["id"] for row in inbox["results"]] == [referral["id"]]
    assert inbox["results"][0]["client"] == {"id": client.pk, "name": client.full_name}

    asked = _post(b, "mh.duty", f"/referrals/{referral['id']}/request-information", ACTIONS["request-information"])
    assert asked.status_code == 200 and asked.json()["state"] == "information_requested"
    assert asked.json()["your_side"] == "receiver" and asked.json()["deadline_at"] == sent["deadline_at"]
    given = _post(b, "ot.north", f"/referrals/{referral['id']}/provide-information", ACTIONS["provide-information"])
    assert given.status_code == 200 and given.json()["state"] == "sent"

    lead = b.people["mh.duty"].pk
    accepted = _post(b, "mh.duty", f"/referrals/{referral['id']}/accept", {"lead_professional_id": lead})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted" and accepted.json()["time_left_seconds"] is None
    client.refresh_from_db()
    assert (client.accountable_team, client.lead_professional_id) == (team, lead)

    page = _api(b, "mh.duty").get(f"/referrals/{referral['id']}").json()
    assert [t["action"] for t in page["transitions"]] == [
        "send",
        "request_information",
        "provide_information",
        "accept",
    ]
    assert page["transitions"][1]["reason"] == "Is she known to the memory service?"
    assert page["transitions"][1]["side"] == "receiver" and page["transitions"][1]["actor"]["id"] == lead
    assert page["decided_by"]["id"] == lead and page["completeness_at_first_send"] == pytest.approx(14 / 15)
    assert page["client"]["accountable_team"]["id"] == team.pk


def test_a_request_for_a_service_gives_the_work_to_the_lead_named(b):
    client = client_in(b)
    referral = _created(b, client, kind="request_for_service")
    _post(b, "ot.north", f"/referrals/{referral['id']}/send")
    manager = b.people["mh.manager"].pk
    assert (
        _post(b, "mh.duty", f"/referrals/{referral['id']}/accept", {"lead_professional_id": manager}).status_code == 200
    )
    page = _api(b, "mh.duty").get(f"/referrals/{referral['id']}").json()
    assert page["work_owner"]["id"] == manager
    assert Client.objects.get(pk=client.pk).accountable_team == b.therapy_north


def test_stop_and_restart_the_clock_then_withdraw(b):
    client = client_in(b)
    referral = sent_referral(b, client, urgency="routine")
    path = f"/referrals/{referral.pk}"
    stopped = _post(b, "mh.duty", f"{path}/stop-clock", ACTIONS["stop-clock"]).json()
    assert stopped["clock_stopped"] is True and "restart_clock" in stopped["actions"]
    frozen = stopped["time_left_seconds"]
    assert _api(b, "mh.duty").get(path).json()["time_left_seconds"] == frozen  # the clock does not run
    restarted = _post(b, "mh.duty", f"{path}/restart-clock").json()
    assert restarted["clock_stopped"] is False and restarted["deadline_at"] >= stopped["deadline_at"]
    withdrawn = _post(b, "ot.north", f"{path}/withdraw", ACTIONS["withdraw"]).json()
    assert withdrawn["state"] == "withdrawn" and withdrawn["actions"] == []
    page = _api(b, "ot.north").get(path).json()
    assert page["withdraw_reason"] == "Moved away"
    # The receiving team no longer sees the client, so not the referral's page either.
    assert _api(b, "mh.duty").get(path).json() == NOT_FOUND


def test_decline_returns_the_referral_and_twice_opens_a_dispute_the_mdt_decides(b):
    client = client_in(b)
    team = mental_health_team(b)
    coordinator = _api(b, "coordinator.north")
    for attempt in range(2):
        referral = _created(b, client)
        _post(b, "ot.north", f"/referrals/{referral['id']}/send")
        declined = _post(b, "mh.duty", f"/referrals/{referral['id']}/decline", ACTIONS["decline"])
        assert declined.status_code == 200, declined.content
        assert declined.json()["state"] == "declined" and declined.json()["client_id"] == client.pk
        if attempt == 0:
            assert coordinator.get("/disputes").json() == {"results": []}
            page = _api(b, "ot.north").get(f"/referrals/{referral['id']}").json()
            assert (page["decline_reason"], page["suggested_alternative"]) == (
                "No secondary care need",
                "Talking therapies",
            )

    [row] = coordinator.get("/disputes").json()["results"]
    dispute = Dispute.objects.get(client=client)
    assert row["id"] == dispute.pk and row["state"] == "open" and row["overdue"] is False
    assert row["client"] == {"id": client.pk, "name": client.full_name} and row["locality_id"] == b.north.pk
    assert {org["id"] for org in row["organisations"]} == {b.community.pk, b.mental_health.pk}
    assert _api(b, "ot.north").get("/disputes").json() == {"results": []}  # not in the MDT
    assert _api(b, "ot.north").get(f"/disputes/{dispute.pk}").json() == NOT_FOUND
    assert _api(b, "coordinator.north").get("/referrals/counts").json()["disputes"] == 1

    detail = coordinator.get(f"/disputes/{dispute.pk}").json()
    assert [r["decline_reason"] for r in detail["referrals"]] == ["No secondary care need"] * 2
    assert detail["default_owner"]["id"] == Client.objects.get(pk=client.pk).accountable_team_id

    decided = coordinator.post(
        f"/disputes/{dispute.pk}/decide", {"team_id": team.pk, "reasons": "Low mood drives the need; CMHT leads"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "decided" and decided.json()["decided_team"]["id"] == team.pk
    assert Client.objects.get(pk=client.pk).accountable_team == team
    assert coordinator.get("/disputes").json() == {"results": []}
    [closed] = coordinator.get("/disputes", {"include_decided": "true"}).json()["results"]
    assert closed["decided_team"]["id"] == team.pk
    again = coordinator.post(f"/disputes/{dispute.pk}/decide", {"team_id": team.pk, "reasons": "Again"})
    assert again.status_code == 403 and again.json() == {"detail": "This dispute has already been decided"}


def test_worklists_counts_and_teams(b):
    client, other = client_in(b), client_in(b)
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        late = sent_referral(b, client, urgency="emergency")
    fresh = sent_referral(b, other, kind="request_for_service", urgency="routine")
    draft = _created(b, client_in(b))
    mh, ot = _api(b, "mh.duty"), _api(b, "ot.north")

    inbox = mh.get("/referrals").json()
    assert inbox["list"] == "inbox" and [r["id"] for r in inbox["results"]] == [late.pk, fresh.pk]
    assert inbox["results"][0]["overdue"] is True and inbox["results"][0]["time_left_seconds"] < 0
    assert inbox["results"][1]["overdue"] is False and inbox["results"][1]["time_left_seconds"] > 0
    sent = ot.get("/referrals", {"list": "sent"}).json()["results"]
    assert {r["id"] for r in sent} == {late.pk, fresh.pk, draft["id"]}
    assert [r["id"] for r in ot.get("/referrals", {"list": "overdue"}).json()["results"]] == [late.pk]
    assert mh.get("/referrals/counts").json() == {"inbox": 2, "sent": 0, "overdue": 1, "disputes": 0}
    assert ot.get("/referrals/counts").json() == {"inbox": 0, "sent": 2, "overdue": 1, "disputes": 0}

    _post(b, "mh.duty", f"/referrals/{fresh.pk}/accept")
    closed = ot.get("/referrals", {"list": "closed", "team": b.therapy_north.pk}).json()["results"]
    assert [(r["id"], r["state"]) for r in closed] == [(fresh.pk, "accepted")]
    assert ot.get("/referrals", {"team": b.social_work.pk}).json() == NOT_FOUND  # not my team
    assert _api(b, "ot.south").get("/referrals").json()["results"] == []


def test_prefill_draws_the_answers_from_the_record(b):
    client = client_in(b)
    record_need(b.actor("ot.north"), client.pk, NeedCategory.MENTAL_HEALTH, "Low mood since bereavement")
    answers = _api(b, "ot.north").get("/referrals/prefill", {"client_id": client.pk})
    assert answers.status_code == 200
    assert answers.json() == {
        "client_id": client.pk,
        "information": {"needs_mental_health": "Low mood since bereavement"},
    }
    assert _api(b, "ot.south").get("/referrals/prefill", {"client_id": client.pk}).json() == NOT_FOUND
    assert _api(b, "ot.south").get("/referrals/prefill", {"client_id": 987654}).json() == NOT_FOUND
    assert AuditEvent.objects.filter(client_id=client.pk, actor_username="ot.north", channel="api").exists()


# --- scope, side and bad input --------------------------------------------------------------


def test_a_referral_out_of_scope_is_the_same_404_as_one_that_does_not_exist(b):
    client = client_in(b)
    referral = sent_referral(b, client)
    outsider = _api(b, "ot.south")
    for referral_id in (referral.pk, 987654):
        path = f"/referrals/{referral_id}"
        assert outsider.get(path).status_code == 404
        assert outsider.get(path).json() == NOT_FOUND
        before = _stored()
        assert outsider.patch(path, {"urgency": "routine"}).json() == NOT_FOUND
        for action, body in ACTIONS.items():
            response = outsider.post(f"{path}/{action}", body or {})
            assert (response.status_code, response.json()) == (404, NOT_FOUND), action
        assert _stored() == before
    assert Referral.objects.get(pk=referral.pk).state == "sent"


@pytest.mark.parametrize(
    ("name", "action", "message"),
    [
        ("ot.north", "accept", "Only the receiving team can accept this referral"),
        ("ot.north", "decline", "Only the receiving team can decline this referral"),
        ("ot.north", "stop-clock", "Only the receiving team can stop the response clock"),
        ("ot.north", "request-information", "Only the receiving team can ask for more information"),
        ("mh.duty", "withdraw", "Only the sending team can withdraw this referral"),
        ("mh.duty", "send", "A referral that has been sent cannot be sent"),
        ("mh.duty", "restart-clock", "The clock is running: there is nothing to restart"),
    ],
)
def test_the_wrong_side_is_refused_with_a_403_and_nothing_changes(b, name, action, message):
    referral = sent_referral(b, client_in(b))
    _api(b, name)
    before = _stored()
    response = _post(b, name, f"/referrals/{referral.pk}/{action}", ACTIONS[action])
    assert (response.status_code, response.json()) == (403, {"detail": message})
    assert _stored() == before
    assert Referral.objects.get(pk=referral.pk).state == "sent"


def test_a_draft_only_changes_while_it_is_a_draft(b):
    referral = sent_referral(b, client_in(b))
    response = _api(b, "ot.north").patch(f"/referrals/{referral.pk}", {"urgency": "routine"})
    assert response.status_code == 403 and "Only a draft can be edited" in response.json()["detail"]
    assert Referral.objects.get(pk=referral.pk).urgency == "urgent"
    again = _post(b, "ot.north", f"/referrals/{referral.pk}/send")
    assert again.status_code == 403 and again.json()["detail"] == "A referral that has been sent cannot be sent"


def test_sending_an_incomplete_referral_names_each_item_and_sends_nothing(b):
    info = complete_information(risk_falls="", mental_capacity={"text": "", "not_known": True, "not_known_reason": ""})
    del info["medication"]
    referral = _created(b, client_in(b), information=info)
    before = _stored()
    response = _post(b, "ot.north", f"/referrals/{referral['id']}/send")
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [
        ["body", "information", "risk_falls"],
        ["body", "information", "medication"],
        ["body", "information", "mental_capacity"],
    ]
    assert errors[2]["msg"] == "Mental capacity notes: say why this is not known"
    assert _stored() == before
    assert Referral.objects.get(pk=referral["id"]).state == "draft"


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"kind": "handoff"}, ["body", "kind"]),
        ({"urgency": "soon"}, ["body", "urgency"]),
        ({"client_id": 0}, ["body", "client_id"]),
        ({"client_id": 987654}, ["body", "client_id"]),
        ({"client_id": "__south__"}, ["body", "client_id"]),  # out of scope: as if absent
        ({"receiving_team_id": 987654}, ["body", "receiving_team_id"]),
        ({"receiving_team_id": "__own__"}, ["body", "receiving_team_id"]),
        ({"sending_team_id": "__not_mine__"}, ["body", "sending_team_id"]),
        ({"information": {"favourite_colour": "blue"}}, ["body", "information"]),
        ({"information": {"request": "x" * 4001}}, ["body", "information", "request", "text"]),
        ({"information": {"request": {"text": "x", "maybe": True}}}, ["body", "information", "request", "maybe"]),
        (
            {"information": {"request": {"text": "x", "not_known_reason": "y" * 1001}}},
            ["body", "information", "request", "not_known_reason"],
        ),
        ({"information": {"request": 42}}, ["body", "information", "request"]),
        ({"information": "all fine"}, ["body", "information"]),
        ({"priority": "high"}, ["body", "priority"]),
    ],
)
def test_a_broken_referral_is_a_422_naming_the_field_and_stores_nothing(b, overrides, loc):
    south = client_in(b, locality="south")
    values = {"__south__": south.pk, "__own__": b.therapy_north.pk, "__not_mine__": b.social_work.pk}
    overrides = {key: values.get(value, value) if isinstance(value, str) else value for key, value in overrides.items()}
    client = client_in(b)
    mental_health_team(b)
    _api(b, "ot.north")
    before = _stored()
    response = _api(b, "ot.north").post("/referrals", _draft(b, client, **overrides))
    assert field_of(response)[: len(loc)] == loc, response.json()
    assert _stored() == before


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("decline", {"reason": "Not for us"}, "alternative"),
        ("decline", {"reason": "   ", "alternative": "GP"}, "reason"),
        ("decline", {"reason": "x" * 1001, "alternative": "GP"}, "reason"),
        ("withdraw", {}, "reason"),
        ("stop-clock", {"reason": ""}, "reason"),
        ("request-information", {"question": ""}, "question"),
        ("request-information", {"question": "Why?", "urgent": True}, "urgent"),
        ("accept", {"lead_professional_id": "__outsider__"}, "lead_professional_id"),
        ("accept", {"lead_professional_id": 987654}, "lead_professional_id"),
        ("accept", {"lead_professional_id": -1}, "lead_professional_id"),
    ],
)
def test_a_broken_answer_is_a_422_naming_the_field_and_changes_nothing(b, action, body, field):
    referral = sent_referral(b, client_in(b))
    body = {k: b.people["ot.south"].pk if v == "__outsider__" else v for k, v in body.items()}
    _api(b, "mh.duty")
    before = _stored()
    assert field_of(_post(b, "mh.duty", f"/referrals/{referral.pk}/{action}", body)) == ["body", field]
    assert _stored() == before
    assert Referral.objects.get(pk=referral.pk).state == "sent"


def test_broken_changes_queries_and_decisions_are_a_422(b):
    client = client_in(b)
    referral = _created(b, client)
    api = _api(b, "ot.north")
    before = _stored()
    assert field_of(api.patch(f"/referrals/{referral['id']}", {})) == ["body"]
    assert field_of(api.patch(f"/referrals/{referral['id']}", {"urgency": "later"})) == ["body", "urgency"]
    assert field_of(api.patch(f"/referrals/{referral['id']}", {"urgency": None})) == ["body", "urgency"]
    assert field_of(api.patch(f"/referrals/{referral['id']}", {"information": None})) == ["body", "information"]
    assert api.patch(f"/referrals/{referral['id']}", "{not json").status_code == 400
    assert _stored() == before
    assert field_of(api.get("/referrals", {"list": "everything"})) == ["query", "list"]
    assert field_of(api.get("/referrals", {"team": "mine"})) == ["query", "team"]
    assert field_of(api.get("/referrals", {"teams": "1"})) == ["query", "teams"]
    assert field_of(api.get("/referrals/prefill")) == ["query", "client_id"]
    coordinator = _api(b, "coordinator.north")
    assert field_of(coordinator.post("/disputes/1/decide", {"team_id": 1})) == ["body", "reasons"]


def test_a_decision_names_its_broken_fields_and_decides_nothing(b):
    client = client_in(b)
    for _ in range(2):
        referral = sent_referral(b, client)
        _post(b, "mh.duty", f"/referrals/{referral.pk}/decline", ACTIONS["decline"])
    dispute = Dispute.objects.get(client=client)
    coordinator = _api(b, "coordinator.north")
    for body, field in (
        ({"team_id": 987654, "reasons": "x"}, "team_id"),
        ({"team_id": b.social_work.pk, "lead_professional_id": 987654, "reasons": "x"}, "lead_professional_id"),
        ({"team_id": b.social_work.pk, "reasons": "   "}, "reasons"),
    ):
        assert field_of(coordinator.post(f"/disputes/{dispute.pk}/decide", body)) == ["body", field]
    assert Dispute.objects.get(pk=dispute.pk).state == "open"
    assert (
        coordinator.post("/disputes/987654/decide", {"team_id": b.social_work.pk, "reasons": "x"}).json() == NOT_FOUND
    )


def test_a_token_is_needed_and_a_session_is_not_enough(b):
    browser = HttpClient()
    browser.force_login(b.people["ot.north"])
    response = browser.post("/api/v1/referrals", json.dumps({}), content_type="application/json")
    assert response.status_code == 401


# --- cost -------------------------------------------------------------------------------------


def _most(reads: int, audit_events: int) -> int:
    """Reads, plus each audit write: a savepoint and its release, and what core.audit.record costs."""
    return reads + audit_events * (2 + audit_statements_per_event())


def test_the_inbox_costs_the_same_for_one_referral_as_for_six(b, django_assert_max_num_queries):
    sent_referral(b, client_in(b))
    api = _api(b, "mh.duty")
    api.get("/referrals")
    # The token, the actor's teams and roles, the ids in deadline order (one query per team of the
    # actor), the page's referrals with their clients and teams, the scope check of those clients;
    # one audit insert for all the rows shown.
    most = _most(reads=6, audit_events=1)
    with django_assert_max_num_queries(most) as one:
        assert len(api.get("/referrals").json()["results"]) == 1
    for _ in range(5):
        sent_referral(b, client_in(b), urgency="routine")
    with django_assert_max_num_queries(most) as six:
        assert len(api.get("/referrals").json()["results"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_referral_page_costs_the_same_however_long_its_history(b, django_assert_max_num_queries):
    referral = sent_referral(b, client_in(b))
    api = _api(b, "mh.duty")
    api.get(f"/referrals/{referral.pk}")
    most = _most(reads=14, audit_events=2)  # the client's record is read (and audited) as on its page
    with django_assert_max_num_queries(most) as short:
        api.get(f"/referrals/{referral.pk}")
    for number in range(3):
        _post(b, "mh.duty", f"/referrals/{referral.pk}/request-information", {"question": f"Q{number}"})
        _post(b, "ot.north", f"/referrals/{referral.pk}/provide-information", {"reply": f"A{number}"})
    with django_assert_max_num_queries(most) as long:
        assert len(api.get(f"/referrals/{referral.pk}").json()["transitions"]) == 7
    assert len(long.captured_queries) == len(short.captured_queries)


def test_input_schemas_refuse_unknown_fields_and_bound_their_text():
    document = json.loads(HttpClient().get("/api/v1/openapi.json").content)
    schemas = document["components"]["schemas"]
    for name in ("ReferralIn", "ReferralChanges", "AnswerIn", "QuestionIn", "ReplyIn", "AcceptIn", "DeclineIn"):
        assert schemas[name]["additionalProperties"] is False, name
        for field, spec in schemas[name]["properties"].items():
            if spec.get("type") == "string":
                assert "maxLength" in spec, f"{name}.{field}"
    assert schemas["ReferralKind"]["enum"] == ["transfer_of_care", "request_for_service"]
    assert schemas["Urgency"]["enum"] == ["emergency", "urgent", "routine"]
    assert schemas["Worklist"]["enum"] == ["inbox", "sent", "overdue", "closed"]
    assert "information_requested" in schemas["ReferralState"]["enum"]
