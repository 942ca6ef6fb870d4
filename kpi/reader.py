"""The ledger's facts for one province, round and month, read in one transaction and kept
(DESIGN §8): the documents on file, the districts and reporting offices, each month's accepted
versions, and which of the round's months are due by now for each stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.periods import Period
from eop.rounds import Round
from jobs.consolidate import read_inputs, reporting_offices, rollup
from jobs.deployment import Deployment
from kpi.model import ActivityAchievement
from kpi.rules import Stage, due_months, months_of, span_text
from ledger import evidence as ledger_evidence


class RoundFacts:
    """What the KPI checks read: `months` are the round's months to `as_of`; `due(stage)` those
    of them due by `now`, `pending(stage)` the round's months not yet due."""

    def __init__(
        self, conn: Connection, deployment: Deployment, round_: Round, office: str, as_of: Period
    ) -> None:
        self.conn, self.deployment, self.config = conn, deployment, deployment.config
        self.round, self.office, self.as_of = round_, office, as_of
        self.now: datetime = deployment.now()
        self.months = months_of(round_, as_of)
        self.documents = ledger_evidence.documents(conn, office, round_.fiscal_year)
        self.districts = [o for o in self.config.children(office) if o.level == "district"]
        self.reporting = reporting_offices(self.config, office)
        self._monthly: dict[Period, dict[str, ledger_evidence.SubmissionFact]] = {}

    def due(self, stage: Stage) -> list[Period]:
        return due_months(self.config, self.months, stage, self.now)

    def pending(self, stage: Stage) -> tuple[Period, ...]:
        due = set(self.due(stage))
        return tuple(m for m in self.round.months if m not in due)

    def monthly(self, month: Period) -> dict[str, ledger_evidence.SubmissionFact]:
        if month not in self._monthly:
            offices = [o.code for o in self.reporting]
            self._monthly[month] = ledger_evidence.monthly_facts(self.conn, str(month), offices)
        return self._monthly[month]

    def calendar(self, month: Period) -> MonthCalendar:
        return MonthCalendar(month, self.config.calendar.rules)

    def section_name(self, code: str) -> str:
        return next((s.name_th for s in self.config.sections if s.code == code), code)

    def activities(self) -> list[ActivityAchievement]:
        """KPI 1: each activity's cumulative quantity to `as_of` against the province target."""
        offices = [o.code for o in self.reporting]
        figures = rollup(read_inputs(self.conn, self.as_of, offices), self.config, self.office)
        names = {a.code: a.name_th for a in self.config.activities()}
        return [
            ActivityAchievement(code, names.get(code, code), f.cum_qty, f.target_qty, f.budget)
            for code, f in figures.items()
            if f.target_qty > 0
        ]

    def latest_result(self) -> datetime | None:
        """When the newest figures counted were accepted: the moment the achievement stands at."""
        codes = {o.code for o in self.reporting}
        moments = [
            f.accepted_at
            for month in self.months
            for code, f in self.monthly(month).items()
            if code in codes
        ]
        return max(moments, default=None)


def pace(
    facts: RoundFacts, due: list[Period], pending: tuple[Period, ...]
) -> tuple[str, str] | None:
    """Mid-round: how many of the round's months are due, and which are not yet."""
    if not pending:
        return None
    th, en = span_text(list(pending))
    total = len(facts.round.months)
    return (
        f"ถึงกำหนดแล้ว {len(due)} จาก {total} เดือน; ยังไม่ถึงกำหนด {th}",
        f"{len(due)} of {total} months due; {en} not yet due",
    )


def so_far(pending: tuple[Period, ...]) -> tuple[str, str]:
    """Mid-round a count is of what is due so far: said so, in Thai and English."""
    return ("ที่ถึงกำหนดแล้ว", " due so far") if pending else ("", "")
