"""The corpus's ordered scenario folders, replayed in filename order: the spells end in the right state.

Each folder tells one person's stay (cancel admit, cancel discharge, cancel
transfer, moves, a double admission...). Its messages carry a dummy NHS number
(999 999 9999, which JoinedUp refuses: never issued), so each folder is played
twice:
- as sent: every message is refused or held for a person, and no spell exists;
- as the same person with a real NHS number and one date of birth throughout
  (PID-3 and PID-7 rewritten, nothing else): the spells must end as a simple,
  independent reading of the story says (`expected_story` below), and the
  folders named for a kind of cancel must show that cancel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from joinedup.hospital.adt.mapping import read, read_message
from joinedup.hospital.adt.parser import Message, parse_message
from joinedup.hospital.adt.text import decode
from joinedup.hospital.ingest import apply_batch
from joinedup.hospital.models import FeedException, Spell, SpellEvent
from tests.factories import VALID_NHS_NUMBERS, client_in
from tests.hl7_corpus import scenario_folders

pytestmark = pytest.mark.django_db
NUMBER = VALID_NHS_NUMBERS[5]
BORN = "19400517"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def as_one_person(text: str) -> str:
    """The message with PID-3's NHS number set to NUMBER (added if missing) and PID-7 to BORN."""
    message = parse_message(text)
    d = message.delimiters
    pid = message.first("PID")
    assert pid is not None
    while len(pid) < 8:
        pid.append("")
    kept = [r for r in message.repetitions(pid, 3) if "NHS" not in r.upper()]
    pid[3] = d.repetition.join([*kept, d.component.join([NUMBER, "", "", "NHS", "NH"])])
    pid[7] = BORN
    return message.to_er7()


@dataclass
class Stay:
    visit: str
    status: str
    location: str
    opened_by: str
    earlier: list[str] = field(default_factory=list)


def expected_story(messages: list[Message]) -> tuple[list[Stay], list[str]]:
    """A plain reading of the story, one message at a time: the stays, and the code each message gets."""
    stays: list[Stay] = []
    codes = []
    for message in messages:
        msh, pv1 = message.first("MSH"), message.first("PV1")
        trigger = message.value(msh, 9, 1, 2)
        visit = message.value(pv1, 19)
        where = " / ".join(p for p in (message.value(pv1, 3, 1, c).strip() for c in (1, 2, 3)) if p)

        def latest(*statuses: str, visit: str = visit) -> Stay | None:
            found = [s for s in stays if s.status in statuses and (not visit or not s.visit or s.visit == visit)]
            return found[-1] if found else None

        code = "AA"
        if trigger in ("A01", "A04"):
            stay = latest("admitted")
            late = latest("discharged")
            if stay is not None:
                stay.location = where or stay.location
            elif not (late and late.opened_by in ("A03", "A02")):
                stays.append(Stay(visit, "admitted", where, trigger))
        elif trigger == "A02":
            stay = latest("admitted")
            if stay is None:
                stay = Stay(visit, "admitted", "", "A02")
                stays.append(stay)
            stay.earlier.append(stay.location)
            stay.location = where
        elif trigger == "A03":
            stay = latest("admitted")
            if stay is None:
                stay = Stay(visit, "admitted", "", "A03")
                stays.append(stay)
            stay.status, stay.location = "discharged", where or stay.location
        elif trigger == "A08":
            stay = latest("admitted")
            if stay is not None:
                stay.location = where or stay.location
        elif trigger == "A11":
            stay = latest("admitted")
            code = "AE" if stay is None else "AA"
            if stay is not None:
                stay.status = "cancelled"
        elif trigger == "A12":
            stay = latest("admitted")
            code = "AE" if stay is None or not stay.earlier else "AA"
            if code == "AA":
                assert stay is not None
                stay.location = stay.earlier.pop()
        elif trigger == "A13":
            stay = latest("discharged")
            code = "AE" if stay is None else "AA"
            if stay is not None:
                stay.status = "admitted"
        else:
            code = "AR"
        codes.append(code)
    return stays, codes


@pytest.mark.parametrize("folder", scenario_folders(), ids=lambda f: f"{f.parent.name}/{f.name}")
def test_a_scenario_with_its_dummy_nhs_number_is_held_and_changes_no_spell(feed, folder: Path) -> None:
    for path in _files(folder):
        outcomes = apply_batch(read(path.read_bytes())[0])
        assert all(o.code in ("AE", "AR") for o in outcomes), path.name
    assert Spell.objects.count() == 0
    assert FeedException.objects.count() == len(_files(folder))


@pytest.mark.parametrize("folder", scenario_folders("ADT"), ids=lambda f: f"{f.parent.name}/{f.name}")
def test_a_scenario_leaves_the_spells_in_the_right_state(feed, folder: Path) -> None:
    client = client_in(feed.b, nhs_number=NUMBER)
    messages = [parse_message(as_one_person(decode(p.read_bytes()))) for p in _files(folder)]
    assert f"{client.date_of_birth:%Y%m%d}" == BORN
    stays, codes = expected_story(messages)
    got = [apply_batch([read_message(message)])[0].code for message in messages]
    assert got == codes
    spells = list(Spell.objects.filter(client=client).order_by("id"))
    assert [(s.status, s.location) for s in spells] == [(s.status, s.location) for s in stays]
    _named_kind(folder.name, spells)


def _named_kind(name: str, spells: list[Spell]) -> None:
    """What a folder named for a kind of cancel must show, whatever its files."""
    changes = set(SpellEvent.objects.filter(spell__in=spells).values_list("change", flat=True))
    if name == "CancelAdmit":
        assert "admission_cancelled" in changes
        assert any(s.status == "cancelled" for s in spells)
    elif name == "CancelDischarge":
        assert "discharge_cancelled" in changes
    elif name == "CancelTransfer":
        assert "move_cancelled" in changes
