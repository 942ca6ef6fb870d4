"""KPI scoring for an office and a round (DESIGN §8), from config's rules and the ledger's facts.

KPI 1 (kind `achievement`): each activity's cumulative quantity against the province's annual
target, capped at 100 % and averaged (or weighted by budget); level 1 needs its documents
(the appointment order), levels 2… the round's bands; the score is the level, or interpolated
inside the bands when config asks. KPI 2 (kind `e-system`): the highest level whose evidence
and every lower level's hold, each level's facts read from the ledger with the moments that
prove them, or the reasons it fails:

  targets-set              the province's targets are in (with the letter or minutes on file)
  allocation-accepted      the allocation workbook (EOP016) was accepted
  districts-recorded       every district recorded every month of the round
  approved-in-window       every district's month approved by its sections inside the review window
  complete-on-time         every office every month, none late, every month confirmed in time
  no-correction-to-centre  no correction of the round's months sent to the Planning Division

Reports named as evidence (RPT111, RPT112 …) are appended to the packet; they prove, they do
not decide. A KPI's `documents` (its committee's order) are checked and listed, not levelled.
`checklist` turns every failing item into a line a coordinator can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.config import Config
from eop.formats import moment_en, moment_th
from eop.periods import Period
from eop.rounds import DOCUMENT_KINDS, EvidenceNeed, KpiRule, Level, Round
from eop.thai import MONTHS_EN, date_en, date_th
from jobs.consolidate import read_inputs, reporting_offices, rollup
from jobs.deployment import Deployment
from kpi.score import achievement_score, highest_level, mean_capped, round4
from ledger import evidence as ledger_evidence
from ledger.evidence import Document

try:  # the workflow (section review, confirmation, corrections) lives in ledger.workflow
    from ledger import workflow
except ImportError:  # pragma: no cover — a build without it scores KPI 2 levels 4–5 as unproven
    workflow = None  # type: ignore[assignment]


class KpiError(ValueError):
    """A KPI question that cannot be answered: an unknown round or office, no rules for its year."""

    permanent = True


# -- what a score is made of ---------------------------------------------------------------


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
    holds: bool
    proofs: list[Proof] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "text_th": self.text_th,
            "text_en": self.text_en,
            "band": list(self.band) if self.band else None,
            "holds": self.holds,
            "reached": self.reached,
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

    @property
    def total_weight(self) -> float:
        return sum(k.rule.weight for k in self.kpis)

    @property
    def total_weighted(self) -> float:
        return round(sum(k.weighted for k in self.kpis), 4)

    def kpi(self, code: str) -> KpiResult:
        return next(k for k in self.kpis if k.code == code)

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of `eop kpi --json` (README)."""
        return {
            "round": self.round.code,
            "fiscal_year": self.round.fiscal_year,
            "office": self.office,
            "office_th": self.office_th,
            "as_of": str(self.as_of),
            "months": [str(m) for m in months_of(self.round, self.as_of)],
            "deadline": self.round.deadline.isoformat(),
            "computed_at": self.computed_at.isoformat(),
            "kpis": [k.as_dict() for k in self.kpis],
            "total": {"weight": self.total_weight, "weighted": self.total_weighted},
            "documents": [document_dict(d) for d in self.documents],
            "checklist": [item.as_dict() for item in checklist(self)],
        }


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


# -- names as people read them ---------------------------------------------------------------


def document_label(kind: str, number: str | None) -> tuple[str, str]:
    names = DOCUMENT_KINDS[kind]
    return (
        f"{names.name_th}{f' ที่ {number}' if number else ''}",
        f"{names.name_en}{f' no. {number}' if number else ''}",
    )


def months_of(round_: Round, as_of: Period) -> list[Period]:
    return [m for m in round_.months if m <= as_of]


def months_text(round_: Round) -> tuple[str, str]:
    first, last = Period.parse(round_.first), Period.parse(round_.last)
    return (
        f"ตั้งแต่เดือน {first.short_th} – {last.short_th}",
        f"{MONTHS_EN[first.month - 1]} {first.year_be} – {MONTHS_EN[last.month - 1]} {last.year_be} BE",
    )


def band_text(band: tuple[float, float]) -> str:
    return f"{band[0]:g}% - {band[1]:g}%"


def level_text(
    rule: KpiRule, level: Level, band: tuple[float, float] | None, round_: Round
) -> tuple[str, str]:
    """The level's text with `{band}` and `{months}` filled in for the round."""
    months_th, months_en = months_text(round_)
    values_th = {"band": band_text(band) if band else "", "months": months_th}
    values_en = {"band": band_text(band) if band else "", "months": months_en}
    return level.text_th.format(**values_th), level.text_en.format(**values_en)


# -- choosing a round -------------------------------------------------------------------------


def resolve_round(config: Config, code: str | None, now: datetime) -> Round:
    """The round named (`1/2558`, Thai digits too), or the next round whose deadline has not
    passed, or the latest one."""
    from eop.thai import to_arabic_digits

    if not config.rounds:
        raise KpiError("config.yaml ไม่มีรอบตัวชี้วัด (rounds) — config.yaml defines no KPI rounds")
    if code:
        wanted = to_arabic_digits(code.strip())
        for found in config.rounds:
            if found.code == wanted:
                return found
        raise KpiError(
            f"ไม่มีรอบ {code!r} (มี {', '.join(r.code for r in config.rounds)}) — "
            f"no round {code!r}; the rounds are {', '.join(r.code for r in config.rounds)}"
        )
    upcoming = sorted(
        (r for r in config.rounds if r.deadline >= now.date()), key=lambda r: r.deadline
    )
    return upcoming[0] if upcoming else max(config.rounds, key=lambda r: r.deadline)


def round_for_period(config: Config, period: Period) -> Round:
    """The round a period is reported under: of the rounds covering it, the one ending first."""
    covering = [r for r in config.rounds if period in r.months]
    if not covering:
        raise KpiError(f"งวด {period} ไม่อยู่ในรอบตัวชี้วัดใด — period {period} is in no KPI round")
    return min(covering, key=lambda r: (Period.parse(r.last), r.code))


def check_province(config: Config, office: str) -> None:
    known = {o.code: o for o in config.offices}
    if office not in known:
        raise KpiError(f"ไม่มีหน่วยงานรหัส {office!r} — no office {office!r}")
    if known[office].level != "province":
        raise KpiError(
            f"ตัวชี้วัดประเมินระดับจังหวัด: {office} ไม่ใช่จังหวัด — KPIs are scored for a province; {office} is not one"
        )


# -- scoring ----------------------------------------------------------------------------------


def score(
    deployment: Deployment, round_: Round | str, office: str, *, as_of: Period | str | None = None
) -> Scorecard:
    """Every KPI of the round's fiscal year for a province, from the ledger as it stands now."""
    config = deployment.config
    if isinstance(round_, str):
        round_ = resolve_round(config, round_, deployment.now())
    check_province(config, office)
    rules = config.kpis_of(round_.fiscal_year)
    if not rules:
        raise KpiError(
            f"ไม่มีเกณฑ์ตัวชี้วัดของปีงบประมาณ {round_.fiscal_year} ใน config.yaml — "
            f"config.yaml has no KPI rules for fiscal year {round_.fiscal_year}"
        )
    last = Period.parse(round_.last)
    month = min(Period.parse(as_of), last) if as_of else last
    with deployment.ledger.atomic() as conn:
        facts = Facts(conn, deployment, round_, office, month)
        results = [facts.score(rule) for rule in rules]
        on_file = ledger_evidence.documents(conn, office, round_.fiscal_year)
    here = config.office(office)
    return Scorecard(
        round_, office, here.name_th, here.name_en, month, deployment.now(), results, on_file
    )


class Facts:
    """The ledger's answers for one province, round and month, read in one transaction."""

    def __init__(
        self, conn: Connection, deployment: Deployment, round_: Round, office: str, as_of: Period
    ) -> None:
        self.conn, self.deployment, self.config = conn, deployment, deployment.config
        self.round, self.office, self.as_of = round_, office, as_of
        self.months = months_of(round_, as_of)
        self.documents = ledger_evidence.documents(conn, office, round_.fiscal_year)
        self.districts = [o for o in self.config.children(office) if o.level == "district"]
        self.reporting = reporting_offices(self.config, office)
        self._monthly: dict[Period, dict[str, ledger_evidence.SubmissionFact]] = {}
        self._checks: dict[str, Check] = {}

    # -- per rule ---------------------------------------------------------------------------
    def score(self, rule: KpiRule) -> KpiResult:
        documents = [DocumentCheck(need, self.need(need)) for need in rule.document_needs]
        if rule.kind == "achievement":
            return self._achievement(rule, documents)
        return self._e_system(rule, documents)

    def _achievement(self, rule: KpiRule, documents: list[DocumentCheck]) -> KpiResult:
        bands = rule.bands.get(self.round.code)
        if bands is None:
            raise KpiError(
                f"{rule.code}: ไม่มีช่วงคะแนนของรอบ {self.round.code} — no bands for round {self.round.code}"
            )
        activities = self.activities()
        percent = mean_capped(
            [(a.cumulative, a.target, a.budget) for a in activities],
            weighted_by_budget=rule.method == "budget-weighted",
        )
        level1 = self.level_check(rule.levels[0])
        result = achievement_score(
            percent, bands, level1=level1.holds, weight=rule.weight, interpolate=rule.interpolate
        )
        how_th = "เฉลี่ยถ่วงน้ำหนักด้วยงบประมาณ" if rule.method == "budget-weighted" else "เฉลี่ย"
        how_en = "budget-weighted mean" if rule.method == "budget-weighted" else "mean"
        measured = Proof(
            "fact",
            f"ผลสำเร็จ{how_th}ร้อยละ {percent:,.2f} จาก {len(activities)} กิจกรรม (แต่ละกิจกรรมไม่เกินร้อยละ 100) "
            f"ผลสะสมถึง {self.as_of.name_th}",
            f"{how_en} achievement {percent:,.2f}% over {len(activities)} activities (each capped at 100%), "
            f"cumulative to {self.as_of.name_en}",
            at=self.latest_result(),
            ref="RPT111",
        )
        levels = []
        for level in rule.levels:
            band = bands[level.level - 2] if level.level >= 2 else None
            if level.level == 1:
                check = level1
            else:
                check = self._band_check(level, band, percent, measured)
            levels.append(self._level(rule, level, band, check, levels))
        return KpiResult(
            rule,
            percent,
            result.level,
            result.score,
            result.weighted,
            levels,
            documents,
            activities,
        )

    def _band_check(
        self, level: Level, band: tuple[float, float] | None, percent: float, measured: Proof
    ) -> Check:
        assert band is not None
        base = self.level_check(level)
        if percent >= band[0] - 1e-9:
            return Check(base.holds, [measured, *base.proofs], base.problems)
        problem = Problem(
            "below-band",
            f"ผลสำเร็จร้อยละ {percent:,.2f} ยังไม่ถึงร้อยละ {band[0]:g}",
            f"achievement {percent:,.2f}% has not reached {band[0]:g}%",
        )
        return Check(False, [measured, *base.proofs], [problem, *base.problems])

    def _e_system(self, rule: KpiRule, documents: list[DocumentCheck]) -> KpiResult:
        levels: list[LevelResult] = []
        for level in rule.levels:
            levels.append(self._level(rule, level, None, self.level_check(level), levels))
        reached = highest_level([lv.holds for lv in levels])
        return KpiResult(
            rule,
            None,
            reached,
            float(reached),
            round4(reached * rule.weight / 100),
            levels,
            documents,
        )

    def _level(
        self,
        rule: KpiRule,
        level: Level,
        band: tuple[float, float] | None,
        check: Check,
        below: list[LevelResult],
    ) -> LevelResult:
        text_th, text_en = level_text(rule, level, band, self.round)
        reached = check.holds and all(lv.holds for lv in below)
        return LevelResult(
            level.level,
            text_th,
            text_en,
            level.needs,
            band,
            check.holds,
            reached,
            check.proofs,
            check.problems,
        )

    def level_check(self, level: Level) -> Check:
        """A level's own condition: every piece of evidence it needs holds."""
        checks = [self.need(need) for need in level.needs]
        return Check(
            all(c.holds for c in checks),
            [p for c in checks for p in c.proofs],
            [p for c in checks for p in c.problems],
        )

    def need(self, need: EvidenceNeed) -> Check:
        if need.kind == "report":
            return Check(
                True,
                [
                    Proof(
                        "report",
                        f"รายงาน {need.report} (แนบท้าย)",
                        f"report {need.report} (appended)",
                        ref=need.report,
                    )
                ],
            )
        if need.kind == "document":
            return self.document(need)
        assert need.fact is not None
        if need.fact not in self._checks:
            self._checks[need.fact] = FACT_CHECKS[need.fact](self)
        return self._checks[need.fact]

    # -- documents ----------------------------------------------------------------------------
    def document(self, need: EvidenceNeed) -> Check:
        found = [
            d
            for d in self.documents
            for kind, number in need.documents
            if d.kind == kind and (number is None or d.number == number)
        ]
        if found:
            return Check(True, [document_proof(d) for d in found])
        kind, number = need.documents[0]
        example = f"{kind}-{number.replace('/', '-')}.pdf" if number else f"{kind}.pdf"
        label_th, label_en = need.label_th, need.label_en
        return Check(
            False,
            problems=[
                Problem(
                    "document-missing",
                    f"ยังไม่มี{label_th} ในแฟ้มหลักฐาน — วางไฟล์ PDF เช่น {example} ในโฟลเดอร์ evidence ของจังหวัด",
                    f"{label_en} is not on file; drop the PDF (e.g. {example}) into the province's evidence folder",
                    self.office,
                )
            ],
        )

    # -- KPI 1 ------------------------------------------------------------------------------------
    def activities(self) -> list[ActivityAchievement]:
        inputs = read_inputs(self.conn, self.as_of)
        figures = rollup(inputs, self.config, self.office)
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

    # -- KPI 2 facts ------------------------------------------------------------------------------
    def monthly(self, month: Period) -> dict[str, ledger_evidence.SubmissionFact]:
        if month not in self._monthly:
            self._monthly[month] = ledger_evidence.monthly_facts(self.conn, str(month))
        return self._monthly[month]

    def calendar(self, month: Period) -> MonthCalendar:
        return MonthCalendar(month, self.config.calendar.rules)

    def targets_set(self) -> Check:
        found = ledger_evidence.province_targets(self.conn, self.round.fiscal_year, self.office)
        if not found.activities:
            return Check(
                False,
                problems=[
                    Problem(
                        "targets-missing",
                        f"ยังไม่มีเป้าหมายของจังหวัด ปีงบประมาณ {self.round.fiscal_year} ในระบบ (นำเข้าด้วยแบบ targets หรือ eop targets-import)",
                        f"the province's targets for fiscal year {self.round.fiscal_year} are not in (a targets workbook or eop targets-import)",
                        self.office,
                    )
                ],
            )
        source = {"config": "config.yaml", "workbook": "แบบ targets"}.get(
            found.source or "", found.source or ""
        )
        return Check(
            True,
            [
                Proof(
                    "fact",
                    f"เป้าหมายจังหวัด {found.activities} กิจกรรม งบประมาณ {found.budget:,.2f} บาท จาก {source}",
                    f"province targets for {found.activities} activities, budget {found.budget:,.2f} baht, from {found.source}",
                    at=found.set_at,
                )
            ],
        )

    def allocation_accepted(self) -> Check:
        found = ledger_evidence.latest_fact(
            self.conn, self.office, "allocation", str(self.round.fiscal_year)
        )
        if found is None:
            return Check(
                False,
                problems=[
                    Problem(
                        "allocation-missing",
                        "ยังไม่ได้รับแบบจัดสรรเป้าหมายให้อำเภอ (EOP016) — ผู้วางแผนของจังหวัดกรอกแล้ววางในโฟลเดอร์ drop",
                        "no allocation workbook (EOP016) accepted yet: the province planner fills it in and drops it",
                        self.office,
                    )
                ],
            )
        shares = ledger_evidence.allocated_offices(self.conn, self.round.fiscal_year)
        with_share = [d.code for d in self.districts if shares.get(d.code, (0, 0.0))[0] > 0]
        proofs = [
            Proof(
                "fact",
                f'รับแบบจัดสรรเป้าหมาย (EOP016) ฉบับที่ {found.version} "{found.file_name}" '
                f"จัดสรรให้ {len(with_share)} อำเภอ",
                f'allocation workbook (EOP016) version {found.version} "{found.file_name}" accepted, '
                f"shares for {len(with_share)} districts",
                at=found.accepted_at,
                ref=found.file_name,
            )
        ]
        return Check(True, proofs)

    def districts_recorded(self) -> Check:
        problems, latest = [], None
        for month in self.months:
            have = self.monthly(month)
            for district in self.districts:
                fact = have.get(district.code)
                if fact is None:
                    problems.append(
                        Problem(
                            "district-month-missing",
                            f"{district.code} {district.name_th}: ยังไม่มีข้อมูลเดือน{month.name_th}",
                            f"{district.code} {district.name_en}: nothing recorded for {month.name_en}",
                            district.code,
                            str(month),
                        )
                    )
                elif latest is None or fact.accepted_at > latest:
                    latest = fact.accepted_at
        recorded = len(self.districts) * len(self.months) - len(problems)
        total = len(self.districts) * len(self.months)
        span = f" ({self.months[0].short_th} – {self.months[-1].short_th})" if self.months else ""
        proofs = [
            Proof(
                "fact",
                f"บันทึกแล้ว {recorded} จาก {total} อำเภอ-เดือน ({len(self.districts)} อำเภอ × {len(self.months)} เดือน{span})",
                f"{recorded} of {total} district-months recorded ({len(self.districts)} districts × {len(self.months)} months)",
                at=latest,
                ref="RPT112",
            )
        ]
        return Check(not problems and bool(self.months), proofs, problems)

    def approved_in_window(self) -> Check:
        """Each district-month's version as the sections reviewed it (a version a correction
        brought in after the lock is judged by the one it corrected: corrections are level 5's
        matter) must be approved by every section owning its activities, inside the month's
        review window."""
        if workflow is None:
            return Check(
                False,
                problems=[
                    Problem(
                        "review-unavailable",
                        "ระบบนี้ไม่มีขั้นตอนการตรวจสอบของกลุ่ม/ฝ่าย",
                        "this build has no section review",
                    )
                ],
            )
        problems, approved, decisions, latest, notes = [], 0, 0, None, []
        for month in self.months:
            window = self.calendar(month).review
            window_th = f"{date_th(window.first, short=True)} – {date_th(window.last, short=True)}"
            window_en = f"{date_en(window.first)} – {date_en(window.last)}"
            corrected = {
                row["used_by_file_id"]
                for row in workflow.list_corrections(self.conn, period=str(month))
                if row["used_by_file_id"]
            }
            for district in self.districts:
                where = f"{district.code} {district.name_th} {month.name_th}"
                where_en = f"{district.code} {month.name_en}"
                versions = ledger_evidence.monthly_versions(self.conn, district.code, str(month))
                if not versions:
                    problems.append(
                        Problem(
                            "approval-no-data",
                            f"{where}: ไม่มีข้อมูลให้ตรวจ",
                            f"{where_en}: nothing to approve",
                            district.code,
                            str(month),
                        )
                    )
                    continue
                reviewed = next((v for v in versions if v.file_id not in corrected), versions[-1])
                if reviewed.id != versions[0].id:
                    notes.append(
                        Proof(
                            "fact",
                            f"{where}: แก้ไขหลังปิดงวดตามบันทึกขออนุมัติ นับการอนุมัติฉบับที่ {reviewed.version}",
                            f"{where_en}: corrected after the lock under a memo; version {reviewed.version}'s approval counts",
                            at=versions[0].accepted_at,
                        )
                    )
                verdicts = workflow.verdicts(self.conn, reviewed)
                if not verdicts:
                    problems.append(
                        Problem(
                            "approval-missing",
                            f"{where}: ยังไม่มีกลุ่ม/ฝ่ายอนุมัติ",
                            f"{where_en}: no section has approved it",
                            district.code,
                            str(month),
                        )
                    )
                    continue
                failed = False
                for section, verdict in verdicts.items():
                    name = self._section_name(section)
                    if verdict.state != "approved" or verdict.review is None:
                        state_th = "ส่งกลับให้แก้ไข" if verdict.state == "returned" else "ยังไม่อนุมัติ"
                        problems.append(
                            Problem(
                                "approval-missing",
                                f"{where}: {name} {state_th}",
                                f"{where_en}: {section} has not approved it ({verdict.state})",
                                district.code,
                                str(month),
                            )
                        )
                        failed = True
                        continue
                    decided = verdict.review.decided_at
                    if not (window.opens <= decided < window.closes):
                        problems.append(
                            Problem(
                                "approval-late",
                                f"{where}: {name} อนุมัติเมื่อ {moment_th(decided)} นอกช่วงตรวจสอบ {window_th}",
                                f"{where_en}: {section} approved on {moment_en(decided)}, outside the review window {window_en}",
                                district.code,
                                str(month),
                            )
                        )
                        failed = True
                        continue
                    decisions += 1
                    latest = decided if latest is None or decided > latest else latest
                approved += not failed
        total = len(self.districts) * len(self.months)
        proofs = [
            Proof(
                "fact",
                f"อนุมัติภายในช่วงตรวจสอบครบทุกกลุ่ม/ฝ่าย {approved} จาก {total} อำเภอ-เดือน "
                f"(การอนุมัติของกลุ่ม/ฝ่าย {decisions} ครั้ง)",
                f"{approved} of {total} district-months approved by every section inside the review window "
                f"({decisions} section approvals)",
                at=latest,
                ref="RPT113",
            ),
            *notes,
        ]
        return Check(not problems and bool(self.months), proofs, problems)

    def _section_name(self, code: str) -> str:
        return next((s.name_th for s in self.config.sections if s.code == code), code)

    def complete_on_time(self) -> Check:
        problems, proofs = [], []
        late_offices = 0
        for month in self.months:
            have = self.monthly(month)
            for office in self.reporting:
                fact = have.get(office.code)
                if fact is None:
                    problems.append(
                        Problem(
                            "office-month-missing",
                            f"{office.code} {office.name_th}: ไม่มีข้อมูลเดือน{month.name_th}",
                            f"{office.code}: nothing for {month.name_en}",
                            office.code,
                            str(month),
                        )
                    )
                elif fact.late:
                    late_offices += 1
                    problems.append(
                        Problem(
                            "office-late",
                            f"{office.code} {office.name_th}: ข้อมูลเดือน{month.name_th} ส่งช้า "
                            f"(รับเมื่อ {moment_th(fact.accepted_at)})",
                            f"{office.code}: {month.name_en} arrived late ({moment_en(fact.accepted_at)})",
                            office.code,
                            str(month),
                        )
                    )
            confirmed, at = ledger_evidence.confirmed_at(self.conn, self.office, str(month))
            strategy = self.calendar(month).strategy
            if confirmed is None or at is None:
                problems.append(
                    Problem(
                        "month-not-confirmed",
                        f"จังหวัดยังไม่ยืนยันข้อมูลเดือน{month.name_th}ต่อส่วนกลาง (EOP018/EOP019)",
                        f"the province has not confirmed {month.name_en} to the centre (EOP018/EOP019)",
                        self.office,
                        str(month),
                    )
                )
            elif at >= strategy.closes:
                problems.append(
                    Problem(
                        "confirmed-late",
                        f"จังหวัดยืนยันเดือน{month.name_th}เมื่อ {moment_th(at)} หลังกำหนด "
                        f"{date_th(strategy.last, short=True)}",
                        f"the province confirmed {month.name_en} on {moment_en(at)}, after {date_en(strategy.last)}",
                        self.office,
                        str(month),
                    )
                )
            else:
                proofs.append(
                    Proof(
                        "fact",
                        f"จังหวัดยืนยันข้อมูลเดือน{month.name_th}ต่อส่วนกลาง",
                        f"{month.name_en} confirmed to the centre",
                        at=at,
                        ref=confirmed.file_name,
                    )
                )
        count = len(self.reporting) * len(self.months)
        proofs.insert(
            0,
            Proof(
                "fact",
                f"ข้อมูล {len(self.reporting)} หน่วยงาน × {len(self.months)} เดือน = {count} งวด "
                f"ส่งช้า {late_offices} งวด",
                f"{len(self.reporting)} offices × {len(self.months)} months = {count}, {late_offices} late",
                at=self.latest_result(),
                ref="RPT113",
            ),
        )
        return Check(not problems and bool(self.months), proofs, problems)

    def no_correction_to_centre(self) -> Check:
        if workflow is None:
            return Check(True, [Proof("fact", "ไม่มีการขอแก้ไขข้อมูล", "no corrections")])
        offices = {o.code for o in self.reporting} | {self.office}
        problems, inside = [], 0
        for month in self.months:
            for row in workflow.list_corrections(self.conn, period=str(month)):
                if row["office"] not in offices:
                    continue
                if not row["to_centre"]:
                    inside += 1
                    continue
                problems.append(
                    Problem(
                        "correction-to-centre",
                        f"{row['office']} เดือน{month.name_th}: ขอแก้ไขข้อมูลไปยังกองแผนงาน "
                        f"ตามบันทึกที่ {row['memo_number']} ({row['approved_by']})",
                        f"{row['office']} {month.name_en}: correction sent to the Planning Division, memo {row['memo_number']}",
                        row["office"],
                        str(month),
                    )
                )
        proof = Proof(
            "fact",
            f"ไม่มีการขอแก้ไขข้อมูลไปยังกองแผนงาน (แก้ไขภายในจังหวัด {inside} ครั้ง)",
            f"no correction sent to the Planning Division ({inside} corrected inside the province)",
        )
        return Check(not problems, [] if problems else [proof], problems)


def document_proof(d: Document) -> Proof:
    label_th, label_en = document_label(d.kind, d.number)
    dated_th = f" ลงวันที่ {date_th(d.day)}" if d.day else ""
    dated_en = f" of {date_en(d.day)}" if d.day else ""
    return Proof(
        "document",
        f"{label_th}{dated_th} ({d.pages} หน้า, รับเข้าแฟ้ม {moment_th(d.registered_at)})",
        f"{label_en}{dated_en} ({d.pages} pages, registered {moment_en(d.registered_at)})",
        at=d.registered_at,
        ref=d.number or d.name,
        document_id=d.id,
    )


FACT_CHECKS: dict[str, Callable[[Facts], Check]] = {
    "targets-set": Facts.targets_set,
    "allocation-accepted": Facts.allocation_accepted,
    "districts-recorded": Facts.districts_recorded,
    "approved-in-window": Facts.approved_in_window,
    "complete-on-time": Facts.complete_on_time,
    "no-correction-to-centre": Facts.no_correction_to_centre,
}


# -- the checklist ------------------------------------------------------------------------------


def checklist(card: Scorecard) -> list[ChecklistItem]:
    """Everything still missing or failing, once each: documents a KPI needs, and every level's
    failing evidence (KPI 1's bands are results, not something to fix, and are left out)."""
    items, seen = [], set()
    for kpi in card.kpis:
        for doc in kpi.documents:
            for problem in doc.check.problems:
                _add(items, seen, ChecklistItem(kpi.code, None, problem))
        for level in kpi.levels:
            for problem in level.problems:
                if problem.code != "below-band":
                    _add(items, seen, ChecklistItem(kpi.code, level.level, problem))
    return items


# The same missing month shows at levels 3, 4 and 5: the checklist lists it once.
MISSING_DATA = frozenset({"district-month-missing", "approval-no-data", "office-month-missing"})


def _add(items: list[ChecklistItem], seen: set, item: ChecklistItem) -> None:
    problem = item.problem
    key = (
        ("missing", problem.office, problem.period)
        if problem.code in MISSING_DATA
        else (problem.code, problem.th)
    )
    if key not in seen:
        seen.add(key)
        items.append(item)


# -- RPT311, the scorecard as a report ---------------------------------------------------------


def rpt311_body(ctx: Any) -> Any:
    """The body of RPT311 for `jobs.reports`. For a province (or a district: its province)
    each KPI's levels (criterion, result, evidence), then the level reached, the score and the
    weighted score, the total last; above provinces (the department, a region) one line per
    KPI of each province under it. A period in no round says so instead of failing."""
    from jobs.reports import Body
    from templates.reports import Column, Row, Text

    config = ctx.deployment.config
    columns = [
        Column("ระดับ", "Level", "code", 7),
        Column("เกณฑ์การให้คะแนน", "Criterion", "text", 44),
        Column("ผล", "Result", "text", 16),
        Column("หลักฐาน", "Evidence", "text", 50),
        Column("น้ำหนัก (ร้อยละ)", "Weight (%)", "percent", 10),
        Column("คะแนน", "Score", "code", 9),
        Column("คะแนนถ่วงน้ำหนัก", "Weighted score", "code", 11),
    ]
    try:
        round_ = round_for_period(config, ctx.period)
    except KpiError as exc:
        return Body(columns, [], None, None, [Text(*str(exc).split(" — ", 1))])
    provinces = provinces_of(config, ctx.office)
    cards = [score(ctx.deployment, round_, code, as_of=ctx.period) for code in provinces]
    detailed = config.office(ctx.office).level in ("province", "district")
    rows = []
    for card in cards:
        if not detailed:
            rows.append(Row((Text(f"{card.office} {card.office_th}", card.office_en),), "group"))
        for kpi in card.kpis:
            if detailed:
                rows.append(
                    Row((Text(f"{kpi.code} {kpi.rule.name_th}", kpi.rule.name_en),), "group")
                )
                rows += [_level_row(level) for level in kpi.levels]
            rows.append(_kpi_row(kpi))
        if not detailed:
            rows.append(
                Row(
                    (
                        "",
                        Text(f"รวม {card.office_th}", f"total, {card.office_en}"),
                        "",
                        "",
                        card.total_weight,
                        "",
                        f"{card.total_weighted:.4f}",
                    ),
                    "subtotal",
                )
            )
    if detailed:
        totals = Row(
            (
                "",
                Text("รวมทุกตัวชี้วัด", "all KPIs"),
                "",
                "",
                cards[0].total_weight,
                "",
                f"{cards[0].total_weighted:.4f}",
            ),
            "total",
        )
    else:
        average = sum(c.total_weighted for c in cards) / len(cards) if cards else 0.0
        totals = Row(
            (
                "",
                Text(f"เฉลี่ย {len(cards)} จังหวัด", f"average of {len(cards)} province(s)"),
                "",
                "",
                cards[0].total_weight if cards else None,
                "",
                f"{average:.4f}",
            ),
            "total",
        )
    first, last = round_.months[0], min(ctx.period, Period.parse(round_.last))
    notes = [
        Text(
            f"รอบที่ {round_.code}: {first.name_th} – {last.name_th}; กำหนดส่งหลักฐาน {date_th(round_.deadline)}",
            f"Round {round_.code}: {first.name_en} – {last.name_en}; evidence due {date_en(round_.deadline)}",
        ),
        Text(
            "คะแนนถ่วงน้ำหนัก = คะแนน × น้ำหนัก ÷ 100; ระดับที่ได้ = ระดับสูงสุดที่ผ่านพร้อมทุกระดับที่ต่ำกว่า",
            "Weighted score = score × weight ÷ 100; the level reached is the highest met with every level below it.",
        ),
    ]
    missing = sum(len(checklist(card)) for card in cards)
    if missing:
        notes.append(
            Text(
                f"ยังขาดหรือไม่ผ่าน {missing} รายการ (eop evidence --check)",
                f"{missing} item(s) still missing or failing (eop evidence --check)",
            )
        )
    return Body(columns, rows, totals, None, notes)


def _level_row(level: LevelResult) -> Any:
    from templates.reports import Row, Text

    return Row(
        (
            str(level.level),
            Text(level.text_th, level.text_en),
            result_text(level),
            Text(
                "; ".join(p.th for p in level.proofs[:3]) or "–",
                "; ".join(p.en for p in level.proofs[:3]),
            ),
            "",
            "",
            "",
        )
    )


def _kpi_row(kpi: KpiResult) -> Any:
    from templates.reports import Row, Text

    measured = (
        Text(f"ร้อยละ {kpi.achievement:,.2f}", f"{kpi.achievement:,.2f}%")
        if kpi.achievement is not None
        else Text(f"{kpi.level} ระดับ", f"{kpi.level} level(s)")
    )
    return Row(
        (
            str(kpi.level),
            Text(f"{kpi.code} ระดับที่ได้ {kpi.level}", f"{kpi.code} level reached: {kpi.level}"),
            measured,
            Text(
                "; ".join(
                    f"{d.need.label_th}: {'มีแล้ว' if d.check.holds else 'ยังไม่มี'}"
                    for d in kpi.documents
                ),
                "; ".join(
                    f"{d.need.label_en}: {'on file' if d.check.holds else 'missing'}"
                    for d in kpi.documents
                ),
            ),
            kpi.rule.weight,
            f"{kpi.score:.4f}",
            f"{kpi.weighted:.4f}",
        ),
        "subtotal",
    )


def provinces_of(config: Config, office: str) -> list[str]:
    """The provinces a report for `office` covers: itself, the one above a district, or every
    province below the department (or a region)."""
    here = config.office(office)
    if here.level == "province":
        return [office]
    if here.level == "district":
        return [_province_above(config, office)]
    below, stack = [], [office]
    while stack:
        for child in config.children(stack.pop()):
            if child.level == "province":
                below.append(child.code)
            else:
                stack.append(child.code)
    return sorted(below)


def result_text(level: LevelResult) -> Any:
    from templates.reports import Text

    if level.reached:
        return Text("ผ่าน", "met")
    if level.holds:
        return Text("ผ่าน แต่ระดับต่ำกว่ายังไม่ผ่าน", "met, a lower level is not")
    reason = level.problems[0] if level.problems else None
    more = f" (+{len(level.problems) - 1})" if len(level.problems) > 1 else ""
    return Text(
        f"ไม่ผ่าน: {reason.th}{more}" if reason else "ไม่ผ่าน",
        f"not met: {reason.en}{more}" if reason else "not met",
    )


def _province_above(config: Config, office: str) -> str:
    here = config.office(office)
    while here.level != "province" and here.parent:
        here = config.office(here.parent)
    if here.level != "province":
        raise KpiError(f"{office}: ไม่อยู่ในจังหวัดใด — {office} is under no province")
    return here.code


# Items that name an office and a month are grouped for reading: one line per month and kind.
GROUPED = {
    "missing": ("ยังไม่มีข้อมูลเดือน{th}", "nothing recorded for {en}"),
    "approval-missing": (
        "กลุ่ม/ฝ่ายยังไม่อนุมัติข้อมูลเดือน{th}",
        "not yet approved by the sections for {en}",
    ),
    "approval-late": ("อนุมัติข้อมูลเดือน{th} นอกช่วงตรวจสอบ", "{en} approved outside the review window"),
    "office-late": ("ส่งข้อมูลเดือน{th} ช้า", "{en} sent late"),
}


def group_checklist(items: list[ChecklistItem]) -> list[dict[str, Any]]:
    """The checklist as people read it: per month and kind of problem, the offices concerned
    (`7101, 7105 …`), each line's detail kept; other items one line each, in order."""
    groups: dict[tuple, dict[str, Any]] = {}
    for item in items:
        problem = item.problem
        kind = "missing" if problem.code in MISSING_DATA else problem.code
        if kind in GROUPED and problem.period and problem.office:
            month = Period.parse(problem.period)
            th, en = GROUPED[kind]
            key = (kind, problem.period)
            group = groups.setdefault(
                key,
                {
                    "code": kind,
                    "kpi": item.kpi,
                    "level": item.level,
                    "period": problem.period,
                    "th": th.format(th=month.name_th),
                    "en": en.format(en=month.name_en),
                    "offices": [],
                    "details": [],
                    "grouped": True,
                },
            )
            if problem.office not in group["offices"]:
                group["offices"].append(problem.office)
            group["details"].append(problem.as_dict())
        else:
            groups[(problem.code, problem.th)] = {
                "code": problem.code,
                "kpi": item.kpi,
                "level": item.level,
                "period": problem.period,
                "th": problem.th,
                "en": problem.en,
                "offices": [problem.office] if problem.office else [],
                "details": [problem.as_dict()],
                "grouped": False,
            }
    return list(groups.values())
