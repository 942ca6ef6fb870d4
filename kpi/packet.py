"""One round's evidence packet for a province (DESIGN §8): one PDF and a ZIP beside it.

The PDF: the front matter (cover in the style of the seed's title page, contents, scorecard,
each KPI's level table with the achieved level marked, the evidence index per level, the
checklist), then the registered documents merged in (pypdf), then RPT111, 112, 113, 211, 212
and 311; every page stamped with the packet's page number. The contents page gives each part's
first page: the front matter is rendered again until its own page count settles.

The ZIP: the reports' XLSX, the accepted allocation workbook (KPI 2 level 2) and
``manifest.csv`` (file, sha256, bytes, what) that also names the PDF beside it.

Written to ``var/evidence/<round>/<province>/`` (round `1/2558` → `1-2558`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eop.config import Role
from eop.rounds import Round
from eop.thai import date_en, date_th, datetime_th
from intake.documents import file_sha256
from jobs.deployment import Deployment
from kpi.mailing import kpi_lines
from kpi.merge import Part, document_part, merge, pdf_pages, unreadable_items, write_zip
from kpi.scorecard import (
    ChecklistItem,
    KpiResult,
    Scorecard,
    checklist,
    group_checklist,
    moment_th,
    score,
)
from ledger import evidence as ledger_evidence
from ledger.db import record_event
from templates.evidence import render_packet_front, thai_weekday_date

PACKET_REPORTS = ("RPT111", "RPT112", "RPT113", "RPT211", "RPT212", "RPT311")
PLACEHOLDER_PAGE = (
    888  # three digits, as wide as a real page number, while the front matter settles
)


@dataclass(frozen=True)
class Packet:
    round: Round
    office: str
    pdf: Path
    zip: Path
    pages: int
    sha256: str
    parts: list[Part]
    card: Scorecard
    checklist: list[ChecklistItem]
    manifest: list[tuple[str, str, int]]  # (file, sha256, bytes)


def packet_dir(deployment: Deployment, round_: Round, office: str) -> Path:
    return deployment.root / "evidence" / round_.code.replace("/", "-") / office


def packet_name(round_: Round, office: str) -> str:
    return f"evidence-{round_.code.replace('/', '-')}-{office}"


def build_packet(
    deployment: Deployment,
    round_: Round,
    office: str,
    *,
    progress: Callable[[str], None] | None = None,
) -> Packet:
    """Score the round, render its reports, merge the documents, stamp, zip; record an event."""
    from jobs.reports import REPORTS, build_report, read_source, write

    say = progress or (lambda _text: None)
    card = score(deployment, round_, office)
    items = checklist(card)
    folder = packet_dir(deployment, round_, office)
    parts_dir = folder / "parts"
    reports, sources = [], []
    figures = read_source(deployment, card.as_of)  # once for all the packet's reports
    for code in PACKET_REPORTS:
        say(f"{code} …")
        data = build_report(deployment, code, card.as_of, office, figures)
        pdf = write(data, "pdf", parts_dir / f"{code}.pdf")
        sources.append(write(data, "xlsx", parts_dir / f"{code}.xlsx"))
        spec = REPORTS[code]
        reports.append(
            Part(
                "report",
                f"{code} {spec.title_th}",
                f"{code} {spec.title_en}",
                pdf,
                pdf_pages(pdf),
                ref=code,
            )
        )
    documents = [document_part(deployment, d, parts_dir) for d in _in_packet_order(card)]
    items += unreadable_items(deployment, card)  # cleaned just now: each read once
    say("front matter …")
    front_path = parts_dir / "front.pdf"
    front_pages, laid_out = 0, [*documents, *reports]
    for _ in range(4):  # the contents give page numbers, which may move the contents: settle
        laid_out = _lay_out([*documents, *reports], front_pages or 1)
        render_packet_front(
            front_context(deployment, card, items, laid_out, settled=bool(front_pages)), front_path
        )
        pages = pdf_pages(front_path)
        if pages == front_pages:
            break
        front_pages = pages
    front = Part("front", "ส่วนหน้า", "front matter", front_path, front_pages, 1)
    parts = [front, *laid_out]
    say("merging and stamping …")
    pdf_path = folder / f"{packet_name(round_, office)}.pdf"
    total = _merge(card, parts, pdf_path)
    sha256 = file_sha256(pdf_path)
    say("zip …")
    zip_path, manifest = _zip(deployment, round_, office, sources, pdf_path, sha256, folder)
    packet = Packet(round_, office, pdf_path, zip_path, total, sha256, parts, card, items, manifest)
    _write_summary(packet, summary_path(deployment, round_, office))
    with deployment.ledger.atomic() as conn:
        record_event(
            conn,
            deployment.now(),
            "evidence-packet-built",
            office=office,
            kind="evidence",
            period=round_.code,
            pdf=pdf_path.name,
            sha256=sha256,
            pages=total,
            zip=zip_path.name,
            parts=[f"{p.ref or p.kind}:{p.first}-{p.last}" for p in parts],
            levels={k.code: k.level for k in card.kpis},
            missing=len(items),
        )
    return packet


def summary(packet: Packet) -> dict[str, Any]:
    """What `eop evidence --json` prints and the packet's .json beside it holds."""
    return {
        "round": packet.round.code,
        "office": packet.office,
        "pdf": str(packet.pdf),
        "zip": str(packet.zip),
        "pages": packet.pages,
        "sha256": packet.sha256,
        "built_at": packet.card.computed_at.isoformat(),
        "parts": [
            {"kind": p.kind, "th": p.th, "en": p.en, "first": p.first, "last": p.last}
            for p in packet.parts
        ],
        "kpis": [
            {
                "code": k.code,
                "weight": k.rule.weight,
                "achievement": k.achievement,
                "level": k.level,
                "levels": len(k.levels),
                "score": k.score,
                "weighted": k.weighted,
            }
            for k in packet.card.kpis
        ],
        "total_weight": packet.card.total_weight,
        "total_weighted": packet.card.total_weighted,
        "office_th": packet.card.office_th,
        "missing": len(packet.checklist),
        "checklist": [item.as_dict() for item in packet.checklist],
        "manifest": [{"file": f, "sha256": h, "bytes": b} for f, h, b in packet.manifest],
    }


def _write_summary(packet: Packet, out: Path) -> None:
    import json

    out.write_text(json.dumps(summary(packet), ensure_ascii=False, indent=2), encoding="utf-8")


def _in_packet_order(card: Scorecard) -> list[ledger_evidence.Document]:
    """The documents in the order the KPIs need them (KPI 1 level 1's order first), then the rest."""
    ordered: list[ledger_evidence.Document] = []
    for kpi in card.kpis:
        for level in kpi.levels:
            for proof in level.proofs:
                found = next((d for d in card.documents if d.id == proof.document_id), None)
                if found and found not in ordered:
                    ordered.append(found)
        for doc in kpi.documents:
            for proof in doc.check.proofs:
                found = next((d for d in card.documents if d.id == proof.document_id), None)
                if found and found not in ordered:
                    ordered.append(found)
    return ordered + [d for d in card.documents if d not in ordered]


def _lay_out(parts: list[Part], front_pages: int) -> list[Part]:
    placed, page = [], front_pages + 1
    for part in parts:
        placed.append(replace(part, first=page))
        page += part.pages
    return placed


# -- the front matter's content -----------------------------------------------------------------


def front_context(
    deployment: Deployment,
    card: Scorecard,
    items: list[ChecklistItem],
    parts: list[Part],
    *,
    settled: bool,
) -> dict[str, Any]:
    config, round_ = deployment.config, card.round

    def page(number: int) -> int:
        return number if settled else PLACEHOLDER_PAGE

    group_th, group_en = _group(deployment, card)
    day_th, day_en = thai_weekday_date(card.computed_at.date())
    documents = [p for p in parts if p.kind == "document"]
    reports = [p for p in parts if p.kind == "report"]
    by_document = {p.document_id: p for p in documents}
    by_report = {p.ref: p for p in reports}
    kpis = [_kpi_context(k, n) for n, k in enumerate(card.kpis, start=1)]
    toc: list[dict[str, Any]] = [
        {
            "number": "1",
            "th": "สรุปผลการประเมินตัวชี้วัด",
            "en": "KPI results",
            "anchor": "summary",
            "style": "",
        },
        *(
            {
                "number": str(n),
                "th": f"ตัวชี้วัดที่ {k['number']} : {k['short_th']}",
                "en": f"KPI {k['number']}: {k['short_en']}",
                "anchor": f"kpi-{k['code']}",
                "style": "",
            }
            for n, k in enumerate(kpis, start=2)
        ),
    ]
    n = len(toc) + 1
    toc += [
        {
            "number": str(n),
            "th": "ดัชนีหลักฐานรายระดับ",
            "en": "Evidence index, level by level",
            "anchor": "index",
            "style": "",
        },
        {
            "number": str(n + 1),
            "th": "รายการที่ยังขาดหรือไม่ผ่าน",
            "en": "Still missing or failing",
            "anchor": "checklist",
            "style": "",
        },
    ]
    n += 2
    if documents:
        toc.append(
            {
                "number": str(n),
                "th": "เอกสารหลักฐานที่แนบ",
                "en": "Documents attached",
                "anchor": None,
                "page": page(documents[0].first),
                "style": "",
            }
        )
        toc += [
            {
                "number": f"{n}.{i}",
                "th": p.th,
                "en": p.en,
                "anchor": None,
                "page": page(p.first),
                "style": "part",
            }
            for i, p in enumerate(documents, start=1)
        ]
        n += 1
    toc.append(
        {
            "number": str(n),
            "th": "รายงานที่แนบ",
            "en": "Reports attached",
            "anchor": None,
            "page": page(reports[0].first) if reports else "",
            "style": "",
        }
    )
    toc += [
        {
            "number": f"{n}.{i}",
            "th": p.th,
            "en": p.en,
            "anchor": None,
            "page": page(p.first),
            "style": "part",
        }
        for i, p in enumerate(reports, start=1)
    ]
    index = [
        _index_context(k, n, by_document, by_report, page) for n, k in enumerate(card.kpis, start=1)
    ]
    achievement = next((k for k in card.kpis if k.achievement is not None), None)
    method_th = method_en = ""
    if achievement is not None:
        weighted = achievement.rule.method == "budget-weighted"
        method_th = (
            "ผลสำเร็จตัวชี้วัดที่ 1 = ค่าเฉลี่ย"
            + ("ถ่วงน้ำหนักด้วยงบประมาณ" if weighted else "")
            + "ของ (ผลสะสม ÷ เป้าหมายทั้งปี) รายกิจกรรม แต่ละกิจกรรมไม่เกินร้อยละ 100"
        )
        method_en = (
            "KPI 1 achievement = the "
            + ("budget-weighted " if weighted else "")
            + "mean over activities of cumulative ÷ annual target, each capped at 100%"
        )
    place = config.office(card.office)
    return {
        "packet": {
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
            "computed_th": datetime_th(card.computed_at),
            "computed_en": f"{date_en(card.computed_at)} {card.computed_at:%H:%M}",
            "method_th": method_th,
            "method_en": method_en,
            "stand_in": any(p.stand_in for p in documents),
        },
        "toc": toc,
        "kpis": kpis,
        "index": index,
        "checklist": group_checklist(items),
        "total_weight": card.total_weight,
        "total_weighted": card.total_weighted,
    }


def _group(deployment: Deployment, card: Scorecard) -> tuple[str, str]:
    config = deployment.config
    code = card.round.prepared_by or next(
        (p.section for p in config.people_of(card.office, Role.COORDINATOR) if p.section), None
    )
    found = next((s for s in config.sections if s.code == code), None)
    return (found.name_th, found.name_en) if found else (card.office_th, card.office_en)


def short_name(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _kpi_context(kpi: KpiResult, number: int) -> dict[str, Any]:
    shown = 4
    measured_th = (
        f"ผลสำเร็จร้อยละ {kpi.achievement:,.2f}"
        if kpi.achievement is not None
        else f"ระดับ {kpi.level} จาก {len(kpi.levels)}"
    )
    measured_en = (
        f"achievement {kpi.achievement:,.2f}%"
        if kpi.achievement is not None
        else f"level {kpi.level} of {len(kpi.levels)}"
    )
    return {
        "code": kpi.code,
        "number": number,
        "name_th": kpi.rule.name_th,
        "name_en": kpi.rule.name_en,
        "short_th": short_name(kpi.rule.name_th),
        "short_en": short_name(kpi.rule.name_en),
        "weight": kpi.rule.weight,
        "level": kpi.level,
        "score": kpi.score,
        "weighted": kpi.weighted,
        "measured_th": measured_th,
        "measured_en": measured_en,
        "levels": [
            {
                "level": lv.level,
                "text_th": lv.text_th,
                "text_en": lv.text_en,
                "holds": lv.holds,
                "reached": lv.reached,
                "achieved": lv.level == kpi.level,
                "needs": [{"th": n.label_th, "en": n.label_en} for n in lv.needs],
                "problems": [p.as_dict() for p in lv.problems[:shown]],
                "more": max(0, len(lv.problems) - shown),
            }
            for lv in kpi.levels
        ],
        "documents": [
            {
                "label_th": d.need.label_th,
                "label_en": d.need.label_en,
                "on_file": d.check.holds,
                "detail_th": "; ".join(p.th for p in d.check.proofs)
                or f"{d.need.label_th} ยังไม่มีในแฟ้ม",
                "detail_en": "; ".join(p.en for p in d.check.proofs)
                or f"{d.need.label_en} is not on file",
            }
            for d in kpi.documents
        ],
        "activities": [
            {
                "code": a.activity,
                "name_th": a.name_th,
                "target": a.target,
                "cumulative": a.cumulative,
                "percent": a.percent,
                "capped": a.capped,
            }
            for a in kpi.activities
        ],
    }


KINDS = {
    "document": ("เอกสาร", "document"),
    "fact": ("ข้อมูลในระบบ", "ledger fact"),
    "report": ("รายงาน", "report"),
}


def _index_context(
    kpi: KpiResult, number: int, by_document: dict, by_report: dict, page: Callable[[int], int]
) -> dict[str, Any]:
    """Each piece of evidence once, with the levels it proves (KPI 1's measurement proves 2–5),
    its moment from the ledger and its page in the packet; what is missing, in red."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def add(level: str, key: tuple[str, str], row: dict[str, Any]) -> None:
        found = rows.setdefault(key, {**row, "levels": []})
        if level not in found["levels"]:
            found["levels"].append(level)

    def proof_row(proof) -> dict[str, Any]:
        part = (
            by_document.get(proof.document_id)
            if proof.kind == "document"
            else by_report.get(proof.ref)
            if proof.kind == "report"
            else None
        )
        kind_th, kind_en = KINDS[proof.kind]
        return {
            "kind_th": kind_th,
            "kind_en": kind_en,
            "th": proof.th,
            "en": proof.en,
            "when": moment_th(proof.at) if proof.at else "–",
            "page": page(part.first) if part else "–",
            "style": "",
        }

    def missing_row(th: str, en: str) -> dict[str, Any]:
        return {
            "kind_th": "ยังขาด",
            "kind_en": "missing",
            "th": th,
            "en": en,
            "when": "–",
            "page": "–",
            "style": "fail",
        }

    for level in kpi.levels:
        for proof in level.proofs:
            add(str(level.level), (proof.kind, proof.th), proof_row(proof))
        for problem in level.problems[:5]:
            add(str(level.level), ("problem", problem.th), missing_row(problem.th, problem.en))
        if len(level.problems) > 5:
            more = len(level.problems) - 5
            add(
                str(level.level),
                ("more", str(level.level)),
                missing_row(f"และอีก {more} รายการ", f"and {more} more"),
            )
    for doc in kpi.documents:
        for proof in doc.check.proofs:
            add("–", (proof.kind, proof.th), proof_row(proof))
        for problem in doc.check.problems:
            add("–", ("problem", problem.th), missing_row(problem.th, problem.en))
    items = [{**row, "level": _levels_text(row.pop("levels"))} for row in rows.values()]
    return {
        "code": kpi.code,
        "number": number,
        "short_th": short_name(kpi.rule.name_th),
        "short_en": short_name(kpi.rule.name_en),
        "rows": items,
    }


def _levels_text(levels: list[str]) -> str:
    """["2", "3", "4", "5"] → "2–5"; ["1", "3"] → "1, 3"."""
    numbers = [int(v) for v in levels if v.isdigit()]
    if (
        len(numbers) == len(levels)
        and len(numbers) > 2
        and numbers == list(range(numbers[0], numbers[-1] + 1))
    ):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(levels)


# -- merging, stamping, zipping -------------------------------------------------------------------


def _merge(card: Scorecard, parts: list[Part], out: Path) -> int:
    label = f"แฟ้มหลักฐานตัวชี้วัด รอบที่ {card.round.code} · {card.office_th}"
    title = f"{label} — KPI evidence packet, round {card.round.code}"
    return merge(parts, label, title, f"{card.office} {card.round.code}", out)


def _zip(
    deployment: Deployment,
    round_: Round,
    office: str,
    sources: list[Path],
    pdf: Path,
    pdf_sha256: str,
    folder: Path,
) -> tuple[Path, list[tuple[str, str, int]]]:
    members: list[tuple[str, bytes, str, str]] = [
        (f"reports/{p.name}", p.read_bytes(), f"รายงาน {p.stem} (XLSX)", f"report {p.stem} (XLSX)")
        for p in sources
    ]
    with deployment.ledger.atomic() as conn:
        allocation = ledger_evidence.latest_fact(
            conn, office, "allocation", str(round_.fiscal_year)
        )
        archive = None
        if allocation is not None:
            from ledger.records import file_row

            archive = deployment.root / file_row(conn, allocation.file_id).archive_path
    if archive is not None and allocation is not None and archive.is_file():
        members.append(
            (
                f"allocation/EOP016-{office}-{round_.fiscal_year}-v{allocation.version}.xlsx",
                archive.read_bytes(),
                f"แบบจัดสรรเป้าหมาย (EOP016) ฉบับที่ {allocation.version} ที่รับไว้",
                f"allocation workbook (EOP016) v{allocation.version} as accepted",
            )
        )
    out = folder / f"{packet_name(round_, office)}.zip"
    return out, write_zip(members, pdf, pdf_sha256, out)


# -- what the packet's mail says ----------------------------------------------------------------------


def packet_mail_context(packet: Packet) -> dict[str, Any]:
    return {
        "pdf_name": packet.pdf.name,
        "zip_name": packet.zip.name,
        "pages": packet.pages,
        "parts": [{"th": p.th, "en": p.en, "first": p.first, "last": p.last} for p in packet.parts],
        "kpis": kpi_lines(packet.card),
        "total_weighted": f"{packet.card.total_weighted:.4f}",
        "groups": group_checklist(packet.checklist),
        "count": len(packet.checklist),
    }


def page_list(packet: Packet | dict[str, Any]) -> list[str]:
    """`1–5 ส่วนหน้า — front matter` … one line per part: the packet's page list (of a Packet or its summary)."""
    parts = summary(packet)["parts"] if isinstance(packet, Packet) else packet["parts"]
    return [
        f"{p['first']}–{p['last']}  {p['th']} — {p['en']}"
        if p["last"] > p["first"]
        else f"{p['first']}  {p['th']} — {p['en']}"
        for p in parts
    ]


def summary_path(deployment: Deployment, round_: Round, office: str) -> Path:
    return packet_dir(deployment, round_, office) / f"{packet_name(round_, office)}.json"


def load_summary(deployment: Deployment, round_: Round, office: str) -> dict[str, Any] | None:
    import json

    path = summary_path(deployment, round_, office)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
