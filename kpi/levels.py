"""A KPI rule scored level by level (DESIGN §8): each level's evidence needs checked — a
document on file, a report appended, a ledger fact (kpi.kpi2) — and KPI 1's bands against the
province's achievement; the level reached is the highest met with every level below it.

Mid-round a band not reached yet is not yet due, with the pace: the share of the band expected
by now (an even pace over the round's months) against the achievement reached.
"""

from __future__ import annotations

from eop.formats import moment_en, moment_th
from eop.rounds import EvidenceNeed, KpiRule, Level
from eop.thai import date_en, date_th
from kpi.kpi2 import FACT_CHECKS
from kpi.model import Check, DocumentCheck, KpiResult, LevelResult, Problem, Proof
from kpi.reader import RoundFacts
from kpi.rules import KpiError, document_label, level_text
from kpi.score import achievement_score, highest_level, mean_capped, round4
from ledger.evidence import Document


class Scoring:
    """The rules of one round scored on one province's facts; each fact checked once."""

    def __init__(self, facts: RoundFacts) -> None:
        self.facts = facts
        self._checks: dict[str, Check] = {}

    def score(self, rule: KpiRule) -> KpiResult:
        documents = [DocumentCheck(need, self.need(need)) for need in rule.document_needs]
        if rule.kind == "achievement":
            return self.achievement(rule, documents)
        levels: list[LevelResult] = []
        for level in rule.levels:
            levels.append(self.level(rule, level, None, self.level_check(level), levels))
        reached = highest_level([lv.holds for lv in levels])
        weighted = round4(reached * rule.weight / 100)
        return KpiResult(rule, None, reached, float(reached), weighted, levels, documents)

    def achievement(self, rule: KpiRule, documents: list[DocumentCheck]) -> KpiResult:
        facts = self.facts
        bands = rule.bands.get(facts.round.code)
        if bands is None:
            raise KpiError(
                f"{rule.code}: ไม่มีช่วงคะแนนของรอบ {facts.round.code} — no bands for round {facts.round.code}"
            )
        activities = facts.activities()
        percent = mean_capped(
            [(a.cumulative, a.target, a.budget) for a in activities],
            weighted_by_budget=rule.method == "budget-weighted",
        )
        level1 = self.level_check(rule.levels[0])
        result = achievement_score(
            percent, bands, level1=level1.holds, weight=rule.weight, interpolate=rule.interpolate
        )
        measured = self.measured(rule, percent, len(activities))
        levels: list[LevelResult] = []
        for level in rule.levels:
            band = bands[level.level - 2] if level.level >= 2 else None
            check = level1 if band is None else self.band_check(level, band, percent, measured)
            levels.append(self.level(rule, level, band, check, levels))
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

    def measured(self, rule: KpiRule, percent: float, count: int) -> Proof:
        weighted = rule.method == "budget-weighted"
        how_th = "เฉลี่ยถ่วงน้ำหนักด้วยงบประมาณ" if weighted else "เฉลี่ย"
        how_en = "budget-weighted mean" if weighted else "mean"
        as_of = self.facts.as_of
        return Proof(
            "fact",
            f"ผลสำเร็จ{how_th}ร้อยละ {percent:,.2f} จาก {count} กิจกรรม (แต่ละกิจกรรมไม่เกินร้อยละ 100) "
            f"ผลสะสมถึง {as_of.name_th}",
            f"{how_en} achievement {percent:,.2f}% over {count} activities (each capped at 100%), "
            f"cumulative to {as_of.name_en}",
            at=self.facts.latest_result(),
            ref="RPT111",
        )

    def band_check(
        self, level: Level, band: tuple[float, float], percent: float, measured: Proof
    ) -> Check:
        base = self.level_check(level)
        proofs = [measured, *base.proofs]
        if percent >= band[0] - 1e-9:
            return Check(base.holds, proofs, base.problems)
        pending = self.facts.pending("entry")
        if pending:  # mid-round: the band is for the round's end; show the pace
            due, months = len(self.facts.due("entry")), len(self.facts.round.months)
            expected = band[0] * due / months
            pace = (
                f"ควรได้ร้อยละ {expected:,.2f} ณ ขณะนี้ (ร้อยละ {band[0]:g} เมื่อสิ้นรอบ) ได้แล้วร้อยละ {percent:,.2f}",
                f"{expected:,.2f}% expected by now ({band[0]:g}% by the round's end), {percent:,.2f}% reached",
            )
            return Check(False, proofs, base.problems, pending, pace)
        problem = Problem(
            "below-band",
            f"ผลสำเร็จร้อยละ {percent:,.2f} ยังไม่ถึงร้อยละ {band[0]:g}",
            f"achievement {percent:,.2f}% has not reached {band[0]:g}%",
        )
        return Check(False, proofs, [problem, *base.problems])

    def level(
        self,
        rule: KpiRule,
        level: Level,
        band: tuple[float, float] | None,
        check: Check,
        below: list[LevelResult],
    ) -> LevelResult:
        text_th, text_en = level_text(rule, level, band, self.facts.round)
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
            check.pending,
            check.pace,
        )

    def level_check(self, level: Level) -> Check:
        """A level's own condition: every piece of evidence it needs holds (on what is due)."""
        checks = [self.need(need) for need in level.needs]
        pending = sorted({m for c in checks for m in c.pending})
        return Check(
            all(c.holds for c in checks),
            [p for c in checks for p in c.proofs],
            [p for c in checks for p in c.problems],
            tuple(pending),
            next((c.pace for c in checks if c.pace), None),
        )

    def need(self, need: EvidenceNeed) -> Check:
        if need.kind == "report":
            label = (f"รายงาน {need.report} (แนบท้าย)", f"report {need.report} (appended)")
            return Check(True, [Proof("report", *label, ref=need.report)])
        if need.kind == "document":
            return self.document(need)
        assert need.fact is not None
        if need.fact not in self._checks:
            self._checks[need.fact] = FACT_CHECKS[need.fact](self.facts)
        return self._checks[need.fact]

    def document(self, need: EvidenceNeed) -> Check:
        found = [
            d
            for d in self.facts.documents
            for kind, number in need.documents
            if d.kind == kind and (number is None or d.number == number)
        ]
        if found:
            return Check(True, [document_proof(d) for d in found])
        kind, number = need.documents[0]
        example = f"{kind}-{number.replace('/', '-')}.pdf" if number else f"{kind}.pdf"
        problem = Problem(
            "document-missing",
            f"ยังไม่มี{need.label_th} ในแฟ้มหลักฐาน — วางไฟล์ PDF เช่น {example} ในโฟลเดอร์ evidence ของจังหวัด",
            f"{need.label_en} is not on file; drop the PDF (e.g. {example}) into the province's evidence folder",
            self.facts.office,
        )
        return Check(False, problems=[problem])


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
