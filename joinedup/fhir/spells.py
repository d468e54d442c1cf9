"""Imported inpatient Encounters become hospital spells, through the hospital feed's own pipeline.

In the import's transaction: each Encounter's happenings (fhir.stays) are applied in time order per
client by hospital.imported, so the follow-up rules and bounce detection run on imported history,
and a happening applied once (its key: source system, encounter id, happening) is never applied
again. Non-inpatient Encounters stay source data only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from joinedup.fhir import stays
from joinedup.hospital.adt import ack
from joinedup.hospital.imported import HappeningElsewhere, apply_happenings

if TYPE_CHECKING:
    from joinedup.fhir.preparing import Prepared

CHANNEL = "FHIR Encounter"
Stay = tuple["Prepared", int, list[stays.Happened]]  # an inpatient Encounter, its client, its happenings


@dataclass
class Made:
    spells: int = 0  # stays whose admission (or expected admission) was applied now
    held: int = 0  # happenings held on the feed exceptions worklist
    problems: list[str] = field(default_factory=list)


def stay_of(item: Prepared) -> list[stays.Happened]:
    """What happened in the stay an imported resource records: nothing unless an inpatient Encounter."""
    if item.resource_type != "Encounter" or item.category != stays.INPATIENT:
        return []
    return stays.happenings(orjson.loads(item.data))


def spells_from_encounters(found: list[Stay]) -> Made:
    """Apply the happenings of these inpatient Encounters (each with its client's id)."""
    made = Made()
    waiting: list[tuple[HappeningElsewhere, Prepared]] = []
    for item, client_id, happened_there in found:
        text = item.data.decode()
        for happened in happened_there:
            waiting.append((HappeningElsewhere(client_id, happened.key, CHANNEL, text, happened.event), item))
    waiting.sort(key=lambda pair: (pair[0].client_id, pair[0].event.occurred_at))  # stable: a stay's order kept
    outcomes = apply_happenings([happening for happening, _ in waiting])
    for (happening, item), outcome in zip(waiting, outcomes, strict=True):
        if outcome.repeat:
            continue
        if outcome.code != ack.ACCEPT:
            made.held += 1
            made.problems.append(f"{item.file}, {item.position}: {happening.key} held on the feed exceptions worklist")
        elif happening.key.endswith(("|admission", "|expected")):
            made.spells += 1
    return made
