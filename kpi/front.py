"""What the evidence packet's front matter says (DESIGN §8): the cover, the contents with each
part's first page, the scorecard, each KPI's level table with the achieved level marked and
mid-round what is not yet due, the evidence index level by level, and the checklist with the
offices named. `templates.evidence.render_packet_front` renders it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eop.config import Role
from eop.formats import moment_th
from eop.thai import date_en, date_th, datetime_th
from jobs.deployment import Deployment
from kpi.checklist import group_checklist
from kpi.merge import Part
from kpi.model import (
    STATUS_TEXT,
    ChecklistItem,
    DocumentCheck,
    KpiResult,
    LevelResult,
    Proof,
    Scorecard,
)
from kpi.rules import span_text
from templates.evidence import thai_weekday_date

PLACEHOLDER_PAGE = 888  # three digits, as wide as a real page number, while the front settles
SHOWN = 4  # problems shown under a level in its table; the rest are counted
INDEXED = 5  # problems listed in the evidence index per level


def front_context(
    deployment: Deployment,
    card: Scorecard,
    items: list[ChecklistItem],
    parts: list[Part],
    *,
    settled: bool,
) -> dict[str, Any]:
    """Everything the front matter shows; page numbers are placeholders until `settled`."""

    def page(number: int) -> int:
        return number if settled else PLACEHOLDER_PAGE

    documents = [p for p in parts if p.kind == "document"]
    by_document = {p.document_id: p for p in documents}
    by_report = {p.ref: p for p in parts if p.kind == "report"}
    kpis = [kpi_context(k, n) for n, k in enumerate(card.kpis, start=1)]
    return {
        "packet": packet_header(deployment, card, documents),
        "toc": contents(kpis, parts, page),
        "kpis": kpis,
        "index": [
            index_context(k, n, by_document, by_report, page)
            for n, k in enumerate(card.kpis, start=1)
        ],
        "checklist": group_checklist(items),
        "total_weight": card.total_weight,
        "total_weighted": card.total_weighted,
    }


def packet_header(deployment: Deployment, card: Scorecard, documents: list[Part]) -> dict[str, Any]:
    """The cover's and the running heads' words (a flat table of names, dates and the method)."""
    round_, place = card.round, deployment.config.office(card.office)
    group_th, group_en = _group(deployment, card)
    day_th, day_en = thai_weekday_date(card.computed_at.date())
    method_th, method_en = _method(card)
    pending_th, pending_en = span_text(card.not_yet_due)
    return {
        "round_code": round_.code,
        "office": card.office,
        "office_th": card.office_th,
        "office_en": card.office_en,
        "heading_th": f"แฟ้มหลักฐานประกอบตัวชี้วัด รอบที่ {round_.code}",
        "heading_en": f"KPI evidence packet, round {round_.code}",
        "title_th": round_.title_th,
        "title_en": round_.title_en,
        "date_th": day_th,
        "date_en": day_en,
        "place_th": round_.place_th or place.name_th,
        "place_en": round_.place_en or place.name_en,
        "group_th": group_th,
        "group_en": group_en,
        "deadline_th": date_th(round_.deadline),
        "deadline_en": date_en(round_.deadline),
        "as_of_th": card.as_of.name_th,
        "as_of_en": card.as_of.name_en,
        "not_yet_due_th": pending_th,
        "not_yet_due_en": pending_en,
        "computed_th": datetime_th(card.computed_at),
        "computed_en": f"{date_en(card.computed_at)} {card.computed_at:%H:%M}",
        "method_th": method_th,
        "method_en": method_en,
        "stand_in": any(p.stand_in for p in documents),
    }


def _method(card: Scorecard) -> tuple[str, str]:
    achievement = next((k for k in card.kpis if k.achievement is not None), None)
    if achievement is None:
        return "", ""
    weighted = achievement.rule.method == "budget-weighted"
    return (
        "ผลสำเร็จตัวชี้วัดที่ 1 = ค่าเฉลี่ย"
        + ("ถ่วงน้ำหนักด้วยงบประมาณ" if weighted else "")
        + "ของ (ผลสะสม ÷ เป้าหมายทั้งปี) รายกิจกรรม แต่ละกิจกรรมไม่เกินร้อยละ 100",
        "KPI 1 achievement = the "
        + ("budget-weighted " if weighted else "")
        + "mean over activities of cumulative ÷ annual target, each capped at 100%",
    )


def _group(deployment: Deployment, card: Scorecard) -> tuple[str, str]:
    config = deployment.config
    code = card.round.prepared_by or next(
        (p.section for p in config.people_of(card.office, Role.COORDINATOR) if p.section), None
    )
    found = next((s for s in config.sections if s.code == code), None)
    return (found.name_th, found.name_en) if found else (card.office_th, card.office_en)


def _entry(number: str, th: str, en: str, **more: Any) -> dict[str, Any]:
    return {"number": number, "th": th, "en": en, "anchor": None, "style": "", **more}


def contents(
    kpis: list[dict[str, Any]], parts: list[Part], page: Callable[[int], int]
) -> list[dict[str, Any]]:
    """The contents: the front matter's sections (their pages found by the renderer), then the
    documents and the reports attached with their first pages. A KPI's title is whole."""
    toc = [_entry("1", "สรุปผลการประเมินตัวชี้วัด", "KPI results", anchor="summary")]
    toc += [
        _entry(
            str(n),
            f"ตัวชี้วัดที่ {k['number']} : {k['name_th']}",
            f"KPI {k['number']}: {k['name_en']}",
            anchor=f"kpi-{k['code']}",
        )
        for n, k in enumerate(kpis, start=2)
    ]
    n = len(toc) + 1
    toc.append(_entry(str(n), "ดัชนีหลักฐานรายระดับ", "Evidence index, level by level", anchor="index"))
    toc.append(
        _entry(str(n + 1), "รายการที่ยังขาดหรือไม่ผ่าน", "Still missing or failing", anchor="checklist")
    )
    n += 2
    for kind, th, en in (
        ("document", "เอกสารหลักฐานที่แนบ", "Documents attached"),
        ("report", "รายงานที่แนบ", "Reports attached"),
    ):
        these = [p for p in parts if p.kind == kind]
        if not these and kind == "document":
            continue
        toc.append(_entry(str(n), th, en, page=page(these[0].first) if these else ""))
        toc += [
            _entry(f"{n}.{i}", p.th, p.en, page=page(p.first), style="part")
            for i, p in enumerate(these, start=1)
        ]
        n += 1
    return toc


def kpi_context(kpi: KpiResult, number: int) -> dict[str, Any]:
    if kpi.achievement is not None:
        measured = (f"ผลสำเร็จร้อยละ {kpi.achievement:,.2f}", f"achievement {kpi.achievement:,.2f}%")
    else:
        measured = (
            f"ระดับ {kpi.level} จาก {len(kpi.levels)}",
            f"level {kpi.level} of {len(kpi.levels)}",
        )
    return {
        "code": kpi.code,
        "number": number,
        "name_th": kpi.rule.name_th,
        "name_en": kpi.rule.name_en,
        "weight": kpi.rule.weight,
        "level": kpi.level,
        "score": kpi.score,
        "weighted": kpi.weighted,
        "measured_th": measured[0],
        "measured_en": measured[1],
        "levels": [level_context(lv, kpi.level) for lv in kpi.levels],
        "documents": [_document_context(d) for d in kpi.documents],
        "activities": [
            {"code": a.activity, "name_th": a.name_th, "target": a.target}
            | {"cumulative": a.cumulative, "percent": a.percent, "capped": a.capped}
            for a in kpi.activities
        ],
    }


def _document_context(d: DocumentCheck) -> dict[str, Any]:
    return {
        "label_th": d.need.label_th,
        "label_en": d.need.label_en,
        "on_file": d.check.holds,
        "detail_th": "; ".join(p.th for p in d.check.proofs) or f"{d.need.label_th} ยังไม่มีในแฟ้ม",
        "detail_en": "; ".join(p.en for p in d.check.proofs) or f"{d.need.label_en} is not on file",
    }


def level_context(lv: LevelResult, achieved: int) -> dict[str, Any]:
    status_th, status_en = STATUS_TEXT[lv.status]
    return {
        "level": lv.level,
        "text_th": lv.text_th,
        "text_en": lv.text_en,
        "holds": lv.holds,
        "reached": lv.reached,
        "status": lv.status,
        "status_th": status_th,
        "status_en": status_en,
        "pace_th": lv.pace[0] if lv.pace else "",
        "pace_en": lv.pace[1] if lv.pace else "",
        "achieved": lv.level == achieved,
        "needs": [{"th": n.label_th, "en": n.label_en} for n in lv.needs],
        "problems": [p.as_dict() for p in lv.problems[:SHOWN]],
        "more": max(0, len(lv.problems) - SHOWN),
    }


KINDS = {
    "document": ("เอกสาร", "document"),
    "fact": ("ข้อมูลในระบบ", "ledger fact"),
    "report": ("รายงาน", "report"),
}


def index_context(
    kpi: KpiResult, number: int, by_document: dict, by_report: dict, page: Callable[[int], int]
) -> dict[str, Any]:
    """Each piece of evidence once, with the levels it proves (KPI 1's measurement proves 2–5),
    its moment from the ledger and its page in the packet; what is missing, in red."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(level: str, key: tuple[str, str], row: dict[str, Any]) -> None:
        found = rows.setdefault(key, {**row, "levels": []})
        if level not in found["levels"]:
            found["levels"].append(level)

    def proof_row(proof: Proof) -> dict[str, Any]:
        part = by_document.get(proof.document_id) if proof.kind == "document" else None
        part = by_report.get(proof.ref) if proof.kind == "report" else part
        kind_th, kind_en = KINDS[proof.kind]
        when = moment_th(proof.at) if proof.at else "–"
        return _row(kind_th, kind_en, proof.th, proof.en, when, page(part.first) if part else "–")

    for level in kpi.levels:
        for proof in level.proofs:
            add(str(level.level), (proof.kind, proof.th), proof_row(proof))
        for problem in level.problems[:INDEXED]:
            add(str(level.level), ("problem", problem.th), _missing(problem.th, problem.en))
        if len(level.problems) > INDEXED:
            more = len(level.problems) - INDEXED
            missing = _missing(f"และอีก {more} รายการ", f"and {more} more")
            add(str(level.level), ("more", str(level.level)), missing)
    for doc in kpi.documents:
        for proof in doc.check.proofs:
            add("–", (proof.kind, proof.th), proof_row(proof))
        for problem in doc.check.problems:
            add("–", ("problem", problem.th), _missing(problem.th, problem.en))
    items = [{**row, "level": levels_text(row.pop("levels"))} for row in rows.values()]
    names = {"name_th": kpi.rule.name_th, "name_en": kpi.rule.name_en}
    return {"code": kpi.code, "number": number, **names, "rows": items}


def _row(kind_th: str, kind_en: str, th: str, en: str, when: str, page: Any) -> dict[str, Any]:
    return {
        "kind_th": kind_th,
        "kind_en": kind_en,
        "th": th,
        "en": en,
        "when": when,
        "page": page,
        "style": "",
    }


def _missing(th: str, en: str) -> dict[str, Any]:
    return {**_row("ยังขาด", "missing", th, en, "–", "–"), "style": "fail"}


def levels_text(levels: list[str]) -> str:
    """["2", "3", "4", "5"] → "2–5"; ["1", "3"] → "1, 3"."""
    numbers = [int(v) for v in levels if v.isdigit()]
    if (
        len(numbers) == len(levels)
        and len(numbers) > 2
        and numbers == list(range(numbers[0], numbers[-1] + 1))
    ):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(levels)
