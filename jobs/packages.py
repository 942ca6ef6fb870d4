"""The provinces' packages of a period, drawn together on the strategy window's first day:
the period's figures read once, and, for more than one province, the provinces shared out to
worker processes. The country's 1st of the month is 77 packages of five reports, minutes of
PDF layout on one core; each province's reports are its own, so they draw side by side."""

from __future__ import annotations

import logging
from pathlib import Path

from eop.periods import Period
from eop.workers import can_fork, run_forked, worker_count
from jobs.consolidate import reporting_offices
from jobs.deployment import Deployment, worker_deployment
from jobs.reports import read_source, render_package

log = logging.getLogger(__name__)

PARALLEL_FROM = 2  # provinces: one alone is drawn here, in the service's own process

Drawn = tuple[dict[str, list[Path]], list[str]]  # province → its reports; what failed


def draw_packages(
    deployment: Deployment, period: str, provinces: list[str]
) -> dict[str, list[Path]]:
    """province → its package's reports (none for a province whose reports could not be
    drawn: that is said in deployment.failures and its mail goes without them)."""
    workers = min(worker_count(), len(provinces))
    if workers > 1 and len(provinces) >= PARALLEL_FROM and can_fork():
        deployment.ledger.engine.dispose()  # no open SQLite connection may cross a fork
        shares = [provinces[i::workers] for i in range(workers)]
        task = (deployment.config, deployment.ledger.url, deployment.clock, period)
        results = run_forked(_draw_share, [(*task, share) for share in shares])
    else:
        results = [draw_share(deployment, period, provinces)]
    drawn: dict[str, list[Path]] = {}
    for reports, failures in results:
        drawn.update(reports)
        deployment.failures.extend(failures)
    return drawn


def _draw_share(task: tuple) -> Drawn:
    config, url, clock, period, provinces = task
    with worker_deployment(config, url, clock) as deployment:
        return draw_share(deployment, period, provinces)


def draw_share(deployment: Deployment, period: str, provinces: list[str]) -> Drawn:
    """Each province's package from one reading of the period; one that fails is logged and
    named, and the others are drawn all the same."""
    config = deployment.config
    among = {o.code for province in provinces for o in reporting_offices(config, province)}
    source = read_source(deployment, Period.parse(period), among)
    drawn, failures = {}, []
    for province in provinces:
        try:
            drawn[province] = render_package(deployment, period, province, source=source)
        except Exception as error:
            log.exception("rendering the package of %s %s failed", province, period)
            failures.append(f"package-reports {province} {period}: {error}")
    return drawn, failures
