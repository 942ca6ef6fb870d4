"""The arithmetic of KPI levels: pure, so that every boundary can be tested exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def round4(value: float) -> float:
    """To 4 decimals, half up as people round (0.29545 → 0.2955), not as binary floats do."""
    return float(Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Score:
    level: int  # 0 when not even level 1 holds
    score: float  # the level, or interpolated inside the bands (4 decimals)
    weight: float  # percent
    band: tuple[float, float] | None  # the band reached, if any

    @property
    def weighted(self) -> float:
        return round4(float(Decimal(repr(self.score)) * Decimal(repr(self.weight)) / 100))


def achievement_score(
    percent: float,
    bands: Sequence[tuple[float, float]],
    *,
    level1: bool,
    weight: float,
    interpolate: bool = False,
) -> Score:
    """The level reached by `percent` (KPI 1). Bands are levels 2…n; a percent between two
    bands (20.5 with bands 10–20, 21–30) keeps the lower band's level: the next one is not
    reached yet. Level 1 (the appointment order) is a condition of its own, and every
    higher level needs it too."""
    if not level1:
        return Score(0, 0.0, weight, None)
    reached = [i for i, (low, _) in enumerate(bands) if percent >= low - 1e-9]
    if not reached:
        return Score(1, 1.0, weight, None)
    index = reached[-1]
    level = index + 2
    score = float(level)
    if interpolate and index + 1 < len(bands):
        low, next_low = bands[index][0], bands[index + 1][0]
        score = round4(level + (percent - low) / (next_low - low))
    return Score(level, score, weight, bands[index])


def mean_capped(
    achievements: Sequence[tuple[float, float, float]], *, weighted_by_budget: bool = False
) -> float:
    """Province achievement in % from (cumulative, target, budget) per activity: each
    activity capped at 100 %, averaged (or weighted by budget)."""
    rows = [
        (min(done / target, 1.0), budget) for done, target, budget in achievements if target > 0
    ]
    if not rows:
        return 0.0
    if weighted_by_budget and sum(b for _, b in rows) > 0:
        return round(100 * sum(a * b for a, b in rows) / sum(b for _, b in rows), 4)
    return round(100 * sum(a for a, _ in rows) / len(rows), 4)


def highest_level(conditions: Sequence[bool]) -> int:
    """KPI 2: the highest level whose condition and all lower ones hold."""
    level = 0
    for holds in conditions:
        if not holds:
            break
        level += 1
    return level
