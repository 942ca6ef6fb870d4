"""Section review: the review workbooks to each section's reviewers when the review window
opens, again when a district sends a version a section has not seen, a reminder on the
window's last day to sections still pending, and a returned district's notice."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Row

from eop.layout import kind_label
from eop.states import RETURNED, REVIEWABLE
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
    window_names,
)
from jobs.people import recipients, reviewers
from ledger import workflow
from ledger.records import file_row, issued_prefilled, latest_by_office, submission
from outbox.compose import make_message

if TYPE_CHECKING:
    from templates.workbooks.monthly import Built


def waiting_by_section(
    conn: Connection, deployment: Deployment, period: str, only: str | None = None
) -> dict[str, list[Row]]:
    """section → the latest versions of its districts still waiting for its decision (every
    section, or `only`). A district's standing is worked out once for all its province's
    sections: a country has 385 sections over 878 districts."""
    sections = [s for s in deployment.config.sections if only in (None, s.code)]
    found: dict[str, list[Row]] = {s.code: [] for s in sections}
    offices = dict.fromkeys(s.office for s in sections)
    for latest in _reviewable(conn, deployment, offices, period):
        for code, verdict in workflow.verdicts(conn, latest).items():
            if code in found and verdict.state == workflow.PENDING:
                found[code].append(latest)
    return found


def _reviewable(
    conn: Connection, deployment: Deployment, offices: Iterable[str], period: str
) -> Iterator[Row]:
    """The latest version of each district of these offices, where a section may decide on it;
    asked in one question (every pass asks it while the review window is open)."""
    config = deployment.config
    districts = [d.code for o in offices for d in config.children(o) if d.level == "district"]
    latest = latest_by_office(conn, "monthly", period, districts)
    for district in districts:
        row = latest.get(district)
        if row is not None and row.state in REVIEWABLE:
            yield row


def offered(conn: Connection, section: str, period: str) -> set[tuple[str, int]]:
    """(district, version) pairs some review workbook already offered this section."""
    return {
        (office, version)
        for prefilled in issued_prefilled(conn, "review", section, period)
        for office, version in prefilled["reviewable"].items()
    }


def unseen(
    conn: Connection, deployment: Deployment, period: str, only: str | None = None
) -> list[str]:
    """Keys `period:section:district:vN` of versions waiting for a section that no workbook
    offered it (every section's, or `only`'s)."""
    keys = []
    for section, rows in waiting_by_section(conn, deployment, period, only).items():
        seen = offered(conn, section, period) if rows else set()
        keys += [
            f"{period}:{section}:{row.office}:v{row.version}"
            for row in rows
            if (row.office, row.version) not in seen
        ]
    return keys


def _districts(built: Built) -> list[dict]:
    return [
        {
            "code": code,
            "name_th": name,
            "version": version,
            "warnings": warnings,
            "state_th": state.split(" / ")[0],
            "state_en": state.split(" / ")[-1],
            "comment": "",
        }
        for code, name, version, state, warnings in built.prefilled["districts"]
    ]


def _send_request(
    deployment: Deployment, conn: Connection, section: str, period: str, *, new: list[str]
) -> bool:
    now, month = deployment.now(), calendar(deployment, period)
    to = reviewers(deployment.config, section)
    if not to:
        return False
    built = build_and_record(deployment, conn, "review", section, period, now)
    window_th, window_en = window_names(month.review.first, month.review.last)
    context = {
        "section": office_names(deployment, section),
        **period_names(period),
        "again": bool(new),
        "new": new,
        "reviewable": len(built.prefilled["reviewable"]),
        "districts": _districts(built),
        "window_th": window_th,
        "window_en": window_en,
        "one_day": month.review.first == month.review.last,
        "attachment_name": built.path.name,
    }
    return send_once(
        deployment,
        conn,
        make_message("review_request", to, context, [built.path]),
        now=now,
        dedupe_key=f"review-request:{section}:{period}:{built.digest}",
        event="review-requested",
        office=section,
        kind="review",
        period=period,
        digest=built.digest,
        again=new,
    )


def request_reviews(deployment: Deployment, period: str) -> int:
    """The review window opens: each section's review workbook to its reviewers."""
    with deployment.ledger.atomic() as conn:
        return sum(
            _send_request(deployment, conn, s.code, period, new=[])
            for s in deployment.config.sections
        )


def request_again(deployment: Deployment, key: str) -> int:
    """A version a section has not seen (a late district, a resubmission): its workbook again."""
    period, section, _, _ = key.split(":")
    with deployment.ledger.atomic() as conn:
        new = sorted({k.split(":")[2] for k in unseen(conn, deployment, period, only=section)})
        return int(bool(new) and _send_request(deployment, conn, section, period, new=new))


def remind_sections(deployment: Deployment, period: str) -> int:
    """The review window's last day: sections still pending get a reminder with their workbook.
    A one-day window (a 28-day February) has no separate reminder: its request said so."""
    month, now = calendar(deployment, period), deployment.now()
    if month.review.first == month.review.last:
        return 0
    with deployment.ledger.atomic() as conn:
        waiting = waiting_by_section(conn, deployment, period)
        return sum(
            _remind_section(deployment, conn, section, period, now, rows)
            for section, rows in waiting.items()
        )


def _remind_section(
    deployment: Deployment,
    conn: Connection,
    section: str,
    period: str,
    now: datetime,
    waiting: list[Row],
) -> bool:
    month = calendar(deployment, period)
    to = reviewers(deployment.config, section)
    if not waiting or not to:
        return False
    built = build_and_record(deployment, conn, "review", section, period, now)
    due_th, due_en = day_names(month.review.last)
    context = {
        "section": office_names(deployment, section),
        **period_names(period),
        "pending": [
            state_row(r.office, deployment.config.office(r.office).name_th, r) for r in waiting
        ],
        "due_th": due_th,
        "due_en": due_en,
        "attachment_name": built.path.name,
    }
    return send_once(
        deployment,
        conn,
        make_message("review_reminder", to, context, [built.path]),
        now=now,
        dedupe_key=f"review-reminder:{section}:{period}",
        event="review-reminded",
        office=section,
        kind="review",
        period=period,
        pending=[r.office for r in waiting],
    )


# -- a return goes to the district, with the comment and its own workbook ---------------------
def notify_returns(deployment: Deployment, conn: Connection, review_file: Row) -> int:
    """Called when a review workbook is answered: each district it returned gets the comment."""
    sent = 0
    for review in workflow.reviews_of_file(conn, review_file.id):
        if review.decision != RETURNED:
            continue
        sent += _return_notice(deployment, conn, review)
    return sent


def _return_notice(deployment: Deployment, conn: Connection, review: Row) -> int:
    now, month = deployment.now(), calendar(deployment, review.period)
    version = submission(conn, review.submission_id)
    attachment = _their_workbook(deployment, conn, version)
    due = month.review.last if now < month.review.closes else month.strategy.last
    due_th, due_en = day_names(due)
    kind_th, kind_en = kind_label("monthly")
    context = {
        "office": office_names(deployment, review.office),
        "section": office_names(deployment, review.section),
        **period_names(review.period),
        "kind_th": kind_th,
        "kind_en": kind_en,
        "version": version.version,
        "comment": review.comment or "",
        "reviewer": review.reviewer or "",
        "due_th": due_th,
        "due_en": due_en,
        "attachment_name": attachment.name if attachment else "",
    }
    to = recipients(deployment.config, review.office, "monthly")
    return send_once(
        deployment,
        conn,
        make_message("review_returned", to, context, [attachment] if attachment else []),
        now=now,
        dedupe_key=f"returned:{review.id}",
        event="return-notified",
        office=review.office,
        kind="monthly",
        period=review.period,
        actor=review.section,
        section=review.section,
        version=version.version,
    )


def _their_workbook(deployment: Deployment, conn: Connection, version: Row) -> Path | None:
    """The workbook the district sent, copied back to its folder so that it can correct it."""
    source = deployment.root / file_row(conn, version.file_id).archive_path
    if not source.is_file():
        return None
    out = (
        returned_dir(deployment.root, version.office)
        / f"EOP014-015_{version.office}_{version.period}-ส่งกลับ-v{version.version}.xlsx"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out)
    return out


def review_rows(
    conn: Connection, deployment: Deployment, file_id: int
) -> tuple[list[dict], list[dict]]:
    """(approved, returned) districts of one review workbook, for its receipt."""
    approved: list[dict] = []
    returned: list[dict] = []
    for review in workflow.reviews_of_file(conn, file_id):
        version = submission(conn, review.submission_id)
        row = state_row(
            review.office,
            deployment.config.office(review.office).name_th,
            version,
            comment=review.comment or "",
        )
        (returned if review.decision == RETURNED else approved).append(row)
    return approved, returned
