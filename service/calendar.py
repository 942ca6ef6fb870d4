"""The calendar's jobs (DESIGN §3, §9). Each runs once per key (a period, a fiscal year, a
confirmation), recorded in the ledger's job_runs, and catches up when the service was down
at the time: a job is due from its moment until the period locks, so the first pass after a
restart runs what was missed, once.

  issue-allocation   the allocation workbook once the province targets are in
  issue-monthly      the monthly workbooks when the entry window opens (the 25th)
  remind-missing     a reminder to offices still missing on the entry window's last day (27th)
  review-request     review workbooks to each section on the review window's first day (28th)
  review-update      a section's workbook again when a district sends a version it has not seen
  review-reminder    a reminder to sections still pending on the review window's last day (30th,
                     clamped; none in a one-day window such as a 28-day February's 28th)
  province-package   the consolidated package + confirm workbook to the strategy group (1st of M+1)
  centre-reports     the confirmed reports to the centre once the province confirms
  lock               the period locks after the strategy window (an event `locked`)

and the KPI round's (kpi.evidence, kpi.progress): evidence-register, target-letter,
kpi-progress (the round's progress at each month's end), evidence-checklist, evidence-packet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from eop.calendar import MonthCalendar, Window
from eop.clock import BANGKOK
from eop.periods import Period
from eop.workers import can_fork, run_forked, worker_count
from jobs import setup_folder
from jobs.confirm import centre_keys, send_package, send_to_centre
from jobs.deployment import Deployment, worker_deployment
from jobs.issue import issue, monthly_offices
from jobs.notices import remind_missing
from jobs.review import remind_sections, request_again, request_reviews, unseen
from kpi import evidence as kpi_evidence
from kpi import progress as kpi_progress
from ledger import records
from ledger.events import record_event
from ledger.reference import targets_of


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    due: Callable[[Deployment], list[str]]  # the keys it is due for now
    run: Callable[[Deployment, str], int]  # what it did (workbooks issued, mails queued)
    # Its keys may change with the files judged (not only with the time or a folder of its
    # own): looked at again after a pass's files, so that they are acted on in that pass.
    after_files: bool = True
    # Its keys are each a province's own and seconds to minutes of PDF work (a country's
    # reports to the centre, its evidence packets): several due at once are shared out to
    # worker processes.
    in_workers: bool = False


def _month(deployment: Deployment, period: Period) -> MonthCalendar:
    return MonthCalendar(period, deployment.config.calendar.rules)


def recent_periods(deployment: Deployment, back: int = 1) -> list[Period]:
    """This month and the `back` before it, within the configured fiscal year."""
    now = deployment.now()
    this = Period.of(now.year, now.month)
    return [
        p
        for p in (this.shift(-i) for i in range(back, -1, -1))
        if p.fiscal_year == deployment.config.fiscal_year
    ]


def from_moment(moment: Callable[[MonthCalendar], datetime]) -> Callable[[Deployment], list[str]]:
    """Due from `moment` of a period until the period locks."""

    def due(deployment: Deployment) -> list[str]:
        now = deployment.now()
        return [
            str(p)
            for p in recent_periods(deployment)
            if moment(_month(deployment, p)) <= now < _month(deployment, p).locks_at
        ]

    return due


def _last_day(window: Window) -> datetime:
    """The start of a window's last day: when a reminder for it goes out."""
    return datetime.combine(window.last, time(0), BANGKOK)


# -- the jobs' units ---------------------------------------------------------------------
def _issue_month(deployment: Deployment, period: str) -> int:
    for office in monthly_offices(deployment):
        issue(deployment, "monthly", office, period)
    return len(monthly_offices(deployment))


def _allocation_due(deployment: Deployment) -> list[str]:
    """The allocation workbook goes to each province once its targets are in."""
    year = deployment.config.fiscal_year
    with deployment.ledger.atomic() as conn:
        if any(targets_of(conn, year, "province", p.code) for p in deployment.config.provinces()):
            return [str(year)]
    return []


def _issue_allocation(deployment: Deployment, year: str) -> int:
    provinces = [p.code for p in deployment.config.provinces()]
    for province in provinces:
        issue(deployment, "allocation", province, year)
    return len(provinces)


def _review_update_due(deployment: Deployment) -> list[str]:
    """Versions a section has not been offered, once the period's review requests went out."""
    open_periods = from_moment(lambda m: m.review.opens)(deployment)
    with deployment.ledger.atomic() as conn:
        return [
            key
            for period in open_periods
            if records.job_done(conn, "review-request", period)
            for key in unseen(conn, deployment, period)
        ]


def _centre_due(deployment: Deployment) -> list[str]:
    with deployment.ledger.atomic() as conn:
        return centre_keys(conn, deployment)


def _lock_due(deployment: Deployment) -> list[str]:
    now = deployment.now()
    return [
        str(p) for p in recent_periods(deployment, back=2) if _month(deployment, p).locks_at <= now
    ]


def _lock(deployment: Deployment, period: str) -> int:
    with deployment.ledger.atomic() as conn:
        record_event(
            conn,
            deployment.now(),
            "locked",
            kind="monthly",
            period=period,
            actor="calendar",
            locks_at=_month(deployment, Period.parse(period)).locks_at,
        )
    return 1


JOBS = [
    Job(
        "issue-allocation",
        "ส่งแบบกำหนดเป้าหมายระดับอำเภอ (EOP016) ให้จังหวัด — allocation workbook to the province planner",
        _allocation_due,
        _issue_allocation,
    ),
    Job(
        "issue-monthly",
        "ส่งแบบรายงานประจำเดือนเมื่อเปิดช่วงบันทึก — monthly workbooks when the entry window opens",
        from_moment(lambda m: m.entry.opens),
        _issue_month,
        after_files=False,
    ),
    Job(
        "remind-missing",
        "เตือนหน่วยงานที่ยังไม่ส่งในวันสุดท้ายของช่วงบันทึก — reminder to offices still missing (entry window's last day)",
        from_moment(lambda m: _last_day(m.entry)),
        remind_missing,
        after_files=False,
    ),
    Job(
        "review-request",
        "ส่งแบบตรวจสอบให้กลุ่ม/ฝ่ายเมื่อเปิดช่วงตรวจสอบ — review workbooks to the sections (review window's first day)",
        from_moment(lambda m: m.review.opens),
        request_reviews,
        after_files=False,
    ),
    Job(
        "review-update",
        "ส่งแบบตรวจสอบอีกครั้งเมื่อมีฉบับใหม่ที่ยังไม่ได้ตรวจ — a section's workbook again for versions it has not seen",
        _review_update_due,
        request_again,
    ),
    Job(
        "review-reminder",
        "เตือนกลุ่ม/ฝ่ายที่ยังไม่ตรวจในวันสุดท้ายของช่วงตรวจสอบ — reminder to sections still pending (review window's last day)",
        from_moment(lambda m: _last_day(m.review)),
        remind_sections,
        after_files=False,
    ),
    Job(
        "province-package",
        "ส่งรายงานภาพรวมและแบบยืนยันให้กลุ่มยุทธศาสตร์ฯ — province package and confirm workbook (strategy window's first day)",
        from_moment(lambda m: m.strategy.opens),
        send_package,
        after_files=False,
    ),
    Job(
        "centre-reports",
        "ส่งรายงานที่จังหวัดยืนยันแล้วให้ส่วนกลาง — confirmed reports to the centre",
        _centre_due,
        send_to_centre,
        in_workers=True,
    ),
    Job(
        "lock",
        "ปิดงวดหลังช่วงยืนยันของจังหวัด — the period locks after the strategy window",
        _lock_due,
        _lock,
        after_files=False,
    ),
]


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


def run_job(deployment: Deployment, job: Job, key: str) -> int:
    """Run one job for one key and record it (whether or not it had run before). What failed
    inside it without stopping it is named with the command that runs it again."""
    failed = len(deployment.failures)
    count = job.run(deployment, key)
    what = deployment.failures[failed:]
    deployment.failures[failed:] = [failure_line(job.name, key, each) for each in what]
    with deployment.ledger.atomic() as conn:
        again = records.job_done(conn, job.name, key)
        if not again:
            records.mark_job_done(conn, job.name, key, deployment.now())
        if what or again:  # `eop health` names a job whose last run failed until it runs well
            record_event(
                conn, deployment.now(), "job-failed" if what else "job-ran-again",
                actor="calendar", job=job.name, key=key, error="; ".join(what)[:500] or None,
            )  # fmt: skip
    return count


def failure_line(name: str, key: str, what: str) -> str:
    return (
        f"งาน {name} ({key}) ไม่สำเร็จ: {what} — แก้สาเหตุแล้วสั่ง / job {name} ({key}) failed; "
        f"once the cause is fixed: eop jobs run {name} --key '{key}' --again"
    )


def run_due(deployment: Deployment, *, after_files: bool = False) -> list[tuple[str, str, int]]:
    """Run every job that is due and has not run for its key; return what ran. after_files:
    only the jobs whose keys the files just judged may have changed."""
    ran = []
    for job in (j for j in JOBS if j.after_files or not after_files):
        keys = job.due(deployment)
        if not keys:
            continue
        with deployment.ledger.atomic() as conn:  # one look for the job's keys, not one each
            done = records.job_keys_done(conn, job.name, keys)
        todo = [key for key in keys if key not in done]
        workers = min(worker_count(), len(todo))
        if job.in_workers and workers > 1 and can_fork():
            ran += _run_in_workers(deployment, job, todo, workers)
        else:
            ran += [each for key in todo if (each := _run_key(deployment, job, key))]
    return ran


def _run_key(deployment: Deployment, job: Job, key: str) -> tuple[str, str, int] | None:
    # Several hosts on one ledger: one runs it, the others pass it by; done is asked again
    # once held, as another host may have finished it in between.
    with deployment.ledger.exclusive(f"job {job.name} {key}") as mine:
        if mine and not _done(deployment, job, key):
            return job.name, key, run_job(deployment, job, key)
    return None


def _run_in_workers(
    deployment: Deployment, job: Job, keys: list[str], workers: int
) -> list[tuple[str, str, int]]:
    """The keys shared out to forked workers; what failed in them is this pass's to say."""
    deployment.ledger.engine.dispose()  # no open SQLite connection may cross a fork
    task = (deployment.config, deployment.ledger.url, deployment.clock, job.name)
    ran: list[tuple[str, str, int]] = []
    for share_ran, failures in run_forked(
        _run_share, [(*task, keys[i::workers]) for i in range(workers)]
    ):
        ran += share_ran
        deployment.failures.extend(failures)
    return ran


def _run_share(task: tuple) -> tuple[list[tuple[str, str, int]], list[str]]:
    config, url, clock, name, keys = task
    job = next(job for job in JOBS if job.name == name)
    with worker_deployment(config, url, clock) as deployment:
        ran = [each for key in keys if (each := _run_key(deployment, job, key))]
        return ran, deployment.failures


def _done(deployment: Deployment, job: Job, key: str) -> bool:
    with deployment.ledger.atomic() as conn:
        return records.job_done(conn, job.name, key)


# -- KPI evidence (kpi.evidence) ---------------------------------------------------------
JOBS += [
    Job(
        "evidence-register",
        "รับเอกสารหลักฐานตัวชี้วัดจากโฟลเดอร์ evidence ของจังหวัด — register documents dropped in the province's evidence folder",
        kpi_evidence.register_due,
        kpi_evidence.register_one,
        after_files=False,
    ),
    Job(
        "target-letter",
        "ร่างหนังสือแจ้งเป้าหมายงาน-เงินให้อำเภอเมื่อรับแบบจัดสรรแล้ว — draft the target notification memo once the allocation is accepted",
        kpi_evidence.letter_due,
        kpi_evidence.draft_letter,
    ),
    Job(
        "evidence-checklist",
        "แจ้งรายการหลักฐานที่ยังขาด 7, 3 และ 1 วันก่อนกำหนด — the checklist of what is missing, 7, 3 and 1 days before the deadline",
        kpi_evidence.checklist_due,
        kpi_evidence.send_checklist,
        after_files=False,
    ),
    Job(
        "kpi-progress",
        "แจ้งความก้าวหน้าตัวชี้วัดกลางรอบเมื่อสิ้นแต่ละเดือน — the round's KPI progress to the coordinators at each month's end",
        kpi_progress.progress_due,
        kpi_progress.send_progress,
        after_files=False,
    ),
    Job(
        "evidence-packet",
        "ส่งแฟ้มหลักฐานตัวชี้วัดวันก่อนกำหนด เมื่อยืนยันเดือนสุดท้ายของรอบแล้ว — the evidence packet the day before the deadline, once the round's last month is confirmed",
        kpi_evidence.packet_due,
        kpi_evidence.send_packet,
        in_workers=True,
    ),
]


JOBS.append(
    Job(
        "setup-apply",
        "ปรับผู้ใช้งาน/การตั้งค่าจากแบบฟอร์มในโฟลเดอร์ setup ของจังหวัด — apply a people or setup workbook dropped in the province's setup folder",
        setup_folder.setup_due,
        setup_folder.setup_run,
        after_files=False,
    )
)
