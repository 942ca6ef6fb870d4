"""The province's side: the consolidated package and the confirm workbook (EOP018 + EOP019)
to the strategy group on the strategy window's first day, and the confirmed reports to the
centre once the province confirms (or a correction sent to the centre is taken)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Row

from eop.formats import moment_en
from eop.periods import Period
from eop.states import CONFIRMED
from eop.thai import date_en, date_th, datetime_th
from intake.folders import returned_dir
from jobs.deployment import Deployment
from jobs.issue import build_and_record
from jobs.notices import (
    calendar,
    day_names,
    office_names,
    period_names,
    send_once,
    state_row,
)
from jobs.packages import draw_packages
from jobs.people import centre_people, coordinators
from jobs.workflow_books import is_ready, reporting_offices
from ledger import workflow
from ledger.records import file_row, in_state, latest_submission, submission_version
from outbox.compose import make_message


def render_reports(deployment: Deployment, period: str, province: str) -> list[Path]:
    """RPT111, 112, 113, 211, 212 for the province (jobs.reports), outside any transaction;
    none when they cannot be drawn (said in deployment.failures)."""
    return draw_packages(deployment, period, [province]).get(province, [])


def _offices(conn: Connection, deployment: Deployment, built) -> tuple[list[dict], list[dict]]:
    rows, incomplete = [], []
    for code, name, _, _, _ in built.prefilled["offices"]:
        row = state_row(
            code, name, latest_submission(conn, code, "monthly", built.prefilled["period"])
        )
        rows.append(row)
        if code in built.prefilled["incomplete"]:
            incomplete.append(row)
    return rows, incomplete


def send_package(deployment: Deployment, period: str) -> int:
    """The strategy window opens: each province's package and confirm workbook to its coordinators."""
    provinces = [province.code for province in deployment.config.provinces()]
    drawn = draw_packages(deployment, period, provinces)  # outside any transaction
    return sum(_send_package(deployment, p, period, drawn.get(p, [])) for p in provinces)


def _send_package(deployment: Deployment, province: str, period: str, reports: list[Path]) -> bool:
    now, month = deployment.now(), calendar(deployment, period)
    due_th, due_en = day_names(month.strategy.last)
    with deployment.ledger.atomic() as conn:
        built = build_and_record(deployment, conn, "confirm", province, period, now)
        year = str(Period.parse(period).fiscal_year)  # the blank correction requests, at hand
        requests = build_and_record(deployment, conn, "correction", province, year, now)
        offices, incomplete = _offices(conn, deployment, built)
        context = {
            "office": office_names(deployment, province),
            **period_names(period),
            "offices": offices,
            "incomplete": incomplete,
            "ready": len(offices) - len(incomplete),
            "due_th": due_th,
            "due_en": due_en,
            "reports": [p.name for p in reports],
            "attachment_name": built.path.name,
            "correction_name": requests.path.name,
            "as_of_th": datetime_th(now),
            "as_of_en": moment_en(now),
        }
        to = coordinators(deployment.config, province)
        return send_once(
            deployment,
            conn,
            make_message("province_package", to, context, [*reports, built.path, requests.path]),
            now=now,
            dedupe_key=f"province-package:{province}:{period}",
            event="package-sent",
            office=province,
            kind="confirm",
            period=period,
            reports=[p.name for p in reports],
            incomplete=[r["code"] for r in incomplete],
        )


# -- to the centre -----------------------------------------------------------------------
def centre_keys(conn: Connection, deployment: Deployment) -> list[str]:
    """`province:period:vN` of each confirmed confirm workbook, `province:period:correction-N` of
    each correction to the centre that was taken: each is sent to the centre once."""
    provinces = {p.code for p in deployment.config.provinces()}
    keys = [
        f"{row.office}:{row.period}:v{row.version}" for row in in_state(conn, "confirm", CONFIRMED)
    ]
    for row in workflow.corrections_taken_to_centre(conn):
        province = row.office if row.office in provinces else _province_of(deployment, row.office)
        if province:
            keys.append(f"{province}:{row.period}:correction-{row.id}")
    return keys


def _province_of(deployment: Deployment, office: str) -> str | None:
    config = deployment.config
    for code in (office, *(s.office for s in config.sections if s.code == office)):
        found = next((o for o in config.offices if o.code == code), None)
        if found and found.level == "district":
            return found.parent
        if found and found.level == "province":
            return found.code
    return None


def send_to_centre(deployment: Deployment, key: str) -> int:
    province, period, which = key.split(":")
    reports = render_reports(deployment, period, province)
    now = deployment.now()
    with deployment.ledger.atomic() as conn:
        context, attachments = _centre_context(deployment, conn, province, period, which)
        context["reports"] = [p.name for p in reports + attachments]
        draft = make_message(
            "centre_reports",
            centre_people(deployment.config, province),
            context,
            [*reports, *attachments],
        )
        return int(
            send_once(
                deployment,
                conn,
                draft,
                now=now,
                dedupe_key=f"centre-reports:{key}",
                event="sent-to-centre",
                office=province,
                kind="confirm",
                period=period,
                key=key,
                reports=context["reports"],
            )
        )


def _centre_context(
    deployment: Deployment, conn: Connection, province: str, period: str, which: str
) -> tuple[dict, list[Path]]:
    centre = deployment.config.office(province).parent or province
    context = {
        "office": office_names(deployment, province),
        "centre": office_names(deployment, centre),
        **period_names(period),
        "correction": None,
        "incomplete": [],
        "name": "",
        "confirmed_th": "",
        "confirmed_en": "",
    }
    if which.startswith("correction-"):
        row = workflow.correction(conn, int(which.removeprefix("correction-")))
        context["correction"] = _memo(row)
        return context, []
    confirm = submission_version(conn, province, "confirm", period, int(which.removeprefix("v")))
    at = workflow.state_reached_at(conn, confirm, CONFIRMED) or confirm.accepted_at
    context |= {
        "name": confirm.reporter or "",
        "confirmed_th": datetime_th(at),
        "confirmed_en": moment_en(at),
        "incomplete": _incomplete(deployment, conn, province, period),
    }
    return context, [_confirmed_workbook(deployment, conn, confirm)]


def _incomplete(deployment: Deployment, conn: Connection, province: str, period: str) -> list[dict]:
    rows = []
    for code in reporting_offices(deployment.config, province):
        latest = latest_submission(conn, code, "monthly", period)
        if not is_ready(deployment.config, code, latest):
            rows.append(state_row(code, deployment.config.office(code).name_th, latest))
    return rows


def _memo(row: Row) -> dict:
    day = date.fromisoformat(row.memo_date)
    return {
        "memo_number": row.memo_number,
        "memo_date_th": date_th(day),
        "memo_date_en": date_en(day),
        "approved_by": row.approved_by,
        "office": row.office,
    }


def _confirmed_workbook(deployment: Deployment, conn: Connection, confirm: Row) -> Path:
    source = deployment.root / file_row(conn, confirm.file_id).archive_path
    out = (
        returned_dir(deployment.root, confirm.office)
        / f"EOP018-019_{confirm.office}_{confirm.period}-ยืนยันแล้ว-v{confirm.version}.xlsx"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out)
    return out
