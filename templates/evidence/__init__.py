"""KPI evidence documents rendered to PDF: the packet's front matter (cover in the style of the
seed's title page, contents, level tables, evidence index, checklist), the page stamps laid
over the whole packet, the target notification memo (บันทึกข้อความ) and the demo's stand-in
orders. They render what they are given; `kpi.evidence*` gathers it from the ledger."""

from templates.evidence.render import (
    render_document_html,
    render_letter,
    render_order,
    render_packet_front,
    render_slip,
    render_stamps,
    thai_weekday_date,
)

__all__ = [
    "render_document_html",
    "render_letter",
    "render_order",
    "render_packet_front",
    "render_slip",
    "render_stamps",
    "thai_weekday_date",
]
