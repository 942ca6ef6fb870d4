"""RPT311, the KPI scorecard as a report (DESIGN §7, §8), built here and handed to
`jobs.reports` as a spec: jobs/ never imports kpi/. `CATALOGUE` is every report the product
makes (the ledger's reports and this one), for the command line and the packet.

For a province (or a district: its province) each KPI's levels (criterion, result, evidence),
then the level reached, the score and the weighted score, the total last; above provinces (the
department, a region) one line per KPI of each province under it. A period in no round says so
instead of failing. Mid-round a level is "ยังไม่ถึงกำหนด / not yet due" with its pace.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from eop.periods import Period
from eop.rounds import Round
from eop.thai import date_en, date_th
from jobs.reports import REPORTS, Body, Context, ReportSpec
from kpi.checklist import checklist
from kpi.model import STATUS_TEXT, KpiResult, LevelResult, Scorecard
from kpi.rules import KpiError, provinces_of, round_for_period, span_text
from kpi.scorecard import score
from templates.reports import Column, Row, Text

COLUMNS = [
    Column("ระดับ", "Level", "code", 7),
    Column("เกณฑ์การให้คะแนน", "Criterion", "text", 44),
    Column("ผล", "Result", "text", 16),
    Column("หลักฐาน", "Evidence", "text", 50),
    Column("น้ำหนัก (ร้อยละ)", "Weight (%)", "percent", 10),
    Column("คะแนน", "Score", "code", 9),
    Column("คะแนนถ่วงน้ำหนัก", "Weighted score", "code", 11),
]


def rpt311(ctx: Context, round_: Round | None = None) -> Body:
    """The scorecard of `round_` (a packet's), else of the round the period falls in, for the
    office's province(s), to the period."""
    config = ctx.deployment.config
    try:
        round_ = round_ or round_for_period(config, ctx.period)
    except KpiError as exc:
        return Body(COLUMNS, [], None, None, [Text(*str(exc).split(" — ", 1))])
    cards = [
        score(ctx.deployment, round_, code, as_of=ctx.period)
        for code in provinces_of(config, ctx.office)
    ]
    if config.office(ctx.office).level in ("province", "district"):
        rows, totals = _detailed(cards[0])
    else:
        rows, totals = _by_province(cards)
    return Body(COLUMNS, rows, totals, None, _notes(cards, ctx.period))


def _detailed(card: Scorecard) -> tuple[list[Row], Row]:
    rows = []
    for kpi in card.kpis:
        rows.append(Row((Text(f"{kpi.code} {kpi.rule.name_th}", kpi.rule.name_en),), "group"))
        rows += [_level_row(level) for level in kpi.levels]
        rows.append(_kpi_row(kpi))
    label = Text("รวมทุกตัวชี้วัด", "all KPIs")
    weighted = f"{card.total_weighted:.4f}"
    return rows, Row(("", label, "", "", card.total_weight, "", weighted), "total")


def _by_province(cards: list[Scorecard]) -> tuple[list[Row], Row]:
    rows = []
    for card in cards:
        rows.append(Row((Text(f"{card.office} {card.office_th}", card.office_en),), "group"))
        rows += [_kpi_row(kpi) for kpi in card.kpis]
        label = Text(f"รวม {card.office_th}", f"total, {card.office_en}")
        weighted = f"{card.total_weighted:.4f}"
        rows.append(Row(("", label, "", "", card.total_weight, "", weighted), "subtotal"))
    average = sum(c.total_weighted for c in cards) / len(cards) if cards else 0.0
    label = Text(f"เฉลี่ย {len(cards)} จังหวัด", f"average of {len(cards)} province(s)")
    weight = cards[0].total_weight if cards else None
    return rows, Row(("", label, "", "", weight, "", f"{average:.4f}"), "total")


def _notes(cards: list[Scorecard], period: Period) -> list[Text]:
    round_ = cards[0].round if cards else None
    if round_ is None:
        return []
    first, last = round_.months[0], min(period, Period.parse(round_.last))
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
    if cards[0].not_yet_due:
        th, en = span_text(cards[0].not_yet_due)
        notes.append(
            Text(
                f"กลางรอบ: นับเฉพาะที่ถึงกำหนดแล้ว; เดือน {th} ยังไม่ถึงกำหนด",
                f"Mid-round: only what is due counts; {en} not yet due.",
            )
        )
    missing = sum(len(checklist(card)) for card in cards)
    if missing:
        notes.append(
            Text(
                f"ยังขาดหรือไม่ผ่าน {missing} รายการ ตามรายการในแฟ้มหลักฐานประกอบตัวชี้วัด",
                f"{missing} item(s) still missing or failing, as listed in the KPI evidence packet.",
            )
        )
    return notes


def _level_row(level: LevelResult) -> Row:
    shown = level.proofs[:3]
    evidence = Text("; ".join(p.th for p in shown) or "–", "; ".join(p.en for p in shown))
    criterion = Text(level.text_th, level.text_en)
    return Row((str(level.level), criterion, result_text(level), evidence, "", "", ""))


def _kpi_row(kpi: KpiResult) -> Row:
    measured = (
        Text(f"ร้อยละ {kpi.achievement:,.2f}", f"{kpi.achievement:,.2f}%")
        if kpi.achievement is not None
        else Text(f"ระดับ {kpi.level}", f"level {kpi.level}")
    )
    documents = Text(
        "; ".join(
            f"{d.need.label_th}: {'มีแล้ว' if d.check.holds else 'ยังไม่มี'}" for d in kpi.documents
        ),
        "; ".join(
            f"{d.need.label_en}: {'on file' if d.check.holds else 'missing'}" for d in kpi.documents
        ),
    )
    reached = Text(f"{kpi.code} ระดับที่ได้ {kpi.level}", f"{kpi.code} level reached: {kpi.level}")
    cells = (str(kpi.level), reached, measured, documents, kpi.rule.weight)
    return Row((*cells, f"{kpi.score:.4f}", f"{kpi.weighted:.4f}"), "subtotal")


def result_text(level: LevelResult) -> Text:
    """Met, met so far, not yet due (with the pace), or not met with its first reason."""
    th, en = STATUS_TEXT[level.status]
    if level.status in ("met-so-far", "not-yet-due") and level.pace:
        return Text(f"{th}: {level.pace[0]}", f"{en}: {level.pace[1]}")
    if level.status != "not-met" or not level.problems:
        return Text(th, en)
    reason = level.problems[0]
    more = f" (+{len(level.problems) - 1})" if len(level.problems) > 1 else ""
    return Text(f"{th}: {reason.th}{more}", f"{en}: {reason.en}{more}")


RPT311 = ReportSpec(
    "RPT311",
    "performance",
    "รายงานผลการประเมินตัวชี้วัด (KPI) ประจำรอบ",
    "KPI scorecard for the round",
    rpt311,
)
CATALOGUE: dict[str, ReportSpec] = {**REPORTS, RPT311.code: RPT311}


def rpt311_of(round_: Round) -> ReportSpec:
    """RPT311 for a given round (the packet's: mid-round 2/2558's months are also 1/2558's)."""
    return replace(RPT311, build=partial(rpt311, round_=round_))
