"""The calendar's jobs. Each runs once per key (a period, a fiscal year), recorded in the
ledger, and catches up when the service was down at the time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eop.calendar import MonthCalendar, open_entry_period
from jobs.deployment import Deployment
from jobs.issue import issue, monthly_offices
from ledger import records
from ledger.reference import targets_of


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    due: Callable[[Deployment], str | None]  # the key it is due for now, if any
    run: Callable[[Deployment, str], int]  # what it did (workbooks issued, mails queued)


def _entry_open(deployment: Deployment) -> str | None:
    period = open_entry_period(deployment.now(), deployment.config.calendar.rules)
    if period is None or period.fiscal_year != deployment.config.fiscal_year:
        return None
    return str(period)


def _issue_month(deployment: Deployment, period: str) -> int:
    for office in monthly_offices(deployment):
        issue(deployment, "monthly", office, period)
    return len(monthly_offices(deployment))


def _allocation_due(deployment: Deployment) -> str | None:
    """The allocation workbook goes to each province once its targets are in."""
    year = deployment.config.fiscal_year
    with deployment.ledger.atomic() as conn:
        if any(targets_of(conn, year, "province", p.code) for p in deployment.config.provinces()):
            return str(year)
    return None


def _issue_allocation(deployment: Deployment, year: str) -> int:
    provinces = [p.code for p in deployment.config.provinces()]
    for province in provinces:
        issue(deployment, "allocation", province, year)
    return len(provinces)


JOBS = [
    Job("issue-allocation", "ส่งแบบกำหนดเป้าหมายระดับอำเภอ (EOP016) ให้จังหวัด — allocation workbook to the province planner",
        _allocation_due, _issue_allocation),
    Job("issue-monthly", "ส่งแบบรายงานประจำเดือนเมื่อเปิดช่วงบันทึก — monthly workbooks when the entry window opens",
        _entry_open, _issue_month),
]


def run_due(deployment: Deployment) -> list[tuple[str, str, int]]:
    """Run every job that is due and has not run for its key; return what ran."""
    ran = []
    for job in JOBS:
        key = job.due(deployment)
        if key is None:
            continue
        with deployment.ledger.atomic() as conn:
            if records.job_done(conn, job.name, key):
                continue
        count = job.run(deployment, key)
        with deployment.ledger.atomic() as conn:
            records.mark_job_done(conn, job.name, key, deployment.now())
        ran.append((job.name, key, count))
    return ran


def entry_calendar(deployment: Deployment, period: str) -> MonthCalendar:
    from eop.periods import Period

    return MonthCalendar(Period.parse(period), deployment.config.calendar.rules)
