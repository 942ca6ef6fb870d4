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
from pathlib import Path
from typing import Any

from eop.rounds import Round
from intake.documents import file_sha256
from jobs.deployment import Deployment
from jobs.reports import build_report, read_source, write
from kpi.checklist import checklist
from kpi.front import front_context
from kpi.merge import Part, document_part, merge, pdf_pages, unreadable_items, write_zip
from kpi.model import ChecklistItem, Scorecard
from kpi.packet_parts import Packet, lay_out, packet_mail_context, page_list, summary
from kpi.rpt311 import CATALOGUE, RPT311, rpt311_of
from kpi.scorecard import score
from ledger import evidence as ledger_evidence
from ledger.db import record_event
from templates.evidence import render_packet_front

__all__ = [  # the packet's parts and words live in kpi.packet_parts, named here for callers
    "Packet",
    "Part",
    "build_packet",
    "load_summary",
    "packet_mail_context",
    "page_list",
    "summary",
]

PACKET_REPORTS = ("RPT111", "RPT112", "RPT113", "RPT211", "RPT212", "RPT311")


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
    say = progress or (lambda _text: None)
    card = score(deployment, round_, office)
    items = checklist(card)
    folder = packet_dir(deployment, round_, office)
    reports, sources = _reports(deployment, card, folder / "parts", say)
    documents = [document_part(deployment, d, folder / "parts") for d in _in_packet_order(card)]
    items += unreadable_items(deployment, card)  # cleaned just now: each read once
    say("front matter …")
    parts = _with_front(deployment, card, items, [*documents, *reports], folder / "parts")
    say("merging and stamping …")
    pdf_path = folder / f"{packet_name(round_, office)}.pdf"
    total = _merge(card, parts, pdf_path)
    sha256 = file_sha256(pdf_path)
    say("zip …")
    zip_path, manifest = _zip(deployment, round_, office, sources, pdf_path, sha256, folder)
    packet = Packet(round_, office, pdf_path, zip_path, total, sha256, parts, card, items, manifest)
    _write_summary(packet, summary_path(deployment, round_, office))
    _record_built(deployment, packet)
    return packet


def _record_built(deployment: Deployment, packet: Packet) -> None:
    with deployment.ledger.atomic() as conn:
        record_event(
            conn,
            deployment.now(),
            "evidence-packet-built",
            office=packet.office,
            kind="evidence",
            period=packet.round.code,
            pdf=packet.pdf.name,
            sha256=packet.sha256,
            pages=packet.pages,
            zip=packet.zip.name,
            parts=[f"{p.ref or p.kind}:{p.first}-{p.last}" for p in packet.parts],
            levels={k.code: k.level for k in packet.card.kpis},
            missing=len(packet.checklist),
        )


def _reports(
    deployment: Deployment, card: Scorecard, parts_dir: Path, say: Callable[[str], None]
) -> tuple[list[Part], list[Path]]:
    """The packet's reports to the scorecard's month as PDF parts, with their XLSX sources."""
    reports, sources = [], []
    figures = read_source(deployment, card.as_of)  # once for all the packet's reports
    for code in PACKET_REPORTS:
        say(f"{code} …")
        spec = rpt311_of(card.round) if code == RPT311.code else CATALOGUE[code]
        data = build_report(deployment, spec, card.as_of, card.office, figures)
        pdf = write(data, "pdf", parts_dir / f"{code}.pdf")
        sources.append(write(data, "xlsx", parts_dir / f"{code}.xlsx"))
        th, en = f"{code} {spec.title_th}", f"{code} {spec.title_en}"
        reports.append(Part("report", th, en, pdf, pdf_pages(pdf), ref=code))
    return reports, sources


def _with_front(
    deployment: Deployment,
    card: Scorecard,
    items: list[ChecklistItem],
    attached: list[Part],
    parts_dir: Path,
) -> list[Part]:
    """The front matter first, then the parts: the contents give page numbers, which may move
    the contents, so the front is rendered again until its page count settles."""
    front_path = parts_dir / "front.pdf"
    front_pages, laid_out = 0, attached
    for _ in range(4):
        laid_out = lay_out(attached, front_pages or 1)
        context = front_context(deployment, card, items, laid_out, settled=bool(front_pages))
        render_packet_front(context, front_path)
        pages = pdf_pages(front_path)
        if pages == front_pages:
            break
        front_pages = pages
    return [Part("front", "ส่วนหน้า", "front matter", front_path, front_pages, 1), *laid_out]


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


def summary_path(deployment: Deployment, round_: Round, office: str) -> Path:
    return packet_dir(deployment, round_, office) / f"{packet_name(round_, office)}.json"


def load_summary(deployment: Deployment, round_: Round, office: str) -> dict[str, Any] | None:
    import json

    path = summary_path(deployment, round_, office)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
