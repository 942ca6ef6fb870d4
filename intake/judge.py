"""Judging one received file, in the order of DESIGN §6: can we open it → is it ours → its
kind and version → its office → its period and window → its structure → its values → the
rules. A structural failure stops the later stages; value and rule findings all come at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.config import Config
from eop.findings import Finding, has_errors
from eop.layout import (
    ALLOCATION_HEADER_ROW,
    ALLOCATION_SHEETS,
    BUDGET,
    CONFIRM_CELL,
    PERFORMANCE,
    REPORTER_CELL,
    TARGETS,
    allocation_layout,
)
from eop.periods import BadPeriod, Period, parse_fiscal_year
from eop.thai import date_en, date_th
from intake.judge_workflow import judge_confirm, judge_review, locked
from intake.read import (
    Columns,
    RawWorkbook,
    UnreadableWorkbook,
    cell_value,
    codes_below,
    read_workbook,
    sheet_columns,
)
from intake.sniff import UnreadableFile, check_file_parts
from ledger import records, reference, views, workflow
from validators.allocation import check_allocation
from validators.catalogue import finding
from validators.monthly import MonthlyCheck, MonthlyInput, check_monthly_batch
from validators.structure import check_meta, check_row_limit, check_rows
from validators.targets import check_targets
from validators.values import read_text, same_value

Store = Callable[
    [Connection, int, datetime], int
]  # writes an accepted payload; returns the submission id


@dataclass
class Judgement:
    findings: list[Finding] = field(default_factory=list)
    kind: str | None = None
    period: str | None = None
    template_version: str | None = None
    late: bool = False
    fresh: bool = False  # answer with a fresh workbook of the current version attached
    store: Store | None = None
    correction_id: int | None = None  # a locked period taken under this open correction
    # The value and rule checks, when judge_file was asked to leave them for finish_checks
    # (a batch of workbooks is then checked together: one pandera run per schema).
    checking: MonthlyInput | None = None
    checked: Callable[[MonthlyCheck], None] | None = None

    @property
    def accepted(self) -> bool:
        return self.store is not None and not has_errors(self.findings)


def finish_checks(judgements: list[Judgement]) -> None:
    """Complete judgements from judge_file(..., defer_checks=True), once each: the value
    checks they left pending run all together (one pandera run per schema)."""
    waiting = [j for j in judgements if j.checking is not None]
    for judgement, check in zip(waiting, check_monthly_batch([j.checking for j in waiting])):
        judgement.checking = None
        if judgement.checked is not None:
            judgement.checked(check)
    for judgement in judgements:
        if judgement.correction_id is not None and judgement.store is not None:
            judgement.store = _closing_correction(judgement.store, judgement.correction_id)


def kinds_for(config: Config, office: str) -> tuple[str, ...]:
    if office in config.section_codes:
        return ("review",)
    level = config.office(office).level if office in config.office_index else None
    return {
        "district": ("monthly",),
        "province": ("monthly", "allocation", "targets", "confirm"),
    }.get(level or "", ())


def judge_file(
    conn: Connection,
    config: Config,
    office: str,
    path: Path,
    name: str,
    now: datetime,
    *,
    defer_checks: bool = False,
) -> Judgement:
    try:
        parts = check_file_parts(path, config.limits, display_name=name)
        raw = read_workbook(path, display_name=name, max_rows=config.limits.max_rows, parts=parts)
    except UnreadableFile as exc:
        return Judgement([exc.finding()])
    except UnreadableWorkbook as exc:
        return Judgement(
            [
                Finding(
                    finding("not-our-workbook").severity,
                    "unreadable",
                    exc.message_th,
                    exc.message_en,
                )
            ]
        )
    meta = raw.meta or {}
    judgement = Judgement(
        kind=meta.get("kind") or None,
        template_version=meta.get("template_version") or None,
        period=meta.get("period") or meta.get("fiscal_year") or None,
    )
    judgement.findings = check_meta(
        raw.meta, folder_office=office, kinds_allowed=kinds_for(config, office)
    )
    if judgement.findings:
        judgement.fresh = any(f.code == "template-outdated" for f in judgement.findings)
        return judgement
    limits = [
        f
        for sheet in raw.sheet_names
        for f in check_row_limit(len(raw.rows(sheet)) - 1, config.limits.max_rows, sheet)
    ]
    if limits:
        judgement.findings = limits
        return judgement
    KINDS[meta["kind"]](conn, config, raw, office, now, judgement)
    if not defer_checks:
        finish_checks([judgement])
    return judgement


def _closing_correction(store: Store, correction_id: int) -> Store:
    """The one version a correction allows: taking it closes the correction."""

    def store_and_close(conn: Connection, file_id: int, at: datetime) -> int:
        submission_id = store(conn, file_id, at)
        workflow.use_correction(conn, correction_id, file_id, submission_id, at)
        return submission_id

    return store_and_close


# -- monthly (EOP014 + EOP015) -------------------------------------------------------
def _judge_monthly(
    conn: Connection,
    config: Config,
    raw: RawWorkbook,
    office: str,
    now: datetime,
    judgement: Judgement,
) -> None:
    try:
        period = Period.parse(raw.meta["period"])
    except (BadPeriod, KeyError):
        judgement.findings = [finding("bad-period", value=raw.meta.get("period", ""))]
        return
    judgement.period = str(period)
    snapshot = _snapshot(conn, raw, "monthly", office, str(period))
    if snapshot is None:
        judgement.findings = [finding("unknown-issue", value=raw.meta.get("digest", "?"))]
        return
    window = _window(conn, config, office, period, now, judgement)
    if window:
        judgement.findings = window
        return
    done = views.months_done(conn, office, period)
    plan = {line.code: line for line in views.office_month_plan(conn, office, period, done)}
    issued = snapshot["prefilled"]
    if _targets_moved(issued, plan):
        judgement.findings, judgement.fresh = [finding("target-changed")], True
        return
    performance, budget, structure = _monthly_frames(raw, issued)
    if structure:
        judgement.findings = structure
        return
    whole = {a.code: a.whole for a in reference.activity_rows(conn, period.fiscal_year)}
    judgement.checking = MonthlyInput(
        performance,
        budget,
        confirm=cell_value(raw.rows(PERFORMANCE.name), CONFIRM_CELL),
        reporter=cell_value(raw.rows(PERFORMANCE.name), REPORTER_CELL),
        whole=whole,
        history=views.office_history(conn, office, period, done),
        max_cell_chars=config.limits.max_cell_chars,
    )

    def checked(check: MonthlyCheck) -> None:
        judgement.findings += check.findings

        def store(conn: Connection, file_id: int, at: datetime) -> int:
            state = "submitted" if check.confirmed else "recorded"
            added = records.add_submission(
                conn,
                office=office,
                kind="monthly",
                period=str(period),
                file_id=file_id,
                state=state,
                reporter=check.reporter,
                late=judgement.late,
                at=at,
            )
            records.add_results(conn, added.id, [r._asdict() for r in check.rows])
            workflow.record_version(
                conn,
                added,
                at=at,
                actor=f"{office} ({check.reporter})" if check.reporter else office,
            )
            return added.id

        judgement.store = store

    judgement.checked = checked


def _window(
    conn: Connection,
    config: Config,
    office: str,
    period: Period,
    now: datetime,
    judgement: Judgement,
) -> list[Finding]:
    """Locked → rejected (unless a correction is open); after the entry window → late
    (flagged or rejected, by policy). The province office records its own results until
    the strategy group's window ends."""
    month = MonthCalendar(period, config.calendar.rules)
    if month.is_locked(now):
        return locked(conn, office, month, now, judgement)
    if (
        config.office(office).level != "district"
        or not month.is_late_for_entry(now)
        or _answers_a_return(conn, office, period)
    ):
        return []
    due = f"{date_th(month.entry.last)} / {date_en(month.entry.last)}"
    if config.calendar.late_policy == "reject":
        return [finding("late-rejected", value=str(period), expected=due)]
    judgement.late = True
    judgement.findings.append(finding("late", value=str(period), expected=due))
    return []


def _answers_a_return(conn: Connection, office: str, period: Period) -> bool:
    """A district correcting what a section returned is answering the return, not late."""
    latest = records.latest_submission(conn, office, "monthly", str(period))
    return latest is not None and latest.state == "returned"


def _targets_moved(issued: dict, plan: dict[str, views.PlanLine]) -> bool:
    """A target or budget changed since the workbook was issued (a cumulative may: it is ours)."""
    targets = {row[0]: row[3] for row in issued["performance"]}
    budgets = {row[0]: row[2] for row in issued["budget"]}
    current = {code: (line.target, line.budget) for code, line in plan.items()}
    if set(targets) != set(current):
        return True
    return any(
        not same_value(targets[c], current[c][0]) or not same_value(budgets[c], current[c][1])
        for c in targets
    )


def _monthly_frames(raw: RawWorkbook, issued: dict):
    found: list[Finding] = []
    frames = []
    for layout, rows, fields in (
        (PERFORMANCE, issued["performance"], ("code", "name", "unit", "target", "cum_prev")),
        (BUDGET, issued["budget"], ("code", "name", "budget", "spent_prev")),
    ):
        if layout.name not in raw.sheets:
            found.append(finding("sheet-missing", value=layout.name))
            frames.append(None)
            continue
        frame = _data_columns(raw.rows(layout.name), layout)
        found += check_rows(frame, layout, rows, fields)
        frames.append(frame)
    return frames[0], frames[1], found


def _data_columns(rows: list[list[object]], layout) -> Columns:
    """The data rows from the layout's first row down to the last one holding an activity
    code: a row inserted in the middle then shows as one added row (not as the last activity
    removed and added again), a deleted one as one removed."""
    coded = codes_below(rows, layout, layout.first_row - 1)
    return sheet_columns(rows, layout, count=coded[-1][0] - layout.first_row + 1 if coded else 0)


def _data_frame(rows: list[list[object]], layout) -> pd.DataFrame:
    return pd.DataFrame(_data_columns(rows, layout))


def _snapshot(
    conn: Connection, raw: RawWorkbook, kind: str, office: str, period: str
) -> dict | None:
    snapshot = records.issued_snapshot(conn, raw.meta.get("digest", ""))
    if snapshot and (snapshot["kind"], snapshot["office"], snapshot["period"]) == (
        kind,
        office,
        period,
    ):
        return snapshot
    return None


# -- allocation (EOP016) ------------------------------------------------------------
def _fiscal_year(config: Config, raw: RawWorkbook, judgement: Judgement) -> int | None:
    try:
        year = parse_fiscal_year(raw.meta.get("fiscal_year", ""))
    except BadPeriod:
        judgement.findings = [finding("bad-period", value=raw.meta.get("fiscal_year", ""))]
        return None
    judgement.period = str(year)
    if year != config.fiscal_year:
        judgement.findings = [finding("wrong-fiscal-year", value=year, expected=config.fiscal_year)]
        return None
    return year


def _judge_allocation(
    conn: Connection,
    config: Config,
    raw: RawWorkbook,
    office: str,
    now: datetime,
    judgement: Judgement,
) -> None:
    year = _fiscal_year(config, raw, judgement)
    if year is None:
        return
    snapshot = _snapshot(conn, raw, "allocation", office, str(year))
    if snapshot is None:
        judgement.findings = [finding("unknown-issue", value=raw.meta.get("digest", "?"))]
        return
    issued = snapshot["prefilled"]
    province = reference.targets_of(conn, year, "province", office)
    if any(
        not same_value(q, province.get((office, c), (None, None))[0])
        or not same_value(b, province.get((office, c), (None, None))[1])
        for c, _, _, q, b in issued["rows"]
    ) or len(province) != len(issued["rows"]):
        judgement.findings, judgement.fresh = [finding("target-changed")], True
        return
    frames, layouts = {}, {}
    for measure, (sheet, _) in ALLOCATION_SHEETS.items():
        layouts[measure] = layout = allocation_layout(measure, issued["offices"])
        if sheet not in raw.sheets:
            judgement.findings.append(finding("sheet-missing", value=sheet))
            continue
        frames[measure] = frame = _data_frame(raw.rows(sheet), layout)
        value_index = 3 if measure == "quantity" else 4
        expected = [
            [r[0], r[1], r[2] if measure == "quantity" else "บาท", r[value_index]]
            for r in issued["rows"]
        ]
        judgement.findings += check_rows(
            frame, layout, expected, ("code", "name", "unit", "province_target")
        )
        judgement.findings += _office_headers(raw.rows(sheet), layout)
    if judgement.findings:
        return
    whole = {a.code: a.whole for a in reference.activity_rows(conn, year)}
    check = check_allocation(frames, layouts, whole=whole)
    judgement.findings += check.findings

    def store(conn: Connection, file_id: int, at: datetime) -> int:
        added = records.add_submission(
            conn,
            office=office,
            kind="allocation",
            period=str(year),
            file_id=file_id,
            state="submitted",
            reporter=None,
            late=False,
            at=at,
        )
        shares = {
            key: (v.get("quantity", 0.0), v.get("budget", 0.0)) for key, v in check.shares.items()
        }
        reference.set_targets(
            conn, year, "allocated", shares, source=f"allocation v{added.version}", at=at
        )
        return added.id

    judgement.store = store


def _office_headers(rows: list[list[object]], layout) -> list[Finding]:
    """The office codes above the share columns are pre-filled too: a moved column shows here."""
    header_row = ALLOCATION_HEADER_ROW + 1
    found = []
    for column in layout.columns[len(layout.columns) - len(layout.inputs) - 1 : -1]:
        seen = cell_value(rows, f"{column.letter}{header_row}")
        if read_text(seen) != column.field:
            found.append(
                finding(
                    "prefilled-changed",
                    sheet=layout.name,
                    sheet_en=layout.name_en,
                    cell=f"{column.letter}{header_row}",
                    field_th="รหัสหน่วยงาน",
                    field_en="office code",
                    value=read_text(seen),
                    expected=column.field,
                )
            )
    return found


# -- province targets -----------------------------------------------------------------
def _judge_targets(
    conn: Connection,
    config: Config,
    raw: RawWorkbook,
    office: str,
    now: datetime,
    judgement: Judgement,
) -> None:
    year = _fiscal_year(config, raw, judgement)
    if year is None:
        return
    snapshot = _snapshot(conn, raw, "targets", office, str(year))
    if snapshot is None:
        judgement.findings = [finding("unknown-issue", value=raw.meta.get("digest", "?"))]
        return
    rows = snapshot["prefilled"]["rows"]
    if TARGETS.name not in raw.sheets:
        judgement.findings = [finding("sheet-missing", value=TARGETS.name)]
        return
    frame = _data_frame(raw.rows(TARGETS.name), TARGETS)
    judgement.findings = check_rows(frame, TARGETS, rows, ("code", "name", "unit"))
    if judgement.findings:
        return
    whole = {a.code: a.whole for a in reference.activity_rows(conn, year)}
    check = check_targets(frame, whole=whole)
    judgement.findings += check.findings

    def store(conn: Connection, file_id: int, at: datetime) -> int:
        added = records.add_submission(
            conn,
            office=office,
            kind="targets",
            period=str(year),
            file_id=file_id,
            state="submitted",
            reporter=None,
            late=False,
            at=at,
        )
        reference.set_targets(
            conn,
            year,
            "province",
            {(office, c): v for c, v in check.targets.items()},
            source=f"targets workbook v{added.version}",
            at=at,
        )
        return added.id

    judgement.store = store


KINDS = {
    "monthly": _judge_monthly,
    "allocation": _judge_allocation,
    "targets": _judge_targets,
    "review": judge_review,
    "confirm": judge_confirm,
}
