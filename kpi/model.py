"""What a KPI score is made of (DESIGN §8): proofs, problems, each level's result, each KPI's
result, the checklist's items and the scorecard of a province for a round.

Mid-round (the round's months not all due yet) a level can be met only so far, or not yet
due: `pending` months are those whose deadline (entry, review or confirmation) has not come.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from eop.periods import Period
from eop.rounds import EvidenceNeed, KpiRule, Round
from ledger.evidence import Document


@dataclass(frozen=True)
class Proof:
    """One piece of evidence: a document on file, a ledger fact with its moment, or a report."""

    kind: Literal["document", "fact", "report"]
    th: str
    en: str
    at: datetime | None = None
    ref: str | None = None  # a document's number, a report's code, a file's name
    document_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "th": self.th,
            "en": self.en,
            "at": self.at.isoformat() if self.at else None,
            "ref": self.ref,
        }


@dataclass(frozen=True)
class Problem:
    """Why something fails, as a line of the checklist: a stable code, Thai and English."""

    code: str
    th: str
    en: str
    office: str | None = None
    period: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "th": self.th,
            "en": self.en,
            "office": self.office,
            "period": self.period,
        }


@dataclass(frozen=True)
class Check:
    """A condition on what is due by now: it holds or fails with its problems; `pending` are
    the round's months not yet due for it, `pace` (Thai, English) how far along it is."""

    holds: bool
    proofs: list[Proof] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pending: tuple[Period, ...] = ()
    pace: tuple[str, str] | None = None


Status = Literal["met", "met-so-far", "lower-not-met", "not-yet-due", "not-met"]
STATUS_TEXT: dict[str, tuple[str, str]] = {
    "met": ("ผ่าน", "met"),
    "met-so-far": ("ผ่านถึงขณะนี้", "met so far"),
    "lower-not-met": ("ผ่าน แต่ระดับต่ำกว่ายังไม่ผ่าน", "met, a lower level is not"),
    "not-yet-due": ("ยังไม่ถึงกำหนด", "not yet due"),
    "not-met": ("ไม่ผ่าน", "not met"),
}


@dataclass(frozen=True)
class LevelResult:
    level: int
    text_th: str
    text_en: str
    needs: list[EvidenceNeed]
    band: tuple[float, float] | None
    holds: bool  # its own condition
    reached: bool  # it and every lower level hold
    proofs: list[Proof]
    problems: list[Problem]
    pending: tuple[Period, ...] = ()  # the round's months not yet due for it
    pace: tuple[str, str] | None = None  # expected by now against reached

    @property
    def status(self) -> Status:
        """Met, met so far (months still to come), not yet due (mid-round, nothing due has
        failed), or not met: a month not yet due never makes a level fail."""
        if self.reached:
            return "met-so-far" if self.pending else "met"
        if self.holds:
            return "lower-not-met"
        return "not-yet-due" if self.pending and not self.problems else "not-met"

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "text_th": self.text_th,
            "text_en": self.text_en,
            "band": list(self.band) if self.band else None,
            "holds": self.holds,
            "reached": self.reached,
            "status": self.status,
            "not_yet_due": [str(m) for m in self.pending],
            "pace": {"th": self.pace[0], "en": self.pace[1]} if self.pace else None,
            "needs": [n.text for n in self.needs],
            "evidence": [p.as_dict() for p in self.proofs],
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class DocumentCheck:
    need: EvidenceNeed
    check: Check

    def as_dict(self) -> dict[str, Any]:
        return {
            "need": self.need.text,
            "on_file": self.check.holds,
            "evidence": [p.as_dict() for p in self.check.proofs],
            "problems": [p.as_dict() for p in self.check.problems],
        }


@dataclass(frozen=True)
class ActivityAchievement:
    activity: str
    name_th: str
    cumulative: float
    target: float
    budget: float

    @property
    def percent(self) -> float:
        return self.cumulative / self.target * 100 if self.target else 0.0

    @property
    def capped(self) -> float:
        return min(self.percent, 100.0)


@dataclass(frozen=True)
class KpiResult:
    rule: KpiRule
    achievement: float | None  # KPI 1: the province's achievement in %
    level: int
    score: float
    weighted: float
    levels: list[LevelResult]
    documents: list[DocumentCheck]
    activities: list[ActivityAchievement] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.rule.code

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.rule.code,
            "name_th": self.rule.name_th,
            "name_en": self.rule.name_en,
            "kind": self.rule.kind,
            "weight": self.rule.weight,
            "method": self.rule.method if self.rule.kind == "achievement" else None,
            "interpolate": self.rule.interpolate,
            "achievement": self.achievement,
            "level": self.level,
            "score": self.score,
            "weighted": self.weighted,
            "levels": [lv.as_dict() for lv in self.levels],
            "documents": [d.as_dict() for d in self.documents],
            "activities": [
                {
                    "activity": a.activity,
                    "cumulative": a.cumulative,
                    "target": a.target,
                    "budget": a.budget,
                    "percent": round(a.percent, 4),
                    "capped": round(a.capped, 4),
                }
                for a in self.activities
            ],
        }


@dataclass(frozen=True)
class ChecklistItem:
    kpi: str
    level: int | None  # None: a document the KPI as a whole needs
    problem: Problem
    office_th: str = ""  # the office's name, when the problem names one

    def as_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "level": self.level, **self.problem.as_dict()}


@dataclass(frozen=True)
class Scorecard:
    round: Round
    office: str
    office_th: str
    office_en: str
    as_of: Period
    computed_at: datetime
    kpis: list[KpiResult]
    documents: list[Document]
    months: list[Period]  # the round's months to `as_of`
    not_yet_due: list[Period]  # the round's months whose entry has not closed by `computed_at`
    names: dict[str, str] = field(default_factory=dict)  # office code → Thai name

    @property
    def mid_round(self) -> bool:
        return bool(self.not_yet_due)

    @property
    def total_weight(self) -> float:
        return sum(k.rule.weight for k in self.kpis)

    @property
    def total_weighted(self) -> float:
        return round(sum(k.weighted for k in self.kpis), 4)

    def kpi(self, code: str) -> KpiResult:
        return next(k for k in self.kpis if k.code == code)


def document_dict(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind,
        "number": d.number,
        "date": d.day.isoformat() if d.day else None,
        "title_th": d.title_th,
        "name": d.name,
        "sha256": d.sha256,
        "pages": d.pages,
        "source": d.source,
        "registered_at": d.registered_at.isoformat(),
    }
