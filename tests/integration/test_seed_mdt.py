"""The demo borough shows the locality MDT's work: plans, a closed meeting with minutes, next Tuesday's
proposed agenda (the demo hospital's bounce and crises among it), a duplicate assessment and same-day
visits, trusted assessors (one expired), training."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from joinedup.careplans.models import AgendaItem, CarePlan, Meeting, Visit
from joinedup.careplans.rules.agenda import Period
from joinedup.core.audit import verify_chain
from joinedup.core.models import AuditEvent
from joinedup.crisis.agenda_sources import crises
from joinedup.directory import rules
from joinedup.directory.models import Competency, Locality
from joinedup.directory.training import completions_of, facts_of
from joinedup.tasks.models import Task

AS_OF = date(2025, 3, 14)  # a Friday: last Tuesday 11 March, next Tuesday 18 March


@pytest.fixture
def seeded(db) -> None:
    call_command("seed_demo", clients=300, seed=5, as_of=AS_OF.isoformat(), verbosity=0, stdout=StringIO())


def test_last_tuesdays_meeting_has_minutes_and_next_tuesdays_a_proposed_agenda(seeded):
    past = Meeting.objects.get(starts_at__date=date(2025, 3, 11), locality__code="northgate")
    assert past.status == "closed" and past.attendees.filter(present=True).count() == 5
    discussed = AgendaItem.objects.filter(meeting=past, status="discussed")
    assert discussed.count() == 3
    assert Task.objects.filter(source="mdt", source_ref__in=[f"agenda-item:{i.pk}" for i in discussed]).count() == 3
    upcoming = Meeting.objects.get(starts_at__date=date(2025, 3, 18), locality__code="northgate")
    assert upcoming.status == "planned" and upcoming.agenda_proposed_at is not None
    sources = {r["source"] for item in AgendaItem.objects.filter(meeting=upcoming) for r in item.reasons}
    assert sources == {"disputes", "member", "frailty", "overdue_reviews", "readmissions", "crises"}
    reasons = [r["reason"] for item in AgendaItem.objects.filter(meeting=upcoming) for r in item.reasons]
    assert (  # the demo hospital's bounce: Alzheimer's disease, home on 28 February, its memory review not done
        "Readmitted 12 March, 12 days after discharge on 28 February "
        "(a bounce, before the discharge follow-up was done); still in hospital"
    ) in reasons
    assert "Crisis on 13 March: Unpaid carer breakdown. Still open: acknowledged" in reasons
    since_last = Period(past.starts_at, upcoming.starts_at)
    for locality in Locality.objects.exclude(code="northgate"):  # their next meetings will have a crisis too
        assert crises(locality.pk, since_last), locality.code


def test_plans_visits_and_trusted_assessors_are_there(seeded):
    assert CarePlan.objects.filter(status="active").count() == 3
    assert CarePlan.objects.filter(review_due__lt=AS_OF).count() == 1
    assert Visit.objects.exclude(duplicate_of=[]).count() == 1
    assert Visit.objects.filter(trusted_competency__isnull=False).count() == 1
    day = AS_OF + timedelta(days=1)
    assert Visit.objects.filter(starts_at__date=day).values("client").distinct().count() == 1
    usable = {
        c.practitioner.username: rules.competency_usable(
            facts_of(c), completions_of([c.practitioner_id])[c.practitioner_id], AS_OF
        ).ok
        for c in Competency.objects.select_related("practitioner")
    }
    assert usable == {"olivia.ot": True, "sophie.sw": True, "paul.physio": False}


def test_the_seed_is_still_one_audit_event(seeded):
    # Apart from the demo hospital's messages, which the feed applies (and audits) as it would any others.
    assert [e.action for e in AuditEvent.objects.exclude(channel="hl7")] == ["seed"]
    assert verify_chain().ok
