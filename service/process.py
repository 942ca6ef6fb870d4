"""One pass of the service: every waiting file, every due job, the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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


def scanner_for(deployment: Deployment, stable_seconds: float | None = None) -> DropScanner:
    seconds = deployment.config.watch.stable_seconds if stable_seconds is None else stable_seconds
    return DropScanner(deployment.root, submitting_offices(deployment.config), seconds)


def run_pass(
    deployment: Deployment, scanner: DropScanner | None = None, *, send: bool = True
) -> PassReport:
    """Scheduled jobs first (a new period's workbooks), then files, answers and mail."""
    report = PassReport()
    report.jobs = run_due(deployment)
    scanner = scanner or scanner_for(deployment, stable_seconds=0)
    waiting = scanner.waiting()
    taken = take_all(deployment.ledger, deployment.config, waiting, deployment.now())
    for item, file_id in zip(waiting, taken):
        if file_id is not None:
            events.info("taken office=%s file=%d name=%s", item.office, file_id, item.path.name)
    report.waiting = scanner.pending
    report.verdicts = judge_pending(deployment.ledger, deployment.config, deployment.now())
    for v in report.verdicts:
        events.info(
            "verdict office=%s kind=%s period=%s %s findings=%d name=%s",
            *(v.office, v.kind, v.period, v.status, v.findings, v.name),
        )
    report.answered = answer_pending(deployment)
    report.jobs += run_due(
        deployment
    )  # what those files made due: a review again, the centre's reports
    for name, key, count in report.jobs:
        events.info("job %s key=%s count=%s", name, key, count)
    if send:
        report.sent = send_due(deployment.ledger, deployment.config, deployment.now())
    return report
