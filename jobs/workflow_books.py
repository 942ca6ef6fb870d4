"""Building the workflow's workbooks from the ledger: a section's `review` workbook and the
province's `confirm` workbook (EOP018 + EOP019). `jobs.issue.build` calls these."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Row

from eop.calendar import MonthCalendar
from eop.config import Config, Section
from eop.formats import count
from eop.periods import Period
from eop.states import APPROVED, CONFIRMED, OWN_CONFIRMABLE, REVIEWABLE, state_label
from jobs.consolidate import read_inputs, rollup
from jobs.deployment import Deployment
from ledger.records import latest_by_office, latest_submission, results_of
from ledger.reference import ActivityRow, activity_rows
from ledger.views import PlanLine, months_done, office_history, office_month_plan
from validators.monthly_rules import outlier_threshold, over_target, unusually_high, without_target

if TYPE_CHECKING:
    from templates.workbooks.confirm import ConfirmOffice
    from templates.workbooks.monthly import Built
    from templates.workbooks.review import ReviewLine

# The workbook builders (openpyxl) are imported by the functions that build (see jobs.issue).


def section(config: Config, code: str) -> Section:
    return next(s for s in config.sections if s.code == code)


def section_districts(config: Config, code: str) -> list[str]:
    """The districts a section reviews: those of the section's province office."""
    return [o.code for o in config.children(section(config, code).office) if o.level == "district"]


# -- review ----------------------------------------------------------------------------
def build_review_book(
    deployment: Deployment, conn: Connection, code: str, period: str, now: datetime, out: Path
) -> Built:
    from templates.workbooks.monthly import OfficeLabel
    from templates.workbooks.review import ReviewDistrict, build_review

    config, month = deployment.config, Period.parse(period)
    label = section(config, code)
    owned = _owned(conn, label, month.fiscal_year)
    districts, lines = [], []
    offices = section_districts(config, code)
    newest = latest_by_office(conn, "monthly", period, offices)  # one question for them all
    for office in offices:
        latest = newest.get(office)
        mine = (
            _review_lines(conn, office, month, latest, owned)
            if latest and latest.state in (*REVIEWABLE, CONFIRMED)
            else []
        )
        districts.append(
            ReviewDistrict(
                office,
                config.office(office).name_th,
                latest.version if latest else 0,
                state_label(latest.state if latest else "missing"),
                sum(bool(line.warnings) for line in mine),
                reviewable=latest is not None and latest.state in REVIEWABLE,
            )
        )
        lines += mine
    return build_review(
        out,
        section=OfficeLabel(code, label.name_th, label.name_en),
        period=month,
        districts=districts,
        lines=lines,
        issued_at=now,
        calendar=MonthCalendar(month, config.calendar.rules),
        max_cell_chars=config.limits.max_cell_chars,
    )


def _owned(conn: Connection, label: Section, fiscal_year: int) -> dict[str, ActivityRow]:
    """The section's activities: those the catalogue gives it, or its kind (in its province)."""
    mine = (label.code, label.kind)
    return {a.code: a for a in activity_rows(conn, fiscal_year) if a.section in mine}


def _review_lines(
    conn: Connection, office: str, month: Period, latest: Row, owned: dict[str, ActivityRow]
) -> list[ReviewLine]:
    from templates.workbooks.review import ReviewLine

    done = months_done(conn, office, month)  # the earlier months, read once for both
    plan = {line.code: line for line in office_month_plan(conn, office, month, done)}
    history = office_history(conn, office, month, done)
    lines = []
    for code, result in results_of(conn, latest.id).items():
        if code not in owned:
            continue
        line = plan.get(code) or PlanLine(
            code, owned[code].name_th, owned[code].unit, owned[code].whole, 0, 0, 0, 0
        )
        lines.append(
            ReviewLine(
                office,
                code,
                owned[code].name_th,
                owned[code].unit,
                owned[code].whole,
                line.target,
                result.quantity,
                line.cum_prev + result.quantity,
                line.budget,
                result.spending,
                line.spent_prev + result.spending,
                warnings(line, result.quantity, history.get(code, [])),
                result.remark or "",
            )
        )
    return lines


def warnings(line: PlanLine, quantity: float, history: list[float]) -> str:
    """The monthly rules' warnings, as a reviewer reads them next to the figures."""
    found = []
    median, above = outlier_threshold(history)
    if median is not None and unusually_high(quantity, above):
        found.append(f"สูงผิดปกติ (มัธยฐาน {count(median)}) / unusually high (median {count(median)})")
    if over_target(line.target, line.cum_prev, quantity):
        found.append("ผลสะสมเกิน 150% ของเป้าหมาย / cumulative over 150% of target")
    if without_target(line.target, quantity):
        found.append("มีผลงานแต่ไม่มีเป้าหมาย / results without a target")
    return "; ".join(found)


# -- confirm (EOP018 + EOP019) -----------------------------------------------------------
def reporting_offices(config: Config, province: str) -> list[str]:
    """The province office (its own results) and its districts."""
    return [province] + [o.code for o in config.children(province) if o.level == "district"]


def is_ready(config: Config, office: str, latest: Row | None) -> bool:
    """Approved (a district) or confirmed by its recorder (the province office's own), or already confirmed."""
    if latest is None:
        return False
    ready = (
        (APPROVED, CONFIRMED)
        if config.office(office).level == "district"
        else (*OWN_CONFIRMABLE, CONFIRMED)
    )
    return latest.state in ready


def confirm_offices(
    conn: Connection, config: Config, province: str, period: str
) -> list[ConfirmOffice]:
    from templates.workbooks.confirm import ConfirmOffice

    offices = []
    for code in reporting_offices(config, province):
        latest = latest_submission(conn, code, "monthly", period)
        offices.append(
            ConfirmOffice(
                code,
                config.office(code).name_th,
                latest.version if latest else 0,
                state_label(latest.state if latest else "missing"),
                bool(latest and latest.late),
                is_ready(config, code, latest),
            )
        )
    return offices


def build_confirm_book(
    deployment: Deployment, conn: Connection, province: str, period: str, now: datetime, out: Path
) -> Built:
    from templates.workbooks.confirm import ConfirmLine, build_confirm
    from templates.workbooks.monthly import OfficeLabel

    config, month = deployment.config, Period.parse(period)
    among = reporting_offices(config, province)
    figures = rollup(read_inputs(conn, month, among), config, province)
    catalogue = {a.code: a for a in activity_rows(conn, month.fiscal_year)}
    lines = [
        ConfirmLine(
            code,
            catalogue[code].name_th,
            catalogue[code].unit,
            catalogue[code].whole,
            f.target_qty,
            f.month_qty,
            f.cum_qty,
            f.budget,
            f.month_spent,
            f.cum_spent,
        )
        for code, f in figures.items()
        if code in catalogue and (f.target_qty or f.budget or f.cum_qty or f.cum_spent)
    ]
    office = config.office(province)
    return build_confirm(
        out,
        province=OfficeLabel(province, office.name_th, office.name_en),
        period=month,
        lines=lines,
        offices=confirm_offices(conn, config, province, period),
        issued_at=now,
        calendar=MonthCalendar(month, config.calendar.rules),
    )
