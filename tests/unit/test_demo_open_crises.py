"""The demo's crises open now: every locality drawn gets one when it can, so every MDT's next agenda
proposes a crisis; the sample is only reordered, never redrawn."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from joinedup.demo.crisis import open_in_every_locality

OPEN_NOW = 6
samples = st.lists(st.tuples(st.integers(1, 50), st.sampled_from([1, 2, 3, 4]), st.none()), max_size=30)


@given(samples)
def test_the_sample_is_reordered_never_changed(clients):
    assert Counter(open_in_every_locality(clients, OPEN_NOW)) == Counter(clients)


@given(samples)
def test_every_locality_drawn_has_an_open_crisis_when_there_are_enough(clients):
    localities = {locality for _, locality, _ in clients}
    opened = {locality for _, locality, _ in open_in_every_locality(clients, OPEN_NOW)[:OPEN_NOW]}
    if len(clients) >= OPEN_NOW and len(localities) <= OPEN_NOW:
        assert opened == localities


@given(samples)
def test_a_sample_with_one_everywhere_already_is_left_alone(clients):
    if {c[1] for c in clients[:OPEN_NOW]} == {c[1] for c in clients}:
        assert open_in_every_locality(clients, OPEN_NOW) == clients


def test_a_locality_missing_from_the_open_crises_trades_places():
    clients = [(1, 1, None), (2, 1, None), (3, 2, None), (4, 3, None)]
    assert open_in_every_locality(clients, 2) == [(1, 1, None), (3, 2, None), (2, 1, None), (4, 3, None)]
