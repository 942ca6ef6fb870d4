"""The KPI round's progress, mailed to the coordinators at each checkpoint (DESIGN §8): the end
of each of the round's months but the last (whose evidence the checklist, 7, 3 and 1 days
before the deadline, and the packet cover). Each KPI as it stands mid-round — reached against
expected by now (the pace), a month not yet due "ยังไม่ถึงกำหนด / not yet due", never "not met";
the scoring is `eop kpi`'s own (kpi.scorecard.score).

  kpi-progress   `round|province|month` from the 1st after the month ends, for the round whose
                 deadline comes next; after downtime only the latest checkpoint; each once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eop.clock import BANGKOK
from eop.periods import Period
from eop.rounds import Round
from jobs.deployment import Deployment
from kpi.mailing import evidence_offices, evidence_people, guarded, kpi_lines, round_context
from kpi.model import STATUS_TEXT, KpiResult, LevelResult, Scorecard
from kpi.rules import KpiError, resolve_round, span_text
from ledger.db import record_event
from outbox.compose import make_message
from outbox.spool import queue

PROBLEMS_SHOWN = 3  # problems named under a level not met; the packet has them all


def checkpoint_moment(month: Period) -> datetime:
    """A month's checkpoint: the start of the next month's first day (its end)."""
    after = month.next()
    return datetime(after.year_ce, after.month, 1, tzinfo=BANGKOK)


def checkpoints(round_: Round) -> list[Period]:
    """The months at whose end the round's progress goes out: all but the last."""
    return round_.months[:-1]


def progress_due(deployment: Deployment) -> list[str]:
    """`round|province|month` for the latest checkpoint passed of the round due next."""
    now = deployment.now()
    try:
        round_ = resolve_round(deployment.config, None, now)
    except KpiError:
        return []
    passed = [m for m in checkpoints(round_) if checkpoint_moment(m) <= now]
    if not passed or now.date() > round_.deadline:
        return []
    offices = evidence_offices(deployment.config)
    return [f"{round_.code}|{office}|{passed[-1]}" for office in offices]


def send_progress(deployment: Deployment, key: str) -> int:
    """The round's progress to the province's coordinators and planner; 1 when mailed."""
    code, office, _ = key.split("|")
    with guarded(deployment, "kpi-progress-failed", office, code):
        return _send_progress(deployment, deployment.config.round(code), office, key)
    return 0


def _send_progress(deployment: Deployment, round_: Round, office: str, key: str) -> int:
    from kpi.scorecard import score

    card = score(deployment, round_, office)
    now = deployment.now()
    context = {**round_context(deployment, round_, office, now), **progress_context(card)}
    with deployment.ledger.atomic() as conn:
        draft = make_message("kpi_progress", evidence_people(deployment.config, office), context)
        dedupe = f"kpi-progress:{key}"
        queued = queue(conn, deployment.config, draft, now=now, dedupe_key=dedupe, office=office)
        if queued:
            record_event(
                conn, now, "kpi-progress", office=office, kind="evidence", period=round_.code,
                actor="calendar", as_of=str(card.as_of), key=key,
            )  # fmt: skip
    return 1 if queued else 0


def progress_context(card: Scorecard) -> dict[str, Any]:
    """Data to which month, what is not yet due, and each KPI level by level."""
    later_th, later_en = span_text(card.not_yet_due)
    return {
        "data_to_th": card.as_of.name_th,
        "data_to_en": card.as_of.name_en,
        "later_th": later_th,
        "later_en": later_en,
        "summary": kpi_lines(card),
        "progress": [_kpi(k) for k in card.kpis],
    }


def _kpi(result: KpiResult) -> dict[str, Any]:
    return {
        "code": result.code,
        "name_th": result.rule.name_th,
        "name_en": result.rule.name_en,
        "levels": [_level(level) for level in result.levels],
    }


def _level(level: LevelResult) -> dict[str, Any]:
    """A level as the mail shows it: its status (a month not yet due is never "not met"), the
    pace where a band is still to come, and the first problems of a level not met."""
    status_th, status_en = STATUS_TEXT[level.status]
    # a pace that names the months not yet due (KPI 2's facts) says it already
    named = level.pace is not None and "ยังไม่ถึงกำหนด" in level.pace[0]
    later_th, later_en = span_text([] if named else list(level.pending))
    problems = level.problems[:PROBLEMS_SHOWN] if level.status == "not-met" else []
    return {
        "level": level.level,
        "text_th": level.text_th,
        "text_en": level.text_en,
        "status": level.status,
        "status_th": status_th,
        "status_en": status_en,
        "pace": {"th": level.pace[0], "en": level.pace[1]} if level.pace else None,
        "later_th": later_th,
        "later_en": later_en,
        "problems": [{"th": p.th, "en": p.en} for p in problems],
        "more": max(0, len(level.problems) - PROBLEMS_SHOWN) if problems else 0,
    }
