"""Goal Attainment Scaling: the Kiresuk-Sherman T-score against worked examples, and its invariants.

T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2), rho = 0.3.
Each expected value below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.careplans.rules.gas import ScaleError, WeightedScore, check_scale, check_score, t_score

W = WeightedScore


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # One goal at +2: denominator sqrt(0.7 * 1 + 0.3 * 1) = 1, so T = 50 + 10 * 2 = 70.
        ([W(2)], 70.0),
        # One goal at -1: T = 50 - 10 = 40.
        ([W(-1)], 40.0),
        # Three goals +1, 0, -1: the sum is 0, so T = 50 whatever the denominator.
        ([W(1), W(0), W(-1)], 50.0),
        # Three goals all +1, equal weights: sqrt(0.7 * 3 + 0.3 * 9) = sqrt(4.8) = 2.19089;
        # T = 50 + 30 / 2.19089 = 63.693.
        ([W(1), W(1), W(1)], 63.693),
        # Three goals all at -1 (a usual baseline): 50 - 13.693 = 36.307.
        ([W(-1), W(-1), W(-1)], 36.307),
        # Two goals +2 and +1: sqrt(0.7 * 2 + 0.3 * 4) = sqrt(2.6) = 1.61245; T = 50 + 30 / 1.61245 = 68.605.
        ([W(2), W(1)], 68.605),
        # Weights 2 and 1, scores +1 and -1: sum(wx) = 1; sum(w^2) = 5; (sum w)^2 = 9;
        # sqrt(0.7 * 5 + 0.3 * 9) = sqrt(6.2) = 2.48998; T = 50 + 10 / 2.48998 = 54.016.
        ([W(1, 2), W(-1, 1)], 54.016),
        # Weights 3, 2, 1 with scores 0, +2, -2: sum(wx) = 4 - 2 = 2; sum(w^2) = 14; (sum w)^2 = 36;
        # sqrt(9.8 + 10.8) = sqrt(20.6) = 4.53872; T = 50 + 20 / 4.53872 = 54.407.
        ([W(0, 3), W(2, 2), W(-2, 1)], 54.407),
        # Four goals at -2 (the floor), equal weights: sqrt(0.7 * 4 + 0.3 * 16) = sqrt(7.6) = 2.75681;
        # T = 50 - 80 / 2.75681 = 20.981.
        ([W(-2)] * 4, 20.981),
    ],
)
def test_t_score_matches_the_worked_examples(scores, expected):
    assert t_score(scores) == pytest.approx(expected, abs=0.001)


def test_rho_is_a_parameter_and_zero_gives_the_uncorrelated_formula():
    # rho = 0: sqrt(sum w^2) = sqrt(3) for three unit weights; all +1 gives 50 + 30 / 1.73205 = 67.321.
    assert t_score([W(1)] * 3, rho=0.0) == pytest.approx(67.321, abs=0.001)


@pytest.mark.parametrize("bad", [[], [W(3)], [W(-3)], [W(1, 0)], [W(1, -1)]])
def test_no_goal_a_score_off_the_scale_or_a_weight_of_nothing_is_refused(bad):
    with pytest.raises(ValueError):
        t_score(bad)


weights = st.integers(min_value=1, max_value=10)
goals = st.lists(st.tuples(st.integers(min_value=-2, max_value=2), weights), min_size=1, max_size=12)


@given(st.lists(weights, min_size=1, max_size=12))
def test_every_goal_at_its_expected_level_scores_50(ws):
    assert t_score([W(0, w) for w in ws]) == pytest.approx(50.0)


@given(goals)
def test_the_mirror_image_of_the_scores_mirrors_the_t_score_about_50(items):
    t = t_score([W(s, w) for s, w in items])
    mirrored = t_score([W(-s, w) for s, w in items])
    assert t + mirrored == pytest.approx(100.0)


@given(goals, st.data())
def test_raising_one_goal_raises_the_t_score(items, data):
    index = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    score, weight = items[index]
    if score == 2:
        return
    raised = [*items[:index], (score + 1, weight), *items[index + 1 :]]
    assert t_score([W(s, w) for s, w in raised]) > t_score([W(s, w) for s, w in items])


@given(goals)
def test_the_order_of_the_goals_does_not_matter(items):
    forward = t_score([W(s, w) for s, w in items])
    assert t_score([W(s, w) for s, w in reversed(items)]) == pytest.approx(forward)


@given(st.integers(min_value=1, max_value=12))
def test_equal_weights_reduce_to_the_textbook_form(n):
    # With unit weights: T = 50 + 10 * sum(x) / sqrt(0.7 n + 0.3 n^2).
    scores = [1] * n
    assert t_score([W(s) for s in scores]) == pytest.approx(50 + 10 * n / math.sqrt(0.7 * n + 0.3 * n * n))


LEVELS_OK = {-2: "Cannot", -1: "With help", 0: "Alone with equipment", 1: "Alone", 2: "Alone and for others"}


def test_a_scale_needs_every_level_described_differently():
    check_scale(LEVELS_OK, -1, 1)
    with pytest.raises(ScaleError) as missing:
        check_scale({**LEVELS_OK, 1: " "}, -1, 1)
    assert missing.value.field == "level_plus_1"
    with pytest.raises(ScaleError) as same:
        check_scale({**LEVELS_OK, 2: "alone"}, -1, 1)
    assert same.value.field == "level_0"


@pytest.mark.parametrize(
    ("baseline", "weight", "field"), [(0, 1, "baseline"), (1, 1, "baseline"), (-1, 0, "weight"), (-1, 11, "weight")]
)
def test_the_start_is_below_the_expected_level_and_the_weight_from_1_to_10(baseline, weight, field):
    with pytest.raises(ScaleError) as error:
        check_scale(LEVELS_OK, baseline, weight)
    assert error.value.field == field


@pytest.mark.parametrize("score", [None, 3, -3, "1", 1.0, True])
def test_a_review_score_is_a_whole_level_of_the_scale(score):
    with pytest.raises(ScaleError):
        check_score(score)
