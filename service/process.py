"""One pass of the service: every waiting file, every due job, the outbox."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from intake.folders import DropScanner
from intake.judging import Outcome, judge_pending
from intake.take import take_all
from jobs.answer import answer_pending
from jobs.deployment import Deployment, submitting_offices
from outbox.deliver import send_due
from service.calendar import run_due

events = logging.getLogger("eop.events")  # one line per event (service.health.log_events_to)


@dataclass
class PassReport:
    verdicts: list[Outcome] = field(default_factory=list)
    jobs: list[tuple[str, str, int]] = field(default_factory=list)
    answered: int = 0
    sent: int = 0
    waiting: int = 0  # files seen but not yet stable
    failed: list[str] = field(default_factory=list)  # jobs that failed (Deployment.failures)


def scanner_for(deployment: Deployment, stable_seconds: float | None = None) -> DropScanner:
    seconds = deployment.config.watch.stable_seconds if stable_seconds is None else stable_seconds
    return DropScanner(deployment.root, submitting_offices(deployment.config), seconds)


def run_pass(
    deployment: Deployment,
    scanner: DropScanner | None = None,
    *,
    send: bool = True,
    calendar: bool = True,
    hinted: Collection[Path] | None = None,
) -> PassReport:
    """Scheduled jobs first (a new period's workbooks), then files, answers and mail.
    calendar=False runs only the jobs that files make due, after the files, leaving those
    due by the time or by a folder of their own to the next pass that reads the calendar
    (see paced_passes); hinted: the drop folders to look in (None: every one)."""
    report = PassReport()
    if calendar:
        report.jobs = run_due(deployment)
    report.waiting = _take(deployment, scanner or scanner_for(deployment, 0), hinted)
    report.verdicts = judge_pending(deployment.ledger, deployment.config, deployment.now())
    for v in report.verdicts:
        events.info(
            "verdict office=%s kind=%s period=%s %s findings=%d name=%s",
            *(v.office, v.kind, v.period, v.status, v.findings, v.name),
        )
    report.answered = answer_pending(deployment)
    report.sent = _send(deployment) if send else 0  # the offices' answers before the rest
    # what those files made due (a review again, the centre's reports, the target memo) and,
    # when the calendar is read, what settled meanwhile (a document in a folder of its own)
    later = run_due(deployment, after_files=not calendar)
    report.jobs += later
    for name, key, count in report.jobs:
        events.info("job %s key=%s count=%s", name, key, count)
    if send and later:
        report.sent += _send(deployment)
    report.failed, deployment.failures = deployment.failures, []
    return report


def _take(deployment: Deployment, scanner: DropScanner, hinted: Collection[Path] | None) -> int:
    """The files ready in the drop folders taken (archived, recorded); how many still settle."""
    scanner.offices = submitting_offices(deployment.config)  # a setup workbook may add one
    waiting = scanner.waiting(hinted=hinted)
    taken = take_all(deployment.ledger, deployment.config, waiting, deployment.now())
    for item, file_id in zip(waiting, taken):
        if file_id is not None:
            events.info("taken office=%s file=%d name=%s", item.office, file_id, item.path.name)
    return scanner.pending


def _send(deployment: Deployment) -> int:
    return send_due(deployment.ledger, deployment.config, deployment.now())


def paced_passes(
    deployment: Deployment,
    scanner: DropScanner,
    tick_seconds: float,
    hinted: Callable[[], set[Path]] | None = None,
) -> Callable[[], PassReport]:
    """The service's passes: the calendar looked at once a tick (its time-keyed jobs, every
    province's setup and evidence folders, every drop folder), the files and what they make
    due at every pass, so that a dropped file's answer does not wait for the whole calendar
    to be read. hinted: the drop folders a watcher saw change, looked in between ticks."""
    looked = -float("inf")

    def one_pass() -> PassReport:
        nonlocal looked
        folders = hinted() if hinted else None
        calendar = time.monotonic() - looked >= tick_seconds
        if calendar:
            looked = time.monotonic()
        report = run_pass(
            deployment, scanner, calendar=calendar, hinted=None if calendar else folders
        )
        warm_up()  # after the first pass, once
        return report

    return one_pass


@cache
def warm_up() -> None:
    """The judging stack (pandas, pandera, the readers and checks) loaded and the answers'
    templates compiled once the service is up, not when the first file of the day arrives:
    that file is answered as fast as the next. In the main thread, between passes: a worker
    forked mid-import would inherit a held lock."""
    import intake.judge  # noqa: F401
    import validators.monthly_schemas  # noqa: F401  (a clean pass never loads them)
    from templates.mail import compile_answers
    from validators.frames import load_checks

    load_checks()
    compile_answers()
