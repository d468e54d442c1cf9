"""The shared visit calendar and its duplicate-assessment warning; trusted assessors; the training record."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from joinedup.careplans.models import TrustedAssessment, Visit
from joinedup.careplans.queries.visits import client_calendar, practitioner_calendar
from joinedup.careplans.services import visits
from joinedup.careplans.services.visits import DuplicateAssessment, NewVisit
from joinedup.core.access import relationship_to
from joinedup.core.errors import NotFound, Refused
from joinedup.core.working_time import LONDON
from joinedup.directory import training
from joinedup.directory.models import Competency, TeamMembership
from joinedup.directory.training_queries import team_matrix, training_page
from tests.factories import client_in


def at(days: int, hour: int = 10) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), LONDON)


def assess(b, who: str, team, days: int, kind: str = "equipment") -> NewVisit:
    return NewVisit(b.people[who].pk, team.pk, "assessment", at(days), 60, kind)


def council_visit(b, client, days: int, kind: str = "equipment", **extra) -> Visit:
    """The council's social worker assesses (another organisation than the community OT)."""
    return visits.book_visit(
        b.actor("ot.north"), client.pk, assess(b, "sw.council", b.social_work, days, kind), **extra
    )


def test_another_organisations_assessment_within_28_days_is_a_warning_with_a_suggestion(b):
    client = client_in(b)
    first = council_visit(b, client, 3)
    with pytest.raises(DuplicateAssessment) as warned:
        visits.book_visit(b.actor("ot.north"), client.pk, assess(b, "ot.north", b.therapy_north, 10))
    (duplicate,) = warned.value.duplicates
    assert duplicate.other.id == first.pk and duplicate.days_apart == 7
    assert "Council Adult Social Care plans a equipment and adaptations assessment" in duplicate.warning
    assert Visit.objects.filter(client=client).count() == 1  # nothing booked
    task = visits.ask_to_share(b.actor("ot.north"), client.pk, first.pk)
    assert task.owner_practitioner_id == b.people["sw.council"].pk and "Share your" in task.title
    booked = visits.book_visit(
        b.actor("ot.north"), client.pk, assess(b, "ot.north", b.therapy_north, 10), duplicate_reason="Needs changed"
    )
    assert booked.duplicate_of == [first.pk] and booked.duplicate_reason == "Needs changed"


def test_no_warning_for_the_same_organisation_another_kind_or_outside_the_window(b):
    client = client_in(b)
    council_visit(b, client, 1)
    visits.book_visit(b.actor("sw.council"), client.pk, assess(b, "sw.council", b.social_work, 2))  # same organisation
    visits.book_visit(b.actor("ot.north"), client.pk, assess(b, "ot.north", b.therapy_north, 2, "falls"))
    visits.book_visit(b.actor("ot.north"), client.pk, assess(b, "ot.north", b.therapy_north, 40))
    with override_settings(JOINEDUP_DUPLICATE_ASSESSMENT_DAYS=45), pytest.raises(DuplicateAssessment):
        visits.book_visit(b.actor("ot.north"), client.pk, assess(b, "ot.north", b.therapy_north, 44))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "visit"}, "kind"),
        ({"assessment": ""}, "assessment"),
        ({"duration_minutes": 1}, "duration_minutes"),
        ({"starts_at": at(400)}, "starts_at"),
        ({"team_id": 999_999}, "team"),
    ],
)
def test_a_broken_booking_names_the_field_and_books_nothing(b, change, field):
    client = client_in(b)
    new = assess(b, "ot.north", b.therapy_north, 2)
    with pytest.raises(ValidationError) as error:
        visits.book_visit(b.actor("ot.north"), client.pk, NewVisit(**{**new.__dict__, **change}))
    assert field in error.value.message_dict
    assert not Visit.objects.filter(client=client).exists()


def test_the_calendar_shows_every_organisations_visits_and_same_day_visits_to_combine(b):
    client = client_in(b)
    council_visit(b, client, 1, kind="package_of_care")
    visits.book_visit(
        b.actor("ot.north"), client.pk, NewVisit(b.people["ot.north"].pk, b.therapy_north.pk, "treatment", at(1, 14))
    )
    _, calendar = client_calendar(b.actor("ot.north"), client.pk, timezone.localdate() + timedelta(days=1))
    day = next(d for d in calendar.days if d.day == timezone.localdate() + timedelta(days=1))
    assert day.combinable and {v.organisation_id for v in day.visits} == {b.council.pk, b.community.pk}
    mine = practitioner_calendar(b.actor("sw.council"), timezone.localdate() + timedelta(days=1))
    (visit,) = [v for d in mine.days for v in d.visits]
    assert [o.practitioner_id for o in next(d for d in mine.days if d.visits).others[visit.pk]] == [
        b.people["ot.north"].pk
    ]


def test_a_booked_visit_gives_the_visitor_a_relationship_until_after_it(b):
    client = client_in(b)
    assert relationship_to(b.actor("sw.council"), client) is None
    visit = council_visit(b, client, 2)
    assert "has a visit booked" in relationship_to(b.actor("sw.council"), client)
    visits.cancel_visit(b.actor("ot.north"), visit.pk, "Client in hospital")
    assert relationship_to(b.actor("sw.council"), client) is None


def grant(b, who: str, kind: str, *, expires: date, course_on: date, hours: str | None = None) -> Competency:
    manager = b.people["ot.north"]  # the therapy team's named manager in these tests
    team = TeamMembership.objects.get(practitioner=b.people[who]).team
    team.manager = manager
    team.save()
    actor = b.actor("ot.north")
    training.record_training(actor, b.people[who].pk, training.NewTraining("trusted_assessor", course_on))
    granted = expires - timedelta(days=700)
    return training.grant_competency(
        actor, b.people[who].pk, training.NewCompetency(kind, granted, expires, "Observed x3", hours)
    )


def test_an_in_date_trusted_assessors_assessment_is_accepted_without_a_second_one(b):
    client = client_in(b)
    grant(
        b,
        "sw.council",
        "trusted_assessor_equipment",
        expires=timezone.localdate() + timedelta(days=300),
        course_on=timezone.localdate() - timedelta(days=100),
    )
    visit = council_visit(b, client, 0)
    done = visits.complete_visit(b.actor("sw.council"), visit.pk, "Perching stool and rails advised")
    assert done.trusted_competency is not None
    accepted = visits.accept_trusted_assessment(b.actor("ot.north"), visit.pk, "Equipment ordered on this basis")
    assert accepted.accepting_organisation == b.community
    assert client.timeline.filter(kind="trusted_assessment_accepted").exists()
    with pytest.raises(Refused):  # once per organisation
        visits.accept_trusted_assessment(b.actor("ot.north"), visit.pk)
    with pytest.raises(Refused):  # not by the assessor's own organisation
        visits.accept_trusted_assessment(b.actor("sw.council"), visit.pk)
    with pytest.raises(DuplicateAssessment) as warned:  # and a second assessment is flagged, trusted
        visits.book_visit(b.actor("ot.north"), client.pk, assess(b, "ot.north", b.therapy_north, 3))
    assert "as a trusted assessor" in warned.value.duplicates[0].warning


def test_an_expired_competency_or_course_is_not_used_for_trusted_assessment(b):
    client = client_in(b)
    grant(
        b,
        "sw.council",
        "trusted_assessor_equipment",
        expires=timezone.localdate() - timedelta(days=1),
        course_on=timezone.localdate() - timedelta(days=100),
    )
    visit = council_visit(b, client, 0)
    assert visits.complete_visit(b.actor("sw.council"), visit.pk, "Rails advised").trusted_competency is None
    with pytest.raises(Refused):
        visits.accept_trusted_assessment(b.actor("ot.north"), visit.pk)
    assert not TrustedAssessment.objects.exists()


def test_a_package_of_care_assessor_is_trusted_only_up_to_their_hours(b):
    client = client_in(b)
    grant(
        b,
        "sw.council",
        "trusted_assessor_package_of_care",
        expires=timezone.localdate() + timedelta(days=300),
        course_on=timezone.localdate() - timedelta(days=10),
        hours="10",
    )
    small, large = council_visit(b, client, 0, "package_of_care"), council_visit(b, client, 0, "package_of_care")
    assert visits.complete_visit(b.actor("sw.council"), small.pk, "Morning call", "7").trusted_competency is not None
    assert visits.complete_visit(b.actor("sw.council"), large.pk, "Double-up calls", "21").trusted_competency is None
    with pytest.raises(ValidationError) as error:
        visits.complete_visit(b.actor("sw.council"), council_visit(b, client, 0).pk, "x", "5")
    assert "recommended_hours" in error.value.message_dict


def test_training_is_recorded_by_oneself_or_a_manager_and_the_matrix_shows_who_is_due(b):
    me = b.actor("ot.north")
    training.record_training(me, b.people["ot.north"].pk, training.NewTraining("safeguarding_adults", date(2020, 1, 1)))
    with pytest.raises(NotFound):  # someone else's record, without managing them
        training.record_training(
            me, b.people["sw.council"].pk, training.NewTraining("safeguarding_adults", date(2025, 1, 1))
        )
    with pytest.raises(ValidationError) as error:
        training.record_training(me, b.people["ot.north"].pk, training.NewTraining("knitting", date(2025, 1, 1)))
    assert "course" in error.value.message_dict
    with pytest.raises(ValidationError):
        training.record_training(
            me, b.people["ot.north"].pk, training.NewTraining("safeguarding_adults", date(2099, 1, 1))
        )
    page = training_page(me, b.people["ot.north"].pk)
    assert dict((c.value, s.value) for c, s, _ in page.statuses)["safeguarding_adults"] == "expired"
    with pytest.raises(NotFound):  # a team member without a manager's or coordinator's role sees no matrix
        team_matrix(me, b.therapy_north.pk)
    b.therapy_north.manager = b.people["ot.north"]
    b.therapy_north.save()
    matrix = team_matrix(me, b.therapy_north.pk)
    row = next(r for r in matrix.rows if r.practitioner.pk == b.people["ot.north"].pk)
    assert (
        dict(zip([c.value for c in matrix.courses], [s.value for s, _ in row.cells], strict=True))[
            "safeguarding_adults"
        ]
        == "expired"
    )
    with pytest.raises(NotFound):
        training_page(b.actor("ot.south"), b.people["ot.north"].pk)


def test_only_a_manager_grants_competencies_and_a_grant_is_checked(b):
    with pytest.raises(NotFound):
        training.grant_competency(
            b.actor("ot.south"),
            b.people["ot.north"].pk,
            training.NewCompetency("trusted_assessor_equipment", date(2026, 1, 1), date(2027, 1, 1), "x"),
        )
    with pytest.raises(Refused):  # oneself: may read, may not grant
        training.grant_competency(
            b.actor("ot.north"),
            b.people["ot.north"].pk,
            training.NewCompetency("trusted_assessor_equipment", date(2026, 1, 1), date(2027, 1, 1), "x"),
        )
    b.therapy_north.manager = b.people["coordinator.north"]
    b.therapy_north.save()
    manager = b.actor("coordinator.north")
    with pytest.raises(ValidationError) as error:
        training.grant_competency(
            manager,
            b.people["ot.north"].pk,
            training.NewCompetency("trusted_assessor_package_of_care", date(2026, 1, 1), date(2027, 1, 1), "Observed"),
        )
    assert "hours_limit" in error.value.message_dict
    competency = training.grant_competency(
        manager,
        b.people["ot.north"].pk,
        training.NewCompetency("trusted_assessor_equipment", date(2026, 1, 1), date(2027, 1, 1), "Observed"),
    )
    training.revoke_competency(manager, competency.pk, "Concerns about practice")
    assert Competency.objects.get(pk=competency.pk).revoked_on == timezone.localdate()
