"""Encounter: hospital spells (id "<id>") and the Encounters imported from other systems ("source-<id>").

A spell is served as the stay it records: class IMP (an attendance: EMER or AMB), its period, the
wards it went through (from the journey), the discharge destination and the diagnoses recorded.
Imported inpatient Encounters became spells (ADR 0042) and are served as those; other imported
Encounters are served as they came.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Substr

from joinedup.core.access import Actor
from joinedup.core.errors import NotFound
from joinedup.fhir import queries
from joinedup.fhir.mappers.common import PATIENT_PARAMETER, Mapper, period, reference, text, without_empty
from joinedup.fhir.mappers.source import PREFIX, read_source
from joinedup.fhir.mappers.source import to_fhir as source_to_fhir
from joinedup.fhir.models import SourceResource
from joinedup.fhir.registry import BadRequest, Page, Search, SearchParameter
from joinedup.fhir.search import date_criterion, reference_id, token
from joinedup.fhir.stays import LONDON
from joinedup.hospital.models import Spell, SpellEvent
from joinedup.hospital.spells import Change, SpellKind, destination_words

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CLASSES = {"IMP": "inpatient encounter", "EMER": "emergency", "AMB": "ambulatory"}
STATUS = {"expected": "planned", "admitted": "in-progress", "discharged": "finished", "cancelled": "cancelled"}
ALL_STATUSES = ("planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
                "entered-in-error", "unknown")  # fmt: skip
_MOVES = (Change.ADMITTED, Change.REGISTERED, Change.MOVED, Change.ADMISSION_AFTER_DISCHARGE)


def class_of(spell: Spell) -> str:
    if spell.kind == SpellKind.INPATIENT:
        return "IMP"
    return "EMER" if spell.patient_class.upper() in ("E", "EMER") else "AMB"


def _locations(spell: Spell) -> list[dict[str, Any]]:
    """The wards of the stay in order, each from when the journey says it was entered."""
    places = [p for p in [*spell.earlier_locations, spell.location] if p]
    moves = [(e.occurred_at, e.location) for e in spell.events.all() if e.change in _MOVES and e.location]
    starts: list[datetime | None] = []
    for index, place in enumerate(places):
        known = [at for at, where in moves if where == place]
        starts.append(spell.admitted_at if index == 0 else (known[-1] if known else None))
    found = []
    for index, place in enumerate(places):
        last = index == len(places) - 1
        end = spell.discharged_at if last else starts[index + 1]
        status = "active" if last and spell.status in ("admitted", "expected") else "completed"
        if spell.status == "expected":
            status = "planned"
        found.append(
            without_empty({"location": {"display": place}, "status": status, "period": period(starts[index], end)})
        )
    return found


def spell_to_fhir(spell: Spell) -> dict[str, Any]:
    klass = class_of(spell)
    destination = spell.discharge_destination
    return without_empty(
        {
            "resourceType": "Encounter",
            "id": str(spell.pk),
            "identifier": [{"value": spell.visit_number, "assigner": {"display": spell.facility}}]
            if spell.visit_number
            else [],
            "status": STATUS[spell.status],
            "class": {"system": ACT_CODE, "code": klass, "display": CLASSES[klass]},
            "subject": reference("Patient", spell.client_id),
            "participant": [{"individual": {"display": spell.consultant}}] if spell.consultant else [],
            "period": period(spell.admitted_at or spell.expected_at, spell.discharged_at),
            "diagnosis": [{"condition": {"display": f"{d.code} {d.text}".strip()}} for d in spell.diagnoses.all()],
            "hospitalization": {"dischargeDisposition": text(destination_words(destination))} if destination else None,
            "location": _locations(spell),
            "serviceProvider": {"display": spell.facility} if spell.facility else None,
        }
    )


def spells() -> QuerySet[Spell]:
    journey = SpellEvent.objects.filter(change__in=_MOVES).order_by("occurred_at", "id")
    return Spell.objects.prefetch_related(Prefetch("events", queryset=journey), "diagnoses")


def _imported(actor: Actor) -> QuerySet[SourceResource]:
    """Imported Encounters that did not become spells."""
    return queries.source_resources(actor, "Encounter").exclude(mapped_to="Spell")


def _day(value: str) -> tuple[str, datetime, datetime]:
    prefix, day = date_criterion(value)
    start = datetime.combine(day, time(), LONDON)
    return prefix, start, start + timedelta(days=1)


def _spell_dates(rows: QuerySet[Spell], value: str) -> QuerySet[Spell]:
    """A stay matches a day it overlaps (eq), or that it reaches after (gt, ge) or before (lt, le)."""
    prefix, low, high = _day(value)
    rows = rows.annotate(began=Coalesce("admitted_at", "expected_at", "discharged_at"))
    ongoing = Q(discharged_at__isnull=True)
    overlaps = Q(began__lt=high) & (ongoing | Q(discharged_at__gte=low))
    match = {
        "eq": overlaps,
        "ne": ~overlaps,
        "gt": ongoing | Q(discharged_at__gte=high),
        "ge": ongoing | Q(discharged_at__gte=low),
        "lt": Q(began__lt=low),
        "le": Q(began__lt=high),
    }[prefix]
    return rows.filter(match)


def _source_dates(rows: QuerySet[SourceResource], value: str) -> QuerySet[SourceResource]:
    prefix, day = date_criterion(value)
    rows = rows.annotate(
        began=Substr(KT("content__period__start"), 1, 10), ended=Substr(KT("content__period__end"), 1, 10)
    )
    iso = day.isoformat()
    ongoing = Q(ended__isnull=True)
    overlaps = Q(began__lte=iso) & (ongoing | Q(ended__gte=iso))
    match = {
        "eq": overlaps,
        "ne": ~overlaps,
        "gt": ongoing | Q(ended__gt=iso),
        "ge": ongoing | Q(ended__gte=iso),
        "lt": Q(began__lt=iso),
        "le": Q(began__lte=iso),
    }[prefix]
    return rows.filter(match)


def _class(value: str) -> str:
    system, code = token(value)
    if system not in (None, ACT_CODE) or not code:
        raise BadRequest(f"Encounter class is a code of {ACT_CODE}, such as IMP")
    return code


def _spell_class(rows: QuerySet[Spell], code: str) -> QuerySet[Spell]:
    if code == "IMP":
        return rows.filter(kind=SpellKind.INPATIENT)
    emergency = Q(patient_class__iexact="E") | Q(patient_class__iexact="EMER")
    if code == "EMER":
        return rows.filter(emergency, kind=SpellKind.ATTENDANCE)
    return rows.filter(kind=SpellKind.ATTENDANCE).exclude(emergency) if code == "AMB" else rows.none()


def _filtered(actor: Actor, search: Search) -> tuple[QuerySet[Spell], QuerySet[SourceResource]]:
    stays = spells().filter(client__in=queries.scoped_clients(actor))
    imported = _imported(actor)
    for value in search.values.get("patient", []):
        client_id = reference_id(value, "Patient")
        stays = stays.filter(client_id=client_id) if client_id.isdigit() else stays.none()
        imported = imported.filter(client_id=client_id) if client_id.isdigit() else imported.none()
    for value in search.values.get("status", []):
        if value not in ALL_STATUSES:
            raise BadRequest(f"{value!r} is not an Encounter status (planned, in-progress, finished...)")
        stays = stays.filter(status__in=[s for s, v in STATUS.items() if v == value])
        imported = imported.filter(content__status=value)
    for value in search.values.get("class", []):
        code = _class(value)
        stays, imported = _spell_class(stays, code), imported.filter(category=code)
    for value in search.values.get("date", []):
        stays, imported = _spell_dates(stays, value), _source_dates(imported, value)
    return stays, imported


class EncounterMapper(Mapper):
    resource_type = "Encounter"
    documentation = (
        "Hospital spells (<id>; imported inpatient Encounters became spells) and other imported Encounters "
        "(source-<id>)."
    )
    search_parameters = (
        PATIENT_PARAMETER,
        SearchParameter("date", "date", "A day the stay overlaps (YYYY-MM-DD; prefixes eq, ne, gt, lt, ge, le)"),
        SearchParameter("class", "token", f"{ACT_CODE}|IMP (inpatient), EMER, AMB"),
        SearchParameter("status", "token", "planned, in-progress, finished, cancelled..."),
    )
    serves_imported = True

    def read(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        if resource_id.startswith(PREFIX):
            return read_source(actor, "Encounter", resource_id)
        spell = spells().filter(pk=queries.numeric_id(resource_id)).first()
        if spell is None:
            raise NotFound("encounter")
        queries.client_for_read(actor, spell.client_id, f"Encounter/{spell.pk}")
        return spell_to_fhir(spell)

    def search(self, actor: Actor, search: Search) -> Page:
        """Spells first, then imported Encounters, each in client order; `_offset` runs over both."""
        stays, imported = _filtered(actor, search)
        end = search.offset + search.count + 1
        both: list[Any] = list(stays.order_by("client_id", "admitted_at", "id")[:end])
        both += list(imported.order_by("client_id", "id")[: max(end - len(both), 0)])
        window = both[search.offset : search.offset + search.count]
        queries.audited(actor, [(type(r).__name__, r.pk, r.client_id) for r in window], "FHIR Encounter search")
        resources = [spell_to_fhir(r) if isinstance(r, Spell) else source_to_fhir(r) for r in window]
        return Page(resources, more=len(both) > search.offset + search.count)

    def of_client(self, actor: Actor, client: Any) -> list[dict[str, Any]]:
        imported = SourceResource.objects.filter(client=client, resource_type="Encounter").exclude(mapped_to="Spell")
        stays = spells().filter(client=client).order_by("admitted_at", "id")
        return [spell_to_fhir(s) for s in stays] + [source_to_fhir(r) for r in imported.order_by("id")]
