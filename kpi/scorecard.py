"""KPI scoring for a province and a round (DESIGN §8), from config's rules and the ledger's facts.

KPI 1 (kind `achievement`): each activity's cumulative quantity against the province's annual
target, capped at 100 % and averaged (or weighted by budget); level 1 needs its documents
(the appointment order), levels 2… the round's bands. KPI 2 (kind `e-system`): the highest
level whose evidence and every lower level's hold (kpi.kpi2 reads each fact). The rooms of the
subject: kpi.rules (rounds, names, when a month is due), kpi.reader (the ledger's facts),
kpi.levels (a rule scored level by level), kpi.model (what a score is made of),
kpi.checklist (what is missing), kpi.rpt311 (the scorecard as a report).

Mid-round only what is due by now counts: the data reach the newest month whose entry window
has closed, and a month not yet due is "ยังไม่ถึงกำหนด / not yet due", never "not met".
"""

from __future__ import annotations

from typing import Any

from eop.formats import moment_en, moment_th
from eop.periods import Period
from eop.rounds import Round
from jobs.deployment import Deployment
from kpi.checklist import checklist, group_checklist
from kpi.levels import Scoring
from kpi.model import ChecklistItem, Problem, Scorecard, document_dict
from kpi.reader import RoundFacts
from kpi.rules import (
    KpiError,
    check_province,
    document_label,
    latest_due,
    months_of,
    resolve_round,
)

__all__ = [  # what the evidence registry, the packet and the command line use from here
    "ChecklistItem",
    "KpiError",
    "Problem",
    "Scorecard",
    "checklist",
    "document_label",
    "group_checklist",
    "moment_en",
    "moment_th",
    "score",
    "scorecard_dict",
]


def score(
    deployment: Deployment, round_: Round | str, office: str, *, as_of: Period | str | None = None
) -> Scorecard:
    """Every KPI of the round's fiscal year for a province, from the ledger as it stands now;
    to `as_of` (a report's period), else to the newest month due."""
    config, now = deployment.config, deployment.now()
    if isinstance(round_, str):
        round_ = resolve_round(config, round_, now)
    check_province(config, office)
    rules = config.kpis_of(round_.fiscal_year)
    if not rules:
        raise KpiError(
            f"ไม่มีเกณฑ์ตัวชี้วัดของปีงบประมาณ {round_.fiscal_year} ใน config.yaml — "
            f"config.yaml has no KPI rules for fiscal year {round_.fiscal_year}"
        )
    last = Period.parse(round_.last)
    month = min(Period.parse(as_of), last) if as_of else latest_due(config, round_, now)
    with deployment.ledger.atomic() as conn:
        facts = RoundFacts(conn, deployment, round_, office, month)
        scoring = Scoring(facts)
        results = [scoring.score(rule) for rule in rules]
        pending = list(facts.pending("entry"))
    here = config.office(office)
    names = {o.code: o.name_th for o in [here, *config.children(office)]}
    return Scorecard(
        round_,
        office,
        here.name_th,
        here.name_en,
        month,
        now,
        results,
        facts.documents,
        months_of(round_, month),
        pending,
        names,
    )


def scorecard_dict(card: Scorecard) -> dict[str, Any]:
    """The stable shape of `eop kpi --json` (README); `not_yet_due`: the round's months whose
    entry window has not closed (mid-round)."""
    return {
        "round": card.round.code,
        "fiscal_year": card.round.fiscal_year,
        "office": card.office,
        "office_th": card.office_th,
        "as_of": str(card.as_of),
        "months": [str(m) for m in card.months],
        "not_yet_due": [str(m) for m in card.not_yet_due],
        "deadline": card.round.deadline.isoformat(),
        "computed_at": card.computed_at.isoformat(),
        "kpis": [k.as_dict() for k in card.kpis],
        "total": {"weight": card.total_weight, "weighted": card.total_weighted},
        "documents": [document_dict(d) for d in card.documents],
        "checklist": [item.as_dict() for item in checklist(card)],
    }
