"""What every KPI evidence job shares: who is told, the rounds of the year, the context of a
round's mail, and the guard that keeps a failing job from stopping the service's pass."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from eop.config import Config, Role
from eop.rounds import Round
from eop.thai import date_en, date_th, datetime_th
from jobs.deployment import Deployment
from ledger.db import record_event

log = logging.getLogger(__name__)


def evidence_people(config: Config, province: str) -> list[str]:
    """Who keeps a province's KPI evidence: its coordinators (strategy group) and its planner."""
    people = config.people_of(
        province, Role.COORDINATOR, Role.PROVINCE_PLANNER
    ) or config.people_of(province)
    return sorted({p.email for p in people})


def evidence_offices(config: Config) -> list[str]:
    return [p.code for p in config.provinces()]


def current_rounds(config: Config) -> list[Round]:
    return [r for r in config.rounds if r.fiscal_year == config.fiscal_year]


def office_context(config: Config, office: str) -> dict[str, str]:
    here = config.office(office)
    return {"code": office, "name_th": here.name_th, "name_en": here.name_en}


def round_context(
    deployment: Deployment, round_: Round, office: str, now: datetime
) -> dict[str, Any]:
    return {
        "office": office_context(deployment.config, office),
        "round": round_.code,
        "deadline_th": date_th(round_.deadline),
        "deadline_en": date_en(round_.deadline),
        "days_left": (round_.deadline - now.date()).days,
        "as_of_th": datetime_th(now),
        "as_of_en": f"{date_en(now)} {now:%H:%M}",
    }


def kpi_lines(card: Any) -> list[dict[str, Any]]:
    """Each KPI of a scorecard as a line of a mail: level, score, weighted score."""
    return [
        {
            "code": k.code,
            "name_th": k.rule.name_th,
            "name_en": k.rule.name_en,
            "level": k.level,
            "levels": len(k.levels),
            "score": f"{k.score:.4f}",
            "weighted": f"{k.weighted:.4f}",
            "weight": f"{k.rule.weight:g}",
            "achievement": f"{k.achievement:,.2f}" if k.achievement is not None else None,
        }
        for k in card.kpis
    ]


class guarded:
    """A job's failure is logged and recorded (an event), never allowed to stop the service's
    pass; `eop evidence --send` or `eop jobs run … --again` repeats it."""

    def __init__(
        self, deployment: Deployment, event: str, office: str, period: str | None = None
    ) -> None:
        self.deployment, self.event, self.office, self.period = deployment, event, office, period

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, trace) -> bool:
        if error is None or not isinstance(error, Exception):
            return False
        log.exception(
            "%s for %s %s",
            self.event,
            self.office,
            self.period or "",
            exc_info=(kind, error, trace),
        )
        self.deployment.failures.append(f"{self.event} {self.office}: {error}")
        try:
            with self.deployment.ledger.atomic() as conn:
                record_event(
                    conn,
                    self.deployment.now(),
                    self.event,
                    office=self.office,
                    kind="evidence",
                    period=self.period,
                    actor="calendar",
                    error=repr(error)[:500],
                )
        except Exception:
            log.exception("recording %s failed", self.event)
        return True
