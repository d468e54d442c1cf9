"""Training records and trusted assessor competencies for the demo's Northgate staff (some expired, some due)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from joinedup.core.working_time import LONDON
from joinedup.demo.borough import BuiltBorough
from joinedup.directory import rules as training_rules
from joinedup.directory.models import Competency, TrainingRecord

_NORTHGATE_FIRST = {"olivia", "paul", "diane", "connor", "sophie", "marcus", "gita", "mia", "nadia", "phil"}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), LONDON)


def seed_training(built: BuiltBorough, as_of: date) -> int:
    """Everyone in Northgate has some training; some expired, some due; three trusted assessors, one expired."""
    rows = []
    courses = list(training_rules.Course)
    for number, person in enumerate(p for name, p in built.people.items() if name.split(".")[0] in _NORTHGATE_FIRST):
        for step, course in enumerate(courses):
            if (number + step) % 5 == 4:
                continue  # not done
            months = training_rules.COURSE_VALIDITY_MONTHS[course] or 12
            back = months * 30 - 30 if (number + step) % 4 == 0 else (number * 37 + step * 53) % (months * 25) + 20
            done = as_of - timedelta(days=back)
            if (number + step) % 7 == 3:
                done = as_of - timedelta(days=months * 31 + 10)  # expired
            rows.append(
                TrainingRecord(
                    practitioner=person,
                    course=course.value,
                    completed_on=done,
                    expires_on=training_rules.training_expiry(course, done),
                    evidence="e-learning",
                    recorded_by=person,
                    recorded_at=_at(done),
                )
            )
    TrainingRecord.objects.bulk_create(rows)
    manager = built.people["nadia.manager"]
    grants = [
        ("olivia.ot", "trusted_assessor_equipment", None, 400, 330),
        ("sophie.sw", "trusted_assessor_package_of_care", Decimal("14.0"), 200, 500),
        ("paul.physio", "trusted_assessor_equipment", None, -20, 700),  # expired 20 days ago
    ]
    for username, kind, hours, left, granted_ago in grants:
        person = built.people[username]
        TrainingRecord.objects.create(
            practitioner=person,
            course="trusted_assessor",
            completed_on=as_of - timedelta(days=granted_ago),
            expires_on=training_rules.training_expiry(
                training_rules.Course.TRUSTED_ASSESSOR, as_of - timedelta(days=granted_ago)
            ),
            evidence="Trusted assessor course, borough academy",
            recorded_by=manager,
            recorded_at=_at(as_of - timedelta(days=granted_ago)),
        )
        Competency.objects.create(
            practitioner=person,
            kind=kind,
            hours_limit=hours,
            granted_on=as_of - timedelta(days=granted_ago),
            expires_on=as_of + timedelta(days=left),
            granted_by=manager,
            recorded_at=_at(as_of - timedelta(days=granted_ago)),
            evidence="Trusted assessor course; three assessments observed and signed off",
        )
    return len(rows) + 2 * len(grants)
