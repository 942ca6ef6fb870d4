"""Handing workbooks out: built from the ledger, recorded by digest, put in returned/ and mailed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.layout import TEMPLATE_VERSIONS, kind_label
from eop.periods import Period
from eop.thai import date_en, date_th
from intake.folders import returned_dir
from jobs.deployment import Deployment
from jobs.people import recipients
from jobs.workflow_books import build_confirm_book, build_review_book
from ledger import records
from ledger.events import record_event
from ledger.reference import activity_rows, targets_of
from ledger.views import office_month_plan
from outbox.compose import make_message
from outbox.spool import queue

if TYPE_CHECKING:
    from templates.workbooks.monthly import Built, OfficeLabel

# The workbook builders (openpyxl) are imported by the functions that build: every job module
# imports this one, and a pass that builds no workbook need not load them.


def label(deployment: Deployment, code: str) -> OfficeLabel:
    from templates.workbooks.monthly import OfficeLabel

    office = deployment.config.office(code)
    return OfficeLabel(office.code, office.name_th, office.name_en)


def monthly_offices(deployment: Deployment) -> list[str]:
    """Who reports each month: every province office (its own results) and every district."""
    return [o.code for o in deployment.config.offices if o.level in ("province", "district")]


def workbook_name(kind: str, office: str, period: str) -> str:
    menu = {
        "monthly": "EOP014-015",
        "allocation": "EOP016",
        "targets": "TARGETS",
        "review": "REVIEW",
        "confirm": "EOP018-019",
        "correction": "CORRECTION",
    }[kind]
    return f"{menu}_{office}_{period}.xlsx"


def build(
    deployment: Deployment, conn: Connection, kind: str, office: str, period: str, now: datetime
) -> Built:
    """Build the current workbook of a kind for an office and period (or fiscal year)."""
    out = returned_dir(deployment.root, office) / workbook_name(kind, office, period)
    builder = {
        "review": build_review_book,
        "confirm": build_confirm_book,
        "monthly": _monthly_book,
        "allocation": _allocation_book,
        "targets": _targets_book,
        "correction": _correction_book,
    }[kind]
    return builder(deployment, conn, office, period, now, out)


def _monthly_book(
    deployment: Deployment, conn: Connection, office: str, period: str, now: datetime, out: Path
) -> Built:
    from templates.workbooks.monthly import MonthlyLine, build_monthly

    month = Period.parse(period)
    lines = [MonthlyLine(**line._asdict()) for line in office_month_plan(conn, office, month)]
    return build_monthly(
        out,
        office=label(deployment, office),
        period=month,
        lines=lines,
        issued_at=now,
        calendar=MonthCalendar(month, deployment.config.calendar.rules),
        max_cell_chars=deployment.config.limits.max_cell_chars,
    )


def _allocation_book(
    deployment: Deployment, conn: Connection, office: str, period: str, now: datetime, out: Path
) -> Built:
    from templates.workbooks.allocation import AllocationLine, build_allocation

    year = int(period)
    province = targets_of(conn, year, "province", office)
    lines = [
        AllocationLine(a.code, a.name_th, a.unit, a.whole, *province[(office, a.code)])
        for a in activity_rows(conn, year)
        if (office, a.code) in province
    ]
    offices = [label(deployment, office)] + [
        label(deployment, o.code)
        for o in deployment.config.children(office)
        if o.level == "district"
    ]
    return build_allocation(
        out,
        province=label(deployment, office),
        fiscal_year=year,
        offices=offices,
        lines=lines,
        issued_at=now,
    )


def _targets_book(
    deployment: Deployment, conn: Connection, office: str, period: str, now: datetime, out: Path
) -> Built:
    from templates.workbooks.targets import TargetLine, build_targets

    year = int(period)
    lines = [TargetLine(a.code, a.name_th, a.unit, a.whole) for a in activity_rows(conn, year)]
    return build_targets(
        out, province=label(deployment, office), fiscal_year=year, lines=lines, issued_at=now
    )


def _correction_book(
    deployment: Deployment, conn: Connection, office: str, period: str, now: datetime, out: Path
) -> Built:
    """The blank correction requests: the province office and its districts to choose from."""
    from templates.workbooks.correction import build_correction

    offices = [label(deployment, office)] + [
        label(deployment, o.code)
        for o in deployment.config.children(office)
        if o.level == "district"
    ]
    return build_correction(
        out, province=label(deployment, office), offices=offices, fiscal_year=int(period),
        issued_at=now,
    )  # fmt: skip


def build_and_record(
    deployment: Deployment, conn: Connection, kind: str, office: str, period: str, now: datetime
) -> Built:
    """Build the current workbook and record it by digest, inside the caller's transaction."""
    built = build(deployment, conn, kind, office, period, now)
    records.record_issued(
        conn,
        digest=built.digest,
        kind=kind,
        office=office,
        period=period,
        version=TEMPLATE_VERSIONS[kind],
        path=str(built.path.relative_to(deployment.root)),
        at=now,
        prefilled=built.prefilled,
    )
    return built


def issue(
    deployment: Deployment, kind: str, office: str, period: str, *, mail: bool = True
) -> Built:
    """Build, record and (once per distinct workbook) mail a workbook to the office."""
    now = deployment.now()
    with deployment.ledger.atomic() as conn:
        built = build_and_record(deployment, conn, kind, office, period, now)
        if mail:
            draft = make_message(
                "workbook_issued",
                recipients(deployment.config, office, kind),
                issued_context(deployment, kind, office, period, built.path),
                [built.path],
            )
            if queue(
                conn,
                deployment.config,
                draft,
                now=now,
                dedupe_key=f"issue:{kind}:{office}:{period}:{built.digest}",
                office=office,
            ):
                record_event(
                    conn,
                    now,
                    "issued",
                    office=office,
                    kind=kind,
                    period=period,
                    digest=built.digest,
                )
    return built


WINDOWS = {  # what to do with a workbook that has no entry window
    "year": ("กรอกแล้วส่งกลับโดยเร็ว", "fill in and send back soon"),
    "correction": (
        "กรอกเมื่อมีบันทึกข้อความอนุมัติให้แก้ไขข้อมูลงวดที่ปิดแล้ว แล้ววางในโฟลเดอร์ส่งงานของจังหวัด",
        "fill in when a memo approves correcting a locked period, then drop it in the province's folder",
    ),
}


def issued_context(deployment: Deployment, kind: str, office: str, period: str, path: Path) -> dict:
    kind_th, kind_en = kind_label(kind)
    office_row = deployment.config.office(office)
    if kind == "monthly":
        month = MonthCalendar(Period.parse(period), deployment.config.calendar.rules)
        period_th, period_en = month.period.name_th, month.period.name_en
        window_th = f"กรอกและยืนยันส่งภายใน {date_th(month.entry.first)} – {date_th(month.entry.last)}"
        window_en = f"fill in and confirm between {date_en(month.entry.first)} and {date_en(month.entry.last)}"
    else:
        period_th, period_en = f"ปีงบประมาณ {period}", f"fiscal year {period}"
        window_th, window_en = WINDOWS.get(kind, WINDOWS["year"])
    return {
        "office": {"code": office, "name_th": office_row.name_th, "name_en": office_row.name_en},
        "kind_th": kind_th,
        "kind_en": kind_en,
        "period_th": period_th,
        "period_en": period_en,
        "window_th": window_th,
        "window_en": window_en,
        "attachment_name": path.name,
        "period": period,
    }
