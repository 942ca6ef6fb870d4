"""What the workflow's mails share: names of offices, sections and periods, windows as
people read them, and the reminder to offices still missing on the entry window's last day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row

from eop.calendar import MonthCalendar
from eop.layout import kind_label
from eop.periods import Period
from eop.states import MISSING, RECORDED, state_en, state_th
from eop.thai import date_en, date_th
from jobs.deployment import Deployment
from jobs.issue import build_and_record, monthly_offices
from jobs.people import recipients
from ledger.events import record_event
from ledger.records import latest_submission
from outbox.compose import Draft, make_message
from outbox.spool import queue


def calendar(deployment: Deployment, period: str) -> MonthCalendar:
    return MonthCalendar(Period.parse(period), deployment.config.calendar.rules)


def office_names(deployment: Deployment, code: str) -> dict:
    """{code, name_th, name_en} of an office or a section."""
    config = deployment.config
    found = next((o for o in config.offices if o.code == code), None) or next(
        (s for s in config.sections if s.code == code), None
    )
    return {
        "code": code,
        "name_th": found.name_th if found else code,
        "name_en": found.name_en if found else code,
    }


def period_names(period: str) -> dict:
    month = Period.parse(period)
    return {"period": str(month), "period_th": month.name_th, "period_en": month.name_en}


def day_names(day: date) -> tuple[str, str]:
    return date_th(day), date_en(day)


def window_names(first: date, last: date) -> tuple[str, str]:
    if first == last:
        return f"{date_th(first)} (วันเดียว)", f"{date_en(first)} (one day)"
    return f"{date_th(first)} – {date_th(last)}", f"{date_en(first)} – {date_en(last)}"


def state_row(code: str, name_th: str, latest: Row | None, **extra: object) -> dict:
    state = latest.state if latest else MISSING
    return {
        "code": code,
        "name_th": name_th,
        "state_th": state_th(state),
        "state_en": state_en(state),
        "version": latest.version if latest else 0,
        "warnings": "",
        "comment": "",
        **extra,
    }


# -- the reminder on the entry window's last day (the 27th) ---------------------------------
def still_missing(
    conn: Connection, deployment: Deployment, period: str
) -> list[tuple[str, Row | None]]:
    """Offices with no confirmed version yet: nothing received, or only a draft."""
    waiting = []
    for office in monthly_offices(deployment):
        latest = latest_submission(conn, office, "monthly", period)
        if latest is None or latest.state == RECORDED:
            waiting.append((office, latest))
    return waiting


def send_once(
    deployment: Deployment,
    conn: Connection,
    draft: Draft,
    *,
    now: datetime,
    dedupe_key: str,
    event: str,
    office: str,
    kind: str,
    period: str,
    actor: str = "calendar",
    **detail: Any,
) -> bool:
    """Queue a mail once (by its dedupe key) and record its event; False when it was queued
    before."""
    if not queue(conn, deployment.config, draft, now=now, dedupe_key=dedupe_key, office=office):
        return False
    record_event(conn, now, event, office=office, kind=kind, period=period, actor=actor, **detail)
    return True


def remind_missing(deployment: Deployment, period: str) -> int:
    """A `reminder` to each office still missing, its workbook attached again; once each."""
    now, sent = deployment.now(), 0
    with deployment.ledger.atomic() as conn:
        for office, latest in still_missing(conn, deployment, period):
            built = build_and_record(deployment, conn, "monthly", office, period, now)
            state = latest.state if latest else MISSING
            context = _reminder_context(deployment, office, period, state, now) | {
                "attachment_name": built.path.name
            }
            to = recipients(deployment.config, office, "monthly")
            sent += send_once(
                deployment,
                conn,
                make_message("reminder", to, context, [built.path]),
                now=now,
                dedupe_key=f"reminder:{office}:{period}",
                event="reminded",
                office=office,
                kind="monthly",
                period=period,
                state=state,
            )
    return sent


def _reminder_context(
    deployment: Deployment, office: str, period: str, state: str, now: datetime
) -> dict:
    month = calendar(deployment, period)
    due_th, due_en = day_names(month.entry.last)
    kind_th, kind_en = kind_label("monthly")
    return {
        "office": office_names(deployment, office),
        **period_names(period),
        "kind_th": kind_th,
        "kind_en": kind_en,
        "state_th": state_th(state),
        "state_en": state_en(state),
        "due_th": due_th,
        "due_en": due_en,
        "overdue": now >= month.entry.closes,
    }
