"""The target notification memo (บันทึกข้อความ) and the demo's stand-in documents.

When a province's allocation workbook (EOP016) is accepted, the memo notifying every district
of its work–money targets is drafted as a PDF (the official layout, the annex listing each
office's targets) into ``share/<province>/returned/`` and mailed to the province's evidence
people to be signed; the signed scan then comes back through the evidence folder
(``letter-targets-signed.pdf``) and counts for KPI 2 level 1. A new allocation version gets a
new draft. The demo also makes stand-in orders 84/2558 and 85/2558 and a "signed" stand-in of
the memo; each says on every page that it is a stand-in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from eop.config import Config, Role
from eop.rounds import DocumentRef
from eop.thai import date_th, datetime_th
from intake.folders import returned_dir
from jobs.deployment import Deployment
from kpi.mailing import evidence_people, guarded
from ledger.db import record_event
from ledger.records import latest_by_office
from ledger.reference import activity_rows, targets_of
from outbox.compose import make_message
from outbox.spool import queue
from templates.evidence import render_letter, render_order


def letter_keys(deployment: Deployment) -> list[str]:
    """`province|fiscal year|vN` of each province's latest accepted allocation."""
    year = deployment.config.fiscal_year
    with deployment.ledger.atomic() as conn:  # one query, asked twice a pass: not one a province
        latest = latest_by_office(conn, "allocation", str(year))
    return [
        f"{province.code}|{year}|v{latest[province.code].version}"
        for province in deployment.config.provinces()
        if province.code in latest
    ]


def letter_path(
    deployment: Deployment, province: str, year: int, version: int, *, stand_in: bool = False
) -> Path:
    tail = "ลงนามแล้ว-จำลอง" if stand_in else "ร่าง"
    return (
        returned_dir(deployment.root, province)
        / f"หนังสือแจ้งเป้าหมาย_{province}_{year}-v{version}-{tail}.pdf"
    )


def _group(config: Config, province: str) -> tuple[str, str]:
    """The strategy group (the coordinators' section): who drafts the memo."""
    section = next(
        (p.section for p in config.people_of(province, Role.COORDINATOR) if p.section), None
    )
    found = next((s for s in config.sections if s.code == section), None)
    return (
        (found.name_th, found.name_en)
        if found
        else ("กลุ่มยุทธศาสตร์และสารสนเทศการปศุสัตว์", "Livestock Strategy and Information Group")
    )


def letter_context(
    deployment: Deployment,
    province: str,
    year: int,
    *,
    stand_in: bool = False,
    signed_on: date | None = None,
) -> dict[str, Any]:
    """What the memo says: each office's allocated targets, from the ledger. A stand-in is dated
    `signed_on` (the day it would have been signed), else today."""
    config, now = deployment.config, deployment.now()
    here = config.office(province)
    offices = allocated_by_office(deployment, province, year)
    (group_th, _), entry = _group(config, province), config.calendar.entry
    return {
        "letter": {
            "office_th": here.name_th,
            "group_th": group_th,
            "number_th": "........................................",
            "date_th": date_th(signed_on or now.date()) if stand_in else "." * 40,
            "subject_th": f"แจ้งเป้าหมายผลการปฏิบัติงานและงบประมาณ (งาน-เงิน) ประจำปีงบประมาณ พ.ศ. {year} ในระบบ e-Operation",
            "to_th": "ปศุสัตว์อำเภอทุกอำเภอ",
            "paragraphs": [
                f"ตามที่ {here.name_th} ได้รับเป้าหมายผลผลิตและงบประมาณตามเอกสารงบประมาณรายจ่าย ประจำปีงบประมาณ พ.ศ. {year} นั้น "
                f"{group_th} ได้รับเป้าหมายจากทุกกลุ่ม/ฝ่าย และดำเนินการจัดสรรเป้าหมายตามแผนงาน/โครงการ/ผลผลิต/กิจกรรม "
                "ผ่านระบบบริหารการปฏิบัติงาน (e-Operation) เรียบร้อยแล้ว สรุปได้ดังนี้ รายละเอียดรายกิจกรรมตามบัญชีแนบท้าย"
            ],
            "closing": "จึงเรียนมาเพื่อโปรดทราบ ตรวจสอบเป้าหมายของหน่วยงาน และรายงานผลการปฏิบัติงานในระบบภายในระยะเวลาที่กรมปศุสัตว์กำหนด "
            f"(บันทึกและยืนยันผลงานวันที่ {entry[0]}–{entry[1]} ของทุกเดือน)",
            "signer_th": "." * 50,
            "position_th": province_head(here.name_th),
            "signed_by": "ลงนามสมมติ (เอกสารจำลอง)",
            "fiscal_year": year,
            "total_budget": sum(o["budget"] for o in offices),
            "draft": not stand_in,
            "stand_in": stand_in,
            "drafted_th": datetime_th(now),
        },
        "offices": offices,
    }


def allocated_by_office(deployment: Deployment, province: str, year: int) -> list[dict[str, Any]]:
    """Each district's (then the province office's own) allocated targets, in catalogue order."""
    config = deployment.config
    here = config.office(province)
    with deployment.ledger.atomic() as conn:
        allocated = targets_of(conn, year, "allocated")
        catalogue = {a.code: a for a in activity_rows(conn, year)}
    order = [o for o in config.children(province) if o.level == "district"] + [here]
    offices = []
    for office in order:
        rows: list[dict[str, Any]] = [
            {
                "code": code,
                "name_th": catalogue[code].name_th if code in catalogue else code,
                "unit": catalogue[code].unit if code in catalogue else "",
                "quantity": quantity,
                "budget": budget,
            }
            for (who, code), (quantity, budget) in allocated.items()
            if who == office.code and (quantity or budget)
        ]
        rows.sort(key=lambda r: catalogue[r["code"]].position if r["code"] in catalogue else 10_000)
        if rows:
            own = office.code == province
            name = f"{office.name_th} (ผลงานของสำนักงานเอง)" if own else office.name_th
            total = sum(r["budget"] for r in rows)
            offices.append(
                {"code": office.code, "name_th": name, "activities": len(rows)}
                | {"budget": total, "rows": rows}
            )
    return offices


def province_head(office_th: str) -> str:
    """`สำนักงานปศุสัตว์จังหวัดกาญจนบุรี` → `ปศุสัตว์จังหวัดกาญจนบุรี`, the officer who signs."""
    return office_th.removeprefix("สำนักงาน")


def draft_letter(
    deployment: Deployment,
    province: str,
    year: int,
    version: int,
    *,
    stand_in: bool = False,
    signed_on: date | None = None,
) -> Path:
    return render_letter(
        letter_context(deployment, province, year, stand_in=stand_in, signed_on=signed_on),
        letter_path(deployment, province, year, version, stand_in=stand_in),
    )


def draft_and_send(deployment: Deployment, key: str) -> int:
    """The target-letter job: draft the memo for this allocation version and mail it to sign."""
    province, year_text, _ = key.split("|")
    with guarded(deployment, "letter-draft-failed", province, year_text):
        return _draft_and_send(deployment, key)
    return 0


def _draft_and_send(deployment: Deployment, key: str) -> int:
    province, year_text, version_text = key.split("|")
    year, version = int(year_text), int(version_text.removeprefix("v"))
    path = draft_letter(deployment, province, year, version)
    now, here = deployment.now(), deployment.config.office(province)
    context = {
        "office": {"code": province, "name_th": here.name_th, "name_en": here.name_en},
        "fiscal_year": year,
        "version": version,
        "attachment_name": path.name,
        "evidence_folder": f"share/{province}/evidence/",
        "signed_name": "letter-targets-signed.pdf",
        "signed_name_th": "หนังสือแจ้งเป้าหมาย-ลงนามแล้ว.pdf",
    }
    with deployment.ledger.atomic() as conn:
        draft = make_message(
            "target_letter", evidence_people(deployment.config, province), context, [path]
        )
        dedupe = f"target-letter:{key}"
        queue(conn, deployment.config, draft, now=now, dedupe_key=dedupe, office=province)
        record_event(
            conn,
            now,
            "letter-drafted",
            office=province,
            kind="evidence",
            period=str(year),
            actor="calendar",
            file=path.name,
            allocation_version=version,
        )
    return 1


# -- the demo's stand-ins ------------------------------------------------------------------------


def stand_in_order(deployment: Deployment, province: str, ref: DocumentRef, out: Path) -> Path:
    """An order appointing a KPI committee, from config's declaration; it says it is a stand-in."""
    config = deployment.config
    here = config.office(province)
    people = [
        p.name
        for p in config.people
        if p.office in (province, *(s.code for s in config.sections if s.office == province))
    ]
    unique = list(dict.fromkeys(people))[:5] or ["(ชื่อสมมติ)"]
    roles = ["ประธานกรรมการ", *(["กรรมการ"] * (len(unique) - 2)), "กรรมการและเลขานุการ"][
        : len(unique)
    ]
    day: date = ref.date or deployment.now().date()
    context = {
        "order": {
            "office_th": here.name_th,
            "number": ref.number or "-",
            "title_th": ref.title_th,
            "paragraphs": [
                (
                    "เพื่อให้การติดตามผลการปฏิบัติงานตามตัวชี้วัดของสำนักงานปศุสัตว์จังหวัด ประจำปีงบประมาณ พ.ศ. "
                    f"{config.fiscal_year} เป็นไปด้วยความเรียบร้อย มีประสิทธิภาพ และบรรลุเป้าหมาย "
                    f"จึงแต่งตั้งคณะกรรมการ{ref.title_th.removeprefix('แต่งตั้ง')} ประกอบด้วย"
                ),
            ],
            "members": [
                {"name": name, "role": role} for name, role in zip(unique, roles, strict=False)
            ],
            "duties": "ให้คณะกรรมการมีหน้าที่ กำกับ ติดตาม และรวบรวมหลักฐานผลการปฏิบัติงานตามตัวชี้วัด "
            "รายงานผลต่อปศุสัตว์จังหวัดทุกเดือน และจัดส่งหลักฐานประกอบตัวชี้วัดตามกำหนดของกรมปศุสัตว์",
            "date_th": date_th(day),
            "signed_by": "ลงนามสมมติ (เอกสารจำลอง)",
            "signer_th": "..................................................",
            "position_th": province_head(here.name_th),
        }
    }
    return render_order(context, out)
