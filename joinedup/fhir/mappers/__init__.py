"""The resource mappers: each module maps one FHIR resource type to and from JoinedUp's records.

A new resource type is a module here and one line below.
"""

from __future__ import annotations

from joinedup.fhir.registry import ResourceMapper, register


def register_all() -> None:
    """Register every mapper (called once, from FhirConfig.ready)."""
    from joinedup.fhir.mappers.accountability import CareTeamMapper, EpisodeOfCareMapper
    from joinedup.fhir.mappers.audit_events import AuditEventMapper
    from joinedup.fhir.mappers.careplans import CarePlanMapper, GoalMapper
    from joinedup.fhir.mappers.conditions import ConditionMapper
    from joinedup.fhir.mappers.consent import ConsentMapper
    from joinedup.fhir.mappers.directory import OrganizationMapper, PractitionerMapper
    from joinedup.fhir.mappers.encounters import EncounterMapper
    from joinedup.fhir.mappers.flags import FlagMapper
    from joinedup.fhir.mappers.patient import PatientMapper
    from joinedup.fhir.mappers.referrals import ServiceRequestMapper
    from joinedup.fhir.mappers.tasks import TaskMapper

    found: tuple[ResourceMapper, ...] = (
        PatientMapper(),
        PractitionerMapper(),
        OrganizationMapper(),
        EpisodeOfCareMapper(),
        CareTeamMapper(),
        ServiceRequestMapper(),
        TaskMapper(),
        ConditionMapper(),
        EncounterMapper(),
        FlagMapper(),
        ConsentMapper(),
        AuditEventMapper(),
        CarePlanMapper(),
        GoalMapper(),
    )
    for mapper in found:
        register(mapper)
