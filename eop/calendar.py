"""The monthly calendar of DESIGN §3: cut-off, entry, review, strategy, lock.

Period M covers the 21st of M-1 to the 20th (the cut-off) of M. Districts enter and
confirm on the 25th–27th of M, sections review on the 28th–30th (clamped to the month's
last day: in a 28-day February the review window is the 28th alone), the strategy group
confirms on the 1st–3rd of M+1, and after the 3rd of M+1 the period is locked.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from eop.clock import BANGKOK
from eop.periods import Period


@dataclass(frozen=True)
class CalendarRules:
    cutoff_day: int = 20
    entry: tuple[int, int] = (25, 27)
    review: tuple[int, int] = (28, 30)
    strategy: tuple[int, int] = (1, 3)  # days of M+1; the lock follows the last one


@dataclass(frozen=True)
class Window:
    """Whole days, first to last inclusive."""

    first: date
    last: date

    @property
    def opens(self) -> datetime:
        return datetime.combine(self.first, time(0), BANGKOK)

    @property
    def closes(self) -> datetime:
        """The first instant after the window."""
        return datetime.combine(self.last + timedelta(days=1), time(0), BANGKOK)

    def __contains__(self, moment: datetime) -> bool:
        return self.opens <= moment < self.closes


class Phase(str, Enum):
    BEFORE = "before"  # the month is still running
    ENTRY = "entry"
    BETWEEN = "between"  # after entry, before review (only if config leaves a gap)
    REVIEW = "review"
    STRATEGY = "strategy"
    LOCKED = "locked"


def _last_day(year_ce: int, month: int) -> int:
    return _calendar.monthrange(year_ce, month)[1]


def _days_in(period: Period, days: tuple[int, int]) -> Window:
    """The window's days in the period's month, clamped to the month's last day."""
    last_day = _last_day(period.year_ce, period.month)
    first, last = min(days[0], last_day), min(days[1], last_day)
    return Window(
        date(period.year_ce, period.month, first), date(period.year_ce, period.month, last)
    )


@dataclass(frozen=True)
class MonthCalendar:
    period: Period
    rules: CalendarRules = CalendarRules()

    @property
    def covers(self) -> Window:
        """The days whose work the period reports: the 21st of M-1 to the cut-off."""
        before = self.period.previous()
        return Window(
            date(before.year_ce, before.month, self.rules.cutoff_day) + timedelta(days=1),
            date(self.period.year_ce, self.period.month, self.rules.cutoff_day),
        )

    @property
    def entry(self) -> Window:
        return _days_in(self.period, self.rules.entry)

    @property
    def review(self) -> Window:
        return _days_in(self.period, self.rules.review)

    @property
    def strategy(self) -> Window:
        return _days_in(self.period.next(), self.rules.strategy)

    @property
    def locks_at(self) -> datetime:
        return self.strategy.closes

    def phase(self, moment: datetime) -> Phase:
        if moment >= self.locks_at:
            return Phase.LOCKED
        for phase, window in (
            (Phase.STRATEGY, self.strategy),
            (Phase.REVIEW, self.review),
            (Phase.ENTRY, self.entry),
        ):
            if moment in window:
                return phase
        if moment < self.entry.opens:
            return Phase.BEFORE
        return Phase.BETWEEN if moment < self.review.opens else Phase.REVIEW

    def is_late_for_entry(self, moment: datetime) -> bool:
        """After the entry window closed but before the lock."""
        return self.entry.closes <= moment < self.locks_at

    def is_locked(self, moment: datetime) -> bool:
        return moment >= self.locks_at


def open_entry_period(moment: datetime, rules: CalendarRules = CalendarRules()) -> Period | None:
    """The period whose entry window has opened and which is not yet locked, if any
    (the newest one: on 2 April the March period is still open)."""
    this = Period.of(moment.year, moment.month)
    for candidate in (this, this.previous()):
        month = MonthCalendar(candidate, rules)
        if month.entry.opens <= moment < month.locks_at:
            return candidate
    return None
