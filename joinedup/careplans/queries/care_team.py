"""The client's care team across organisations: who, what part, since when.

Derived from what the record already says (the accountable team and who answers in it,
referrals accepted to provide a service, the care plan's interventions, visits, open
tasks) and from members added by hand. For a client whose record the caller already
reads (clients.queries.visible_client has checked and audited it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from joinedup.careplans.models import CareTeamMember, Intervention, PlanStatus, Visit
from joinedup.careplans.rules.visits import VisitStatus
from joinedup.clients.models import Accountability, Client
from joinedup.directory.models import Practitioner, Team
from joinedup.handover.models import Referral
from joinedup.tasks.models import OPEN_TASK_STATUSES, Task

REFERRAL_SERVICE_DAYS = 365
VISIT_DAYS = 90


@dataclass
class CareTeamRow:
    name: str
    profession: str
    organisation: str
    kind: str  # "person" or "team"
    roles: list[str] = field(default_factory=list)
    since: date | None = None
    member_id: int | None = None  # added by hand: can be taken off
    pk: int = 0  # the practitioner's or the team's id
    organisation_id: int | None = None


class _Builder:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], CareTeamRow] = {}

    def person(self, p: Practitioner, role: str, since: object = None, member_id: int | None = None) -> None:
        row = self.rows.setdefault(
            ("person", p.pk),
            CareTeamRow(
                p.display_name,
                p.get_profession_display(),
                p.organisation.name if p.organisation else "",
                "person",
                pk=p.pk,
                organisation_id=p.organisation_id,
            ),
        )
        self._add(row, role, since, member_id)

    def team(self, t: Team, role: str, since: object = None, member_id: int | None = None) -> None:
        row = self.rows.setdefault(
            ("team", t.pk),
            CareTeamRow(
                t.name, t.get_service_display(), t.organisation.name, "team", pk=t.pk, organisation_id=t.organisation_id
            ),
        )
        self._add(row, role, since, member_id)

    @staticmethod
    def _add(row: CareTeamRow, role: str, since: object, member_id: int | None) -> None:
        if role not in row.roles:
            row.roles.append(role)
        day = timezone.localtime(since).date() if isinstance(since, datetime) else since
        if isinstance(day, date) and (row.since is None or day < row.since):
            row.since = day
        row.member_id = row.member_id or member_id


_PEOPLE = ("organisation",)


def care_team(client: Client) -> list[CareTeamRow]:
    built = _Builder()
    current = (
        Accountability.objects.filter(client=client, until__isnull=True)
        .select_related("team__organisation", "lead_professional__organisation", "team__duty_worker__organisation")
        .first()
    )
    if current is not None:
        built.team(current.team, "Accountable team", current.since)
        if current.lead_professional is not None:
            built.person(current.lead_professional, "Lead professional", current.since)
        elif current.team.duty_worker is not None:
            built.person(current.team.duty_worker, "Duty worker (no lead professional named)", current.since)
    since = timezone.now() - timedelta(days=REFERRAL_SERVICE_DAYS)
    for r in Referral.objects.filter(
        client=client, state="accepted", kind="request_for_service", decided_at__gte=since
    ).select_related("receiving_team__organisation", "work_owner__organisation"):
        built.team(r.receiving_team, f"Service by referral #{r.pk}", r.decided_at)
        if r.work_owner is not None:
            built.person(r.work_owner, f"Works on referral #{r.pk}", r.decided_at)
    _from_plan(built, client)
    _from_visits(built, client)
    for task in Task.objects.filter(client=client, status__in=OPEN_TASK_STATUSES).select_related(
        "owner_practitioner__organisation", "owner_team__organisation"
    )[:50]:
        if task.owner_practitioner is not None:
            built.person(task.owner_practitioner, f"Owner of an open task: {task.title}")
        elif task.owner_team is not None:
            built.team(task.owner_team, f"Owner of an open task: {task.title}")
    today = timezone.localdate()
    for m in CareTeamMember.objects.filter(Q(until__isnull=True) | Q(until__gt=today), client=client).select_related(
        "practitioner__organisation", "team__organisation"
    ):
        if m.practitioner is not None:
            built.person(m.practitioner, m.role, m.since, m.pk)
        elif m.team is not None:
            built.team(m.team, m.role, m.since, m.pk)
    return sorted(built.rows.values(), key=lambda row: (row.kind != "team", row.since or date.max, row.name))


def _from_plan(built: _Builder, client: Client) -> None:
    interventions = Intervention.objects.filter(
        plan__client=client, plan__status=PlanStatus.ACTIVE, ended_in__isnull=True
    ).select_related("team__organisation", "practitioner__organisation", "plan")
    for i in interventions:
        role = f"Care plan: {i.description[:80]}"
        built.team(i.team, role, i.plan.created_at)
        if i.practitioner is not None:
            built.person(i.practitioner, role, i.plan.created_at)


def _from_visits(built: _Builder, client: Client) -> None:
    since = timezone.now() - timedelta(days=VISIT_DAYS)
    visits = (
        Visit.objects.filter(client=client, starts_at__gte=since)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("practitioner__organisation")
        .order_by("starts_at")
    )
    now = timezone.now()
    for v in visits:
        upcoming = v.starts_at >= now and v.status == VisitStatus.PLANNED
        role = f"Visits (next {timezone.localtime(v.starts_at):%d %B})" if upcoming else "Visits"
        row = built.rows.get(("person", v.practitioner_id))
        if row is not None and upcoming and "Visits" in row.roles:
            row.roles.remove("Visits")
        if row is None or not any(r.startswith("Visits (next") for r in row.roles):
            built.person(v.practitioner, role, v.starts_at)
