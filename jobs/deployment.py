"""The deployment on disk: its folders, its ledger, and the reference data from config."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from eop.clock import Clock
from eop.config import Config, Targets
from intake.folders import ensure_share
from ledger import Ledger
from ledger.events import record_event
from ledger.reference import (
    ActivityRow,
    replace_activities,
    replace_offices,
    replace_people,
    set_targets,
    target_source,
)


@dataclass
class Deployment:
    """What every job needs: the config, the ledger and the clock."""

    config: Config
    ledger: Ledger
    clock: Clock = field(default_factory=Clock)
    # what failed in a job that must not stop the pass (logged, recorded as an event): said by
    # the command that ran it, with its exit code, and taken by each pass (PassReport.failed)
    failures: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.config.root

    def now(self) -> datetime:
        return self.clock.now()


def submitting_offices(config: Config) -> list[str]:
    """Offices with a drop folder: provinces, districts and the sections that review."""
    return [o.code for o in config.offices if o.level in ("province", "district")] + [
        s.code for s in config.sections
    ]


@contextmanager
def worker_deployment(config: Config, ledger_url: str, clock: Clock) -> Iterator[Deployment]:
    """A forked worker's deployment: the same config and clock, its own ledger connection (no
    open connection may cross a fork), closed when its share is done."""
    deployment = Deployment(config, Ledger(ledger_url, migrations=False), clock)
    try:
        yield deployment
    finally:
        deployment.ledger.close()


def open_deployment(config: Config, clock: Clock | None = None) -> Deployment:
    """Create what is missing (folders, ledger, reference data) and open it."""
    ledger_url = config.ledger_location  # a wrong $EOP_LEDGER_URL is said before anything is made
    config.root.mkdir(parents=True, exist_ok=True)
    for sub in ("archive", "reports", "evidence", "outbox"):
        (config.root / sub).mkdir(exist_ok=True)
    ensure_share(config.root, submitting_offices(config))
    deployment = Deployment(config, Ledger(ledger_url), clock or Clock())
    sync_reference(deployment)
    return deployment


def sync_reference(deployment: Deployment) -> None:
    """Offices, people and the catalogue follow config; config targets seed a fiscal year
    that has none from a targets workbook or CSV."""
    config, now = deployment.config, deployment.now()
    with deployment.ledger.atomic() as conn:
        replace_offices(conn, [o.model_dump() for o in config.offices])
        replace_offices(conn, _section_offices(config))
        replace_people(conn, _people(config))
        replace_activities(conn, config.fiscal_year, _activities(config))
        for targets in config.targets:
            if target_source(conn, targets.fiscal_year, "province", targets.office) is None:
                _seed_targets(conn, targets, now)


def _section_offices(config: Config) -> list[dict]:
    """The sections as offices of the ledger (each under its province office)."""
    return [
        {
            "code": s.code,
            "level": "section",
            "parent": s.office,
            "name_th": s.name_th,
            "name_en": s.name_en,
            "kind": s.kind,
        }
        for s in config.sections
    ]


def _people(config: Config) -> list[dict]:
    return [
        {
            "email": p.email,
            "name": p.name,
            "office": p.office,
            "role": p.role.value,
            "section": p.section,
        }
        for p in config.people
    ]


def _seed_targets(conn: Connection, targets: Targets, now: datetime) -> None:
    rows = {(targets.office, r.activity): (r.quantity, r.budget) for r in targets.rows}
    set_targets(conn, targets.fiscal_year, "province", rows, source="config", at=now)
    record_event(
        conn,
        now,
        "targets-set",
        office=targets.office,
        period=str(targets.fiscal_year),
        source="config",
    )


def _activities(config: Config) -> list[ActivityRow]:
    rows: list[ActivityRow] = []
    for plan in config.plans:
        for output in plan.outputs:
            for activity in output.activities:
                rows.append(
                    ActivityRow(
                        activity.code,
                        len(rows) + 1,
                        plan.code,
                        output.code,
                        activity.name_th,
                        activity.name_en,
                        activity.unit,
                        activity.unit_en,
                        activity.whole,
                        activity.section,
                    )
                )
    return rows
