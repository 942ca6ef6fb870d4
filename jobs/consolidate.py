"""Consolidation (DESIGN §7): accepted figures summed up the office hierarchy.

An office's own figures come from the latest accepted version of its monthly workbook
for each period of the fiscal year. Its consolidated figures are its own plus its
children's consolidated figures: a province therefore includes the province office's
own results, and the department (or a region between them) sums its provinces. The
hierarchy is read from config (`parent`), so a region level needs no code.

Targets follow the level: a district's (and the province office's own line) is its
allocated share; a province's is the province target from the budget document; any
other level sums its children's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Connection

from eop.config import Config, Office
from eop.periods import Period, months_between
from jobs.deployment import Deployment
from ledger.reference import activity_rows, targets_of
from ledger.reports import OfficeResults, SubmissionFacts, latest_result_rows, submission_facts

REPORTING_LEVELS = ("province", "district")  # offices that send a monthly workbook of their own
CONFIRMED_STATES = ("submitted", "approved", "confirmed")
APPROVED_STATES = ("approved", "confirmed")
TargetRows = dict[tuple[str, str], tuple[float, float]]  # (office, activity) → (quantity, budget)


def percent(part: float, whole: float) -> float | None:
    """`part` as a percentage of `whole`; None when there is nothing to measure against."""
    return part / whole * 100 if whole else None


@dataclass(frozen=True)
class Figures:
    """One office × activity: target and budget for the year, results for the month and
    for the fiscal year to date (cumulative)."""

    office: str
    activity: str
    target_qty: float = 0.0
    month_qty: float = 0.0
    cum_qty: float = 0.0
    budget: float = 0.0
    month_spent: float = 0.0
    cum_spent: float = 0.0

    @property
    def pct_achieved(self) -> float | None:
        return percent(self.cum_qty, self.target_qty)

    @property
    def pct_disbursed(self) -> float | None:
        return percent(self.cum_spent, self.budget)

    @property
    def remaining(self) -> float:
        return self.budget - self.cum_spent


NUMBERS = [f.name for f in fields(Figures) if f.name not in ("office", "activity")]


Numbers = tuple[float, float, float, float, float, float]  # a Figures' NUMBERS, in order
TARGET, BUDGET = NUMBERS.index("target_qty"), NUMBERS.index("budget")


def _added(parts: Iterable[Numbers]) -> list[float]:
    totals = [0.0] * len(NUMBERS)
    for (
        part
    ) in parts:  # added one by one, in order (not sum(): its rounding differs across Pythons)
        totals = [total + value for total, value in zip(totals, part)]
    return totals


@dataclass(frozen=True)
class Inputs:
    """Everything consolidation reads from the ledger for one period, read once."""

    period: Period
    activities: list[str]  # catalogue order, then any other activity that has results
    month: OfficeResults  # office → activity → (quantity, spending) of this period
    cumulative: OfficeResults  # the same, summed over the fiscal year to date
    allocated: TargetRows
    province: TargetRows


def year_to_date(period: Period) -> list[Period]:
    """October of the period's fiscal year to the period itself."""
    return months_between(Period(period.fiscal_year - 1, 10), period)


def read_inputs(conn: Connection, period: Period, among: Collection[str] | None = None) -> Inputs:
    """The fiscal year's results to `period` and the targets, of every office or of those
    `among` (a province's: what one province's workbook or KPI needs, not the country's)."""
    cumulative: OfficeResults = {}
    month: OfficeResults = {}
    for each in year_to_date(period):  # month by month, so that sums add in the same order
        offices, rows = latest_result_rows(conn, "monthly", str(each), among)
        found: OfficeResults | None = {office: {} for office in offices} if each == period else None
        for office in offices:
            cumulative.setdefault(office, {})
        for (
            office,
            activity,
            quantity,
            spending,
        ) in rows:  # one pass: nationally 52,680 rows a month
            into = cumulative[office]
            before = into.get(activity)
            into[activity] = (
                (quantity, spending)
                if before is None
                else (before[0] + quantity, before[1] + spending)
            )
            if found is not None:
                found[office][activity] = (quantity, spending)
        if found is not None:
            month = found
    catalogue = [a.code for a in activity_rows(conn, period.fiscal_year)]
    extra = sorted({a for by_activity in cumulative.values() for a in by_activity} - set(catalogue))
    return Inputs(
        period,
        catalogue + extra,
        month,
        cumulative,
        targets_of(conn, period.fiscal_year, "allocated", offices=among),
        targets_of(conn, period.fiscal_year, "province", offices=among),
    )


def own(inputs: Inputs, office: str) -> dict[str, Figures]:
    """activity → the office's own results against its allocated target (a district's line,
    or the province office's own line)."""
    return {
        activity: Figures(office, activity, *numbers)
        for activity, numbers in _own(inputs, office).items()
    }


def rollup(inputs: Inputs, config: Config, office: str) -> dict[str, Figures]:
    """activity → the office's consolidated figures: its own results plus its children's."""
    return {
        activity: Figures(office, activity, *numbers)
        for activity, numbers in _rolled(inputs, config, office).items()
    }


# Below, an office's lines are plain tuples (Numbers): the whole country is 956 offices × 60
# activities, and only the office asked for becomes Figures.
def _own(inputs: Inputs, office: str) -> dict[str, Numbers]:
    month, cumulative = inputs.month.get(office, {}), inputs.cumulative.get(office, {})
    lines = {}
    for activity in inputs.activities:
        target_qty, budget = inputs.allocated.get((office, activity), (0.0, 0.0))
        month_qty, month_spent = month.get(activity, (0.0, 0.0))
        cum_qty, cum_spent = cumulative.get(activity, (0.0, 0.0))
        lines[activity] = (target_qty, month_qty, cum_qty, budget, month_spent, cum_spent)
    return lines


def _rolled(inputs: Inputs, config: Config, office: str) -> dict[str, Numbers]:
    mine = _own(inputs, office)
    children = [_rolled(inputs, config, child.code) for child in config.children(office)]
    level = config.office(office).level
    lines: dict[str, Numbers] = {}
    for activity in inputs.activities:
        totals = _added([mine[activity], *(child[activity] for child in children)])
        if level == "province":  # the budget document's target, not the sum of the shares
            totals[TARGET], totals[BUDGET] = inputs.province.get((office, activity), (0.0, 0.0))
        elif level == "district":
            totals[TARGET], totals[BUDGET] = mine[activity][TARGET], mine[activity][BUDGET]
        else:  # department, region: no target of their own, the sum of their children's
            totals[TARGET] = sum(child[activity][TARGET] for child in children)
            totals[BUDGET] = sum(child[activity][BUDGET] for child in children)
        lines[activity] = tuple(totals)  # type: ignore[assignment]  # six numbers, as NUMBERS
    return lines


def consolidate(deployment: Deployment, office: str, period: Period | str) -> list[Figures]:
    """The office's consolidated figures per activity, in catalogue order."""
    month = Period.parse(period)
    with deployment.ledger.atomic() as conn:
        inputs = read_inputs(conn, month)
    return list(rollup(inputs, deployment.config, office).values())


# -- timeliness (RPT113) ---------------------------------------------------------


@dataclass(frozen=True)
class Timeliness:
    """One reporting office's submission for a period: how it arrived and where it stands."""

    office: str
    name_th: str
    name_en: str
    state: str  # missing | recorded | submitted | approved | returned | confirmed
    received: int
    versions: int
    rejected: int
    late: bool
    first_received_at: datetime | None
    latest_accepted_at: datetime | None

    @property
    def reported(self) -> bool:
        return self.versions > 0

    @property
    def confirmed(self) -> bool:
        return self.state in CONFIRMED_STATES

    @property
    def approved(self) -> bool:
        return self.state in APPROVED_STATES


def reporting_offices(config: Config, office: str) -> list[Office]:
    """The office (if it reports) and every reporting office under it, depth first."""
    here = config.office(office)
    below = [o for child in config.children(office) for o in reporting_offices(config, child.code)]
    return ([here] if here.level in REPORTING_LEVELS else []) + below


def timeliness(
    conn: Connection, config: Config, office: str, period: Period, kind: str = "monthly"
) -> list[Timeliness]:
    return timeliness_of(config, office, submission_facts(conn, kind, str(period)))


def timeliness_of(
    config: Config, office: str, facts: dict[str, SubmissionFacts]
) -> list[Timeliness]:
    """timeliness from the period's submission facts, read once for many offices."""
    rows = []
    for each in reporting_offices(config, office):
        seen = facts.get(each.code)
        rows.append(
            Timeliness(
                each.code,
                each.name_th,
                each.name_en,
                state=seen.state if seen else "missing",
                received=seen.received if seen else 0,
                versions=seen.versions if seen else 0,
                rejected=seen.rejected if seen else 0,
                late=seen.late if seen else False,
                first_received_at=seen.first_received_at if seen else None,
                latest_accepted_at=seen.latest_accepted_at if seen else None,
            )
        )
    return rows
