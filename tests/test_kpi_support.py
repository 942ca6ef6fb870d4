"""Builders shared by the KPI and evidence tests (no tests here).

A round is written straight into a real ledger with the ledger's own functions — monthly
versions with their results, the sections' decisions (ledger.workflow), the province's
confirmations — so that each KPI 2 fact can be made to hold or fail exactly; the allocation
comes through intake for real (conftest's `allocated`). Documents are real PDFs: blank pages
from pypdf, or the demo's stand-ins rendered by WeasyPrint.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

from conftest import DISTRICTS, at

from eop.calendar import MonthCalendar
from eop.periods import Period
from intake.folders import evidence_dir
from jobs.deployment import Deployment
from ledger import records, workflow
from ledger.reference import activity_rows, targets_of

ROUND_MONTHS = [
    Period(2557, 10),
    Period(2557, 11),
    Period(2557, 12),
    Period(2558, 1),
    Period(2558, 2),
    Period(2558, 3),
]
PROVINCE = "71"
OFFICES = [PROVINCE, *DISTRICTS]
_serial = itertools.count(1)


def normalise(text: str) -> str:
    """Text compared exactly, white space aside (the PDFs' text layer is exact Thai:
    templates.pdf_text, tests/test_pdf_text.py)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFC", text))


def pdftotext(path: Path, *, layout: bool = False) -> str:
    """The text layer; `layout` keeps columns on their lines (but may reorder Thai marks)."""
    return subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])


def blank_pdf(path: Path, pages: int = 1) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": path.name})  # each its own content: no two are duplicates
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def drop_evidence(
    deployment: Deployment, source: Path, name: str | None = None, office: str = PROVINCE
) -> Path:
    target = evidence_dir(deployment.root, office) / (name or source.name)
    shutil.copy(source, target)
    return target


def review_moment(period: Period, *, late: bool = False) -> datetime:
    """Inside the month's review window (its first day, 11:00), or the day after it closes."""
    window = MonthCalendar(period).review
    day = window.closes if late else window.opens
    return day.replace(hour=11)


def _placeholder(deployment: Deployment, name: str) -> str:
    """An archived file for a seeded version (jobs that copy the archived workbook find one)."""
    folder = deployment.root / "archive" / "seed"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"seeded by the tests")
    return f"archive/seed/{name}"


def record_month(
    deployment: Deployment,
    office: str,
    period: Period,
    quantities: dict[str, float],
    *,
    state: str = "submitted",
    late: bool = False,
    when: datetime | None = None,
):
    """One accepted version of an office's monthly workbook, as intake would store it."""
    when = when or at(period.year_ce, period.month, 25, 10)
    with deployment.ledger.atomic() as conn:
        serial = next(_serial)
        file_id = records.record_file(
            conn,
            sha256=f"seed-{serial}",
            name=f"seed-{office}-{period}.xlsx",
            office=office,
            size=0,
            dropped_mtime=None,
            received_at=when,
            archive_path=_placeholder(deployment, f"{serial}.xlsx"),
        )
        added = records.add_submission(
            conn,
            office=office,
            kind="monthly",
            period=str(period),
            file_id=file_id,
            state=state,
            reporter="seed",
            late=late,
            at=when,
        )
        records.add_results(
            conn,
            added.id,
            [{"activity": a, "quantity": q, "spending": 0.0} for a, q in quantities.items()],
        )
        records.store_judgement(
            conn,
            file_id,
            status="accepted",
            at=when,
            found=[],
            kind="monthly",
            period=str(period),
            submission_id=added.id,
            late=late,
        )
        records.mark_answered(conn, file_id, when)
    return added


def approve(
    deployment: Deployment,
    submission,
    *,
    when: datetime,
    only: str | None = None,
    decision: str = "approved",
) -> None:
    """Every section owning an activity of the version decides on it (ledger.workflow)."""
    with deployment.ledger.atomic() as conn:
        for section in sorted(workflow.verdicts(conn, submission)):  # those who must approve
            if only and section != only:
                continue
            workflow.add_review(
                conn,
                section=section,
                office=submission.office,
                period=submission.period,
                submission_id=submission.id,
                decision=decision,
                comment="",
                reviewer="seed",
                file_id=None,
                late=False,
                at=when,
            )
        workflow.refresh_state(conn, submission.office, submission.period, at=when, actor="seed")


def confirm_month(deployment: Deployment, period: Period, when: datetime | None = None) -> None:
    """The province's confirm workbook (EOP018 + EOP019) for the month, confirmed."""
    after = period.next()
    when = when or at(after.year_ce, after.month, 2, 9)
    with deployment.ledger.atomic() as conn:
        serial = next(_serial)
        file_id = records.record_file(
            conn,
            sha256=f"seed-{serial}",
            name=f"confirm-{period}.xlsx",
            office=PROVINCE,
            size=0,
            dropped_mtime=None,
            received_at=when,
            archive_path=_placeholder(deployment, f"{serial}.xlsx"),
        )
        records.add_submission(
            conn,
            office=PROVINCE,
            kind="confirm",
            period=str(period),
            file_id=file_id,
            state="confirmed",
            reporter="seed",
            late=False,
            at=when,
        )
        records.store_judgement(
            conn, file_id, status="accepted", at=when, found=[], kind="confirm", period=str(period)
        )
        records.mark_answered(conn, file_id, when)


def shares(deployment: Deployment, office: str) -> dict[str, float]:
    with deployment.ledger.atomic() as conn:
        return {
            a: q
            for (_, a), (q, _) in targets_of(
                conn, deployment.config.fiscal_year, "allocated", office
            ).items()
        }


def play_round(
    deployment: Deployment,
    *,
    fraction: float = 0.45,
    skip: set[tuple[str, Period]] = frozenset(),
    late: set[tuple[str, Period]] = frozenset(),
    late_approval: set[tuple[str, Period]] = frozenset(),
    unapproved: set[tuple[str, Period]] = frozenset(),
    unconfirmed: set[Period] = frozenset(),
) -> None:
    """Round 1/2558 after the allocation: every office reports `fraction` of its share over
    the six months; sections approve in the window; the province confirms each month on the
    2nd — except what the sets name. The clock then stands after the round (`after_round`)."""
    allocated = {office: shares(deployment, office) for office in OFFICES}
    for period in ROUND_MONTHS:
        for office in OFFICES:
            if (office, period) in skip:
                continue
            figures = {a: q * fraction / len(ROUND_MONTHS) for a, q in allocated[office].items()}
            version = record_month(
                deployment, office, period, figures, late=(office, period) in late
            )
            if office != PROVINCE and (office, period) not in unapproved:
                approve(
                    deployment,
                    version,
                    when=review_moment(period, late=(office, period) in late_approval),
                )
        if period not in unconfirmed:
            confirm_month(deployment, period)
    after_round(deployment)


def after_round(deployment: Deployment) -> None:
    """The clock to the packet day of round 1/2558 (6 April 2558), if it stands before: every
    month of the round due, so that everything counts."""
    deployment.clock.set(max(deployment.now(), at(2015, 4, 6, 9)))


def catalogue(deployment: Deployment) -> list[str]:
    with deployment.ledger.atomic() as conn:
        return [a.code for a in activity_rows(conn, deployment.config.fiscal_year)]
