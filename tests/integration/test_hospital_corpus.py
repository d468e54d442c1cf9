"""The whole HL7 corpus through the feed: every message acknowledged as HL7 says, never a crash.

What MANIFEST.csv says of each file decides what is acceptable:
- malformed input (fuzzed, broken batches): AE or AR, never AA;
- a valid ADT message of a trigger JoinedUp takes: AA, or AE when it cannot take
  effect by itself (no or an invalid NHS number, an unknown person, nothing to
  cancel), always with an ERR segment saying why;
- anything else (other message types, other triggers): AR with an ERR segment;
- every message that is not AA, and every merge, is on the feed exceptions
  worklist of the integration team (invariant 4), and changed no spell.
"""

from __future__ import annotations

import pytest

from joinedup.hospital.adt.mapping import TRIGGERS, read
from joinedup.hospital.adt.parser import parse_message
from joinedup.hospital.events import Happening
from joinedup.hospital.ingest import apply_batch
from joinedup.hospital.models import FeedException, FeedMessage, Spell
from tests.hl7_corpus import corpus_files

pytestmark = pytest.mark.django_db
SUPPORTED = {f"ADT^{t}" for t, h in TRIGGERS.items() if h is not Happening.MERGE}
MERGES = {f"ADT^{t}" for t, h in TRIGGERS.items() if h is Happening.MERGE}


def _msa(ack: str) -> tuple[str, str]:
    message = parse_message(ack)
    msa = message.first("MSA")
    return message.value(msa, 1), message.value(msa, 2)


def _allowed(entry, received) -> set[str]:
    if entry.is_malformed:
        return {"AE", "AR"}
    message_type = received.message_type.split("^")[:2]
    kind = "^".join(message_type).upper()
    if received.message is None or (received.refusal and received.refusal.ack_code == "AR"):
        return {"AR"} if not entry.expected.startswith("valid") or kind not in SUPPORTED else {"AR", "AE"}
    if kind in MERGES:
        return {"AA"}
    return {"AA", "AE"} if kind in SUPPORTED else {"AR"}


def test_every_corpus_message_is_acknowledged_as_hl7_says(feed) -> None:
    failures = []
    for entry in corpus_files():
        received, _ = read(entry.path.read_bytes())
        outcomes = apply_batch(received)
        assert len(outcomes) == len(received)
        for item, outcome in zip(received, outcomes, strict=True):
            code, echoed = _msa(outcome.ack)
            if code != outcome.code or code not in _allowed(entry, item):
                failures.append(f"{entry.relative}: {code} (expected {_allowed(entry, item)}; {entry.expected})")
            if echoed != item.control_id:
                failures.append(f"{entry.relative}: MSA-2 {echoed!r} is not MSH-10 {item.control_id!r}")
            if code != "AA" and "ERR" not in outcome.ack.split("\r")[2][:3]:
                failures.append(f"{entry.relative}: {code} without an ERR segment")
    assert failures == []
    held = FeedMessage.objects.exclude(outcome="applied")
    assert held.count() == FeedException.objects.count() > 300
    assert set(FeedException.objects.values_list("owner_team", flat=True)) == {feed.integration.pk}
    assert not Spell.objects.filter(messages__outcome__in=["held", "rejected"]).exists()


@pytest.mark.parametrize("entry", [e for e in corpus_files() if e.is_malformed], ids=lambda e: e.relative)
def test_malformed_input_is_refused_and_recorded(feed, entry) -> None:
    received, _ = read(entry.path.read_bytes())
    outcomes = apply_batch(received)
    assert outcomes and all(o.code in ("AE", "AR") for o in outcomes)
    assert FeedException.objects.count() == len({(r.facility, r.control_id, r.digest) for r in received})
    assert Spell.objects.count() == 0


def test_a_resent_corpus_file_changes_nothing_the_second_time(feed) -> None:
    for entry in corpus_files()[:120]:
        data = entry.path.read_bytes()
        first = apply_batch(read(data)[0])
        before = (FeedMessage.objects.count(), FeedException.objects.count(), Spell.objects.count())
        again = apply_batch(read(data)[0])
        assert [o.ack for o in again] == [o.ack for o in first], entry.relative
        assert all(o.repeat for o in again)
        assert (FeedMessage.objects.count(), FeedException.objects.count(), Spell.objects.count()) == before
