"""fhir.stays: what an imported Encounter says happened in a hospital stay (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from joinedup.fhir.stays import happenings, stay_identity
from joinedup.hospital.events import Happening

STATUSES = ("planned", "arrived", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown")
START = datetime(2024, 3, 4, 10, tzinfo=UTC)


def encounter(status: str, klass: str, wards: list[str], hours: list[int], end: int | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": status,
        "class": {"code": klass},
        "period": {"start": START.isoformat()},
        "location": [
            {"location": {"display": ward}, "period": {"start": (START + timedelta(hours=h)).isoformat()}}
            for ward, h in zip(wards, hours, strict=False)
        ],
    }
    if end is not None:
        resource["period"]["end"] = (START + timedelta(hours=end)).isoformat()
    return resource


@given(
    status=st.sampled_from(STATUSES),
    klass=st.sampled_from(("IMP", "AMB", "EMER")),
    wards=st.lists(st.sampled_from(("Ward 1", "Ward 2", "Ward 3")), max_size=4),
    hours=st.lists(st.integers(0, 200), min_size=4, max_size=4),
    end=st.none() | st.integers(0, 300),
)
def test_a_stay_is_admitted_first_moved_in_order_and_discharged_last_only_when_finished(
    status: str, klass: str, wards: list[str], hours: list[int], end: int | None
) -> None:
    found = happenings(encounter(status, klass, wards, hours, end))
    if klass != "IMP" or status in ("cancelled", "entered-in-error", "unknown"):
        assert found == []
        return
    kinds = [h.event.happening for h in found]
    assert len({h.key for h in found}) == len(found)  # each happening applied once, by its key
    assert all(h.event.facility == "FHIR import" and h.event.visit_number == "e1" for h in found)
    if status == "planned":
        assert kinds == [Happening.PRE_ADMISSION]
        return
    assert kinds[0] is Happening.ADMISSION and found[0].event.occurred_at == START
    assert set(kinds[1:-1]) <= {Happening.TRANSFER}
    assert (kinds[-1] is Happening.DISCHARGE) == (status == "finished" and end is not None)
    moves = [h.event.occurred_at for h in found if h.event.happening is Happening.TRANSFER]
    assert moves == sorted(moves)


def test_the_stay_is_keyed_on_the_official_identifier_of_its_source() -> None:
    resource = {"id": "e1", "identifier": [{"system": "https://a", "value": "1"},
                                           {"use": "official", "system": "https://b", "value": "2"}]}  # fmt: skip
    assert stay_identity(resource) == ("https://b", "2")
    assert stay_identity({"id": "x" * 80})[1] != "x" * 60 and len(stay_identity({"id": "x" * 80})[1]) == 60
    assert happenings({**encounter("finished", "IMP", [], [], 5), "period": {"start": "yesterday"}}) == []
