"""The roles a practitioner can hold. Each role is a Django group of the same name."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"  # front-line work with clients they have a relationship with
    SUPPORT_WORKER = "support_worker"  # voluntary and housing staff: relationship only, no emergency access
    TEAM_MANAGER = "team_manager"
    MDT_COORDINATOR = "mdt_coordinator"
    ON_CALL = "on_call"
    COMMISSIONER = "commissioner"  # reports only: never identifiable client records
    SYSTEM_ADMINISTRATOR = "system_administrator"  # directory and rules: never client records
    # Reviews access alerts from the audit log (emergency access, unusual viewing): never client records.
    INFORMATION_GOVERNANCE_LEAD = "information_governance_lead"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize().replace("Mdt", "MDT")


# Roles whose holders may see client records at all (given a legitimate relationship).
CLIENT_CARE_ROLES = frozenset(
    {Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.TEAM_MANAGER, Role.MDT_COORDINATOR, Role.ON_CALL}
)
