"""Goal Attainment Scaling (Kiresuk and Sherman, 1968). Pure.

Each goal has a five-point scale agreed with the client at the start: -2 (much less
than expected), -1 (somewhat less), 0 (the expected outcome), +1 (somewhat more),
+2 (much more), each level described in words. At the start the client is at -1, or
at -2 when nothing worse is possible. At each review every goal is scored on its scale,
and the goals combine into one T-score:

    T = 50 + 10 * sum(w_i * x_i) / sqrt((1 - rho) * sum(w_i ** 2) + rho * (sum(w_i)) ** 2)

with x_i the score of goal i, w_i its weight, and rho the assumed correlation between
goals' scores, 0.3 by convention. T is 50 when every goal reaches its expected level,
and has a standard deviation of about 10 when scores are spread as the scale intends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LEVELS = (-2, -1, 0, 1, 2)
BASELINE_LEVELS = (-2, -1)
RHO = 0.3
MAX_WEIGHT = 10
LEVEL_NAMES = {
    -2: "Much less than expected",
    -1: "Somewhat less than expected",
    0: "Expected outcome",
    1: "Somewhat more than expected",
    2: "Much more than expected",
}


@dataclass(frozen=True)
class WeightedScore:
    score: int
    weight: float = 1.0


class ScaleError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def t_score(scores: Sequence[WeightedScore], rho: float = RHO) -> float:
    """The Kiresuk-Sherman T-score of goals' scores; ValueError for no goals or a score off the scale."""
    if not scores:
        raise ValueError("A T-score needs at least one scored goal")
    if not 0 <= rho < 1:
        raise ValueError("rho must be at least 0 and less than 1")
    for item in scores:
        if item.score not in LEVELS:
            raise ValueError(f"A score must be one of -2, -1, 0, 1, 2, not {item.score}")
        if not item.weight > 0:
            raise ValueError("A weight must be more than 0")
    weighted = sum(item.weight * item.score for item in scores)
    squares = sum(item.weight**2 for item in scores)
    total = sum(item.weight for item in scores)
    return 50 + 10 * weighted / math.sqrt((1 - rho) * squares + rho * total**2)


def check_scale(levels: dict[int, str], baseline: int, weight: int) -> None:
    """A goal's scale: every level from -2 to +2 described, distinct, a baseline of -1 or -2, a weight 1-10."""
    for level in LEVELS:
        if not (levels.get(level) or "").strip():
            sign = f"+{level}" if level > 0 else str(level)
            raise ScaleError(f"level_{_key(level)}", f"Describe level {sign} ({LEVEL_NAMES[level].lower()})")
    described = [levels[level].strip().lower() for level in LEVELS]
    if len(set(described)) != len(described):
        raise ScaleError("level_0", "Each level of the scale needs its own description")
    if baseline not in BASELINE_LEVELS:
        raise ScaleError("baseline", "The starting level is -1, or -2 when nothing worse is possible")
    if not 1 <= weight <= MAX_WEIGHT:
        raise ScaleError("weight", f"The weight is a whole number from 1 to {MAX_WEIGHT}")


def _key(level: int) -> str:
    """The field name part of a level: minus_2, minus_1, 0, plus_1, plus_2."""
    return "0" if level == 0 else f"{'plus' if level > 0 else 'minus'}_{abs(level)}"


def level_key(level: int) -> str:
    return _key(level)


def check_score(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or score not in LEVELS:
        raise ScaleError("score", "Score each goal -2, -1, 0, +1 or +2")
    return score
