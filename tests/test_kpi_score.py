"""KPI level boundaries, exactly as the seed's round 1/2558 bands say."""

import pytest

from kpi.score import achievement_score, highest_level, mean_capped

ROUND1 = [(10, 20), (21, 30), (31, 40), (41, 50)]


@pytest.mark.parametrize(
    ("percent", "level"),
    [
        (0, 1),
        (9.99, 1),
        (10, 2),
        (15, 2),
        (20, 2),
        (20.5, 2),
        (21, 3),
        (30.99, 3),
        (31, 4),
        (40, 4),
        (41, 5),
        (50, 5),
        (100, 5),
    ],
)
def test_level_reached_at_each_boundary(percent, level):
    result = achievement_score(percent, ROUND1, level1=True, weight=10)
    assert result.level == level
    assert result.score == level
    assert result.weighted == round(level * 10 / 100, 4)


def test_no_appointment_order_means_no_level_at_all():
    assert achievement_score(45, ROUND1, level1=False, weight=10).level == 0


@pytest.mark.parametrize(
    ("percent", "score"),
    [(10, 2.0), (15.5, 2.5), (20.5, 2.9545), (21, 3.0), (41, 5.0), (100, 5.0), (5, 1.0)],
)
def test_interpolation_inside_the_bands_to_four_decimals(percent, score):
    assert (
        achievement_score(percent, ROUND1, level1=True, weight=10, interpolate=True).score == score
    )


def test_achievement_is_capped_per_activity_and_averaged():
    rows = [(150, 100, 1000), (25, 100, 3000), (0, 0, 500)]  # the last has no target: left out
    assert mean_capped(rows) == 62.5
    assert mean_capped(rows, weighted_by_budget=True) == 43.75


@pytest.mark.parametrize(
    ("conditions", "level"),
    [
        ([True, True, True, True, True], 5),
        ([True, True, False, True, True], 2),
        ([False, True, True, True, True], 0),
        ([], 0),
    ],
)
def test_kpi2_level_is_the_highest_with_every_lower_level_holding(conditions, level):
    assert highest_level(conditions) == level
