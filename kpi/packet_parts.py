"""The evidence packet's parts and what is said of it (DESIGN §8): a run of pages each (the
front matter, a document, a report), laid out one after another; the summary `eop evidence
--json` prints and the .json beside the PDF holds; the page list; what its mail says."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eop.rounds import Round
from kpi.checklist import group_checklist
from kpi.mailing import kpi_lines
from kpi.merge import Part
from kpi.model import ChecklistItem, Scorecard


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


def lay_out(parts: list[Part], front_pages: int) -> list[Part]:
    """The parts numbered after `front_pages` pages of front matter."""
    placed, page = [], front_pages + 1
    for part in parts:
        placed.append(replace(part, first=page))
        page += part.pages
    return placed


def summary(packet: Packet) -> dict[str, Any]:
    """What `eop evidence --json` prints and the packet's .json beside it holds."""
    card = packet.card
    return {
        "round": packet.round.code,
        "office": packet.office,
        "pdf": str(packet.pdf),
        "zip": str(packet.zip),
        "pages": packet.pages,
        "sha256": packet.sha256,
        "built_at": card.computed_at.isoformat(),
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
            for k in card.kpis
        ],
        "total_weight": card.total_weight,
        "total_weighted": card.total_weighted,
        "office_th": card.office_th,
        "not_yet_due": [str(m) for m in card.not_yet_due],
        "missing": len(packet.checklist),
        "checklist": [item.as_dict() for item in packet.checklist],
        "manifest": [{"file": f, "sha256": h, "bytes": b} for f, h, b in packet.manifest],
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
