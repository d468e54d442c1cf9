"""What the client record page shows, built from what clients.queries returned: no further reads.

The care team is derived for now: the accountable team, who answers in it
(the lead professional, or the duty worker while none is named), and the
owners of open tasks about the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from joinedup.clients.models import Accountability, Client, EmergencyAccess, Need, NeedStatus
from joinedup.clients.queries import ClientRecord
from joinedup.core.access import Actor
from joinedup.tasks.queries import TaskRow

RECENT_EMERGENCY_ACCESS = timedelta(days=7)
EMERGENCY_RELATIONSHIP = "emergency access"


def answers_for(actor: Actor, client: Client) -> bool:
    """Whether the actor is in the accountable team or the client's locality MDT.

    The same test clients.services.change_accountability and
    clients.queries.access_history apply: used here only to offer what they allow.
    """
    return client.accountable_team_id in actor.team_ids or client.locality_id in actor.mdt_locality_ids


def answering(client: Client) -> str:
    """Who answers for the client: the lead professional, or the duty worker while none is named."""
    if client.lead_professional is not None:
        return client.lead_professional.display_name
    duty = client.accountable_team.duty_worker
    if duty is None:
        return "Nobody: the team has no duty worker and no lead professional is named"
    return f"{duty.display_name}, the team's duty worker, while no lead professional is named"


@dataclass
class RecordPage:
    """Everything the record page shows, in the order it shows it."""

    record: ClientRecord
    tasks: list[TaskRow]
    actor: Actor
    current: Accountability | None = None
    earlier: list[Accountability] = field(default_factory=list)
    open_needs: list[Need] = field(default_factory=list)
    closed_needs: list[Need] = field(default_factory=list)

    def __post_init__(self) -> None:
        rows = self.record.accountability
        self.current = next((row for row in rows if row.until is None), None)
        self.earlier = [row for row in rows if row is not self.current]
        self.open_needs = [need for need in self.record.needs if need.status == NeedStatus.OPEN]
        self.closed_needs = [need for need in self.record.needs if need.status != NeedStatus.OPEN]

    @property
    def client(self) -> Client:
        return self.record.client

    @property
    def answering(self) -> str:
        return answering(self.client)

    @property
    def answers_for(self) -> bool:
        return answers_for(self.actor, self.client)

    @property
    def emergency_grant(self) -> EmergencyAccess | None:
        """The viewer's own live emergency access, when that is what lets them see the record."""
        if not self.record.relationship.startswith(EMERGENCY_RELATIONSHIP):
            return None
        now = timezone.now()
        mine = (g for g in self.record.emergency_accesses if g.practitioner_id == self.actor.user_id)
        return next((g for g in mine if g.expires_at > now), None)

    @property
    def recent_emergency_accesses(self) -> list[EmergencyAccess]:
        """Shown to those who answer for the client: who broke the glass in the last week."""
        if not self.answers_for:
            return []
        since = timezone.now() - RECENT_EMERGENCY_ACCESS
        return [g for g in self.record.emergency_accesses if g.started_at >= since]

    @property
    def open_tasks(self) -> list[TaskRow]:
        return [row for row in self.tasks if row.task.is_open]

    @property
    def closed_tasks(self) -> list[TaskRow]:
        return [row for row in self.tasks if not row.task.is_open]
