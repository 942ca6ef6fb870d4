"""The monthly workbook's rules in plain Python: the thresholds, and whether a batch's rows
plainly pass every rule. The pandera schemas (validators.monthly_schemas) are the rules'
authority and name each failure; this only spares a clean batch from loading pandas and
pandera (about half a second of a small pass), so it may answer "not plainly" for anything
it is not sure of, but never "plainly" where a schema would fail."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

OVER_TARGET = 1.5  # cumulative above 150% of the annual target is worth a second look
OUTLIER_FACTOR = 5.0  # a month above 5× the office's median month …
MIN_HISTORY = 3  # … once there are enough months to know what is usual
BUDGET_ROUNDING = 0.005  # spending within half a satang of the allocation is within it


def outlier_threshold(history: list[float]) -> tuple[float, float] | tuple[None, None]:
    """(median, the value above which a month is an outlier), from the office's own months.
    Robust: 5× the median, and never inside the usual spread (Q3 + 3·IQR)."""
    months = [m for m in history if m is not None]
    if len(months) < MIN_HISTORY or statistics.median(months) <= 0:
        return None, None
    q1, median, q3 = statistics.quantiles(months, n=4, method="inclusive")
    return median, max(OUTLIER_FACTOR * median, q3 + 3 * (q3 - q1))


def plainly_within_rules(
    performance: Sequence[dict[str, list]], budget: Sequence[dict[str, list]]
) -> bool:
    """Whether every row of every workbook passes every rule, decided without pandas. Each
    workbook's columns as validators.monthly stacks them; the arithmetic is the schemas' own
    (float64 sums and comparisons, a blank counting as 0)."""
    return all(map(_performance_plain, performance)) and all(map(_budget_plain, budget))


def over_target(target: float, cum_prev: float, done: float) -> bool:
    """The year's results so far past 150 % of a positive annual target."""
    return target > 0 and not cum_prev + done <= OVER_TARGET * target


def without_target(target: float, done: float) -> bool:
    """Results reported on a line that has no target."""
    return target <= 0 and done != 0


def unusually_high(done: float, above: float | None) -> bool:
    """A month above the office's outlier threshold (None: too little history to say)."""
    return above is not None and not done <= above


def _performance_plain(columns: dict[str, list]) -> bool:
    for whole, target, cum_prev, quantity, above in zip(
        columns["whole"],
        columns["target"],
        columns["cum_prev"],
        columns["quantity"],
        columns["outlier_above"],
    ):
        target, cum_prev = _prefilled(target), _prefilled(cum_prev)
        if target is None or cum_prev is None or not isinstance(quantity, float):
            return False
        blank = math.isnan(quantity)
        done = 0.0 if blank else quantity
        if not blank and (not math.isfinite(quantity) or quantity < 0):
            return False  # negative (or not a plain number): pandera names it
        if whole and done % 1 != 0:
            return False  # a fraction of a countable thing
        if above is not None and not isinstance(above, float):
            return False
        if (
            over_target(target, cum_prev, done)
            or without_target(target, done)
            or unusually_high(done, above)
        ):
            return False
    return True


def _budget_plain(columns: dict[str, list]) -> bool:
    for budget, spent_prev, spending in zip(
        columns["budget"], columns["spent_prev"], columns["spending"]
    ):
        budget, spent_prev = _prefilled(budget), _prefilled(spent_prev)
        if budget is None or spent_prev is None or not isinstance(spending, float):
            return False
        blank = math.isnan(spending)
        if not blank and (not math.isfinite(spending) or spending < 0):
            return False
        if not spent_prev + (0.0 if blank else spending) <= budget + BUDGET_ROUNDING:
            return False  # over the allocation
    return True


def _prefilled(raw: object) -> float | None:
    """A pre-filled figure as the schemas read it (blank as 0), or None when it is anything
    but a plain finite number or a blank: such a batch goes to pandera as it is."""
    if raw is None or raw == "":
        return 0.0
    if type(raw) is int or type(raw) is float and math.isfinite(raw):
        return float(raw)
    return None
