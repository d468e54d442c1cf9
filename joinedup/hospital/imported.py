"""Hospital stays learnt by another channel than the HL7 feed (a FHIR import), through the feed's own pipeline.

Each happening of a stay (admitted, moved, discharged) comes with what identifies it at its source,
and is applied once, exactly as a feed message is: its identity is stored as a FeedMessage, so
bringing the same stay again applies nothing twice. Spells, the journey, the timeline, follow-up
rules, bounce detection, admission hooks and feed exceptions are the feed's (hospital.ingest).
The client is the one the sender identified (imported clients may have no NHS number).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from joinedup.hospital.adt.mapping import Received
from joinedup.hospital.events import FeedEvent
from joinedup.hospital.ingest import Outcome, apply_batch


@dataclass(frozen=True)
class HappeningElsewhere:
    client_id: int
    key: str  # what identifies this happening at its source: "Encounter/12|discharge"
    channel: str  # how it came: "FHIR Encounter"
    text: str  # the source, kept with the stored message
    event: FeedEvent


def apply_happenings(happenings: list[HappeningElsewhere], *, now: datetime | None = None) -> list[Outcome]:
    """Apply them in order, in one batch of the feed (in the caller's transaction, if any): one
    outcome each; `repeat` for a happening applied before."""
    received = [
        Received(
            h.text,
            None,
            h.event.facility[:180],
            h.key[:199],
            hashlib.blake2b(h.key.encode(), digest_size=16).hexdigest(),  # the identity, not the content
            h.channel[:40],
            h.event,
            client_id=h.client_id,
        )
        for h in happenings
    ]
    return apply_batch(received, now=now) if received else []
