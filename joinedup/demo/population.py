"""Synthetic clients of the demo borough, drawn in batches of rows, deterministic for a seed.

One `random.Random(seed)` stream draws everything in client order (no global
random state), so the same seed, number of clients and as-of day give the same
people, needs, accountability and tasks whatever the batch size or database.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate

from joinedup.clients.models import ClientStatus
from joinedup.core.nhs_number import check_digit
from joinedup.demo import names
from joinedup.demo.borough import BOROUGH
from joinedup.demo.casework import Casework, Draft
from joinedup.demo.plan import LocalityPlan, Plan, TeamPlan
from joinedup.demo.tables import Batch, Ids

# The 999 range holds about 909,000 valid numbers (1 stem in 11 has no check digit).
NHS_NUMBER_CAPACITY = 900_000
WITHOUT_NHS_NUMBER = 0.02
CHILD, WORKING_AGE = 0.04, 0.20  # shares of the population; the rest are 65 and over
INACTIVE = 0.02
# Which team answers for an adult, by age group: (team key or locality team suffix, weight).
_ADULT_PATHWAYS = (
    ("therapy", 20), ("district_nursing", 12), ("social_work", 25), ("cmht", 30),
    ("reablement", 6), ("rapid_response", 2), ("mdt", 2), ("memory", 3),
)  # fmt: skip
_OLDER_PATHWAYS = (
    ("therapy", 24), ("district_nursing", 24), ("social_work", 18), ("cmht", 5),
    ("reablement", 10), ("memory", 12), ("rapid_response", 4), ("mdt", 3),
)  # fmt: skip


class SyntheticNhsNumbers:
    """Distinct NHS numbers 999 nnn nnn c, valid by modulus 11, in an order set by the seed.

    The six middle digits walk an affine permutation of 0..999,999, skipping
    stems whose check digit would be 10 and the never-issued 999 999 9999.
    """

    SPACE = 1_000_000

    def __init__(self, rng: random.Random) -> None:
        step = rng.randrange(1, self.SPACE)
        while step % 2 == 0 or step % 5 == 0:  # coprime with 10**6: every stem exactly once
            step += 1
        self.step, self.offset, self.counter = step, rng.randrange(self.SPACE), 0

    def next(self) -> str | None:
        while self.counter < self.SPACE:
            middle = (self.step * self.counter + self.offset) % self.SPACE
            self.counter += 1
            stem = f"999{middle:06d}"
            digit = check_digit(stem)
            if digit is not None and not (middle == 999_999 and digit == 9):
                return f"{stem}{digit}"
        return None


def _cumulative(pathways: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], list[int]]:
    return tuple(key for key, _ in pathways), list(accumulate(weight for _, weight in pathways))


class Population:
    """Draws clients one after another; `batches` yields their rows, table by table."""

    def __init__(self, plan: Plan, seed: int, total: int, first_ids: dict[str, int]) -> None:
        self.plan, self.total = plan, total
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        self.ids = Ids(first_ids)
        self.casework = Casework(plan, self.rng, self.ids)
        self.nhs_numbers = SyntheticNhsNumbers(self.rng)
        # Beyond ~900,000 clients the 999 range runs short: more clients go without a number.
        self.without_nhs_number = max(WITHOUT_NHS_NUMBER, 1 - NHS_NUMBER_CAPACITY / max(total, 1))
        self.led: dict[int, list[tuple[int, str]]] = {}  # lead -> a few (client id, name)
        self.adult, self.older = _cumulative(_ADULT_PATHWAYS), _cumulative(_OLDER_PATHWAYS)

    def batches(self, size: int) -> Iterator[Batch]:
        made = 0
        while made < self.total:
            batch, count = Batch(), min(size, self.total - made)
            for _ in range(count):
                self._client(batch)
            made += count
            yield batch

    def _age(self) -> int:
        r = self.rng.random()
        if r < CHILD:
            return self.rng.randint(0, 17)
        if r < CHILD + WORKING_AGE:
            return int(self.rng.triangular(18, 65, 58))
        return int(self.rng.triangular(65, 104, 84))

    def _person(self, age: int) -> tuple[str, str, date, str]:
        rng = self.rng
        r = rng.random()
        sex = "female" if r < 0.55 else "male" if r < 0.99 else "unknown" if r < 0.995 else "other"
        born = self.plan.anchor.date() - timedelta(days=int(age * 365.25) + rng.randrange(365))
        cohort = "older" if born.year < 1950 else "middle" if born.year < 1985 else "younger"
        male = sex == "male" or (sex != "female" and rng.random() < 0.5)
        given = rng.choice((names.MALE_NAMES if male else names.FEMALE_NAMES)[cohort])
        return given, rng.choice(names.FAMILY_NAMES), born, sex

    def _address(self, locality: LocalityPlan) -> tuple[str, str, str]:
        rng, letters = self.rng, names.POSTCODE_LETTERS
        street = rng.choice(locality.streets)
        address = rng.choice(names.ADDRESS_FORMS).format(
            house=rng.randint(1, 220), flat=rng.randint(1, 40), block=rng.choice(names.BLOCKS),
            street=street,
        )  # fmt: skip
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        postcode = f"{rng.choice(locality.districts)} {inward}"
        mobile = rng.random() < 0.6
        phone = f"07700 900{rng.randrange(1000):03d}" if mobile else f"020 7946 0{rng.randrange(1000):03d}"
        return f"{address}, {BOROUGH}", postcode, phone  # Ofcom's numbers for drama

    def _team(self, age: int, locality: LocalityPlan) -> TeamPlan:
        if age < 18:
            return self.plan.teams["childrens"]
        keys, cumulative = self.older if age >= 65 else self.adult
        key = keys[bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])]
        return self.plan.team(key, locality)

    def _client(self, batch: Batch) -> None:
        rng, plan = self.rng, self.plan
        locality = plan.localities[rng.randrange(len(plan.localities))]
        age = self._age()
        given, family, born, sex = self._person(age)
        address, postcode, phone = self._address(locality)
        team = self._team(age, locality)
        registered = plan.anchor - timedelta(days=min(3 + rng.expovariate(1 / 240), 2500))
        draft = Draft(self.ids.take("client"), team, self.casework.lead_for(team), locality,
                      registered, child=age < 18)  # fmt: skip
        active = rng.random() >= INACTIVE
        consent = self.casework.record(batch, draft, active=active)
        nhs_number = None if rng.random() < self.without_nhs_number else self.nhs_numbers.next()
        practice = locality.practice_ids[rng.randrange(len(locality.practice_ids))]
        status = ClientStatus.ACTIVE.value if active else ClientStatus.INACTIVE.value
        updated = plan.anchor - timedelta(hours=1 + rng.random() * 24)
        batch.rows["client"].append((
            draft.client_id, nhs_number, given, family, born, sex, address, postcode, phone,
            practice, locality.id, team.organisation_id, status, consent, team.id, draft.lead,
            registered, updated,
        ))  # fmt: skip
        if draft.lead is not None and len(self.led.setdefault(draft.lead, [])) < 3:
            self.led[draft.lead].append((draft.client_id, f"{given} {family.upper()}"))
