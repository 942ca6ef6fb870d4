"""HTML → PDF for the evidence documents, with the same Sarabun font and network-free
fetching as the RPT reports (templates.reports.render)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from eop.formats import baht, number
from eop.thai import MONTHS_EN, be_year, date_th, to_thai_digits
from templates.pdf import font_uris, write_pdf

HERE = Path(__file__).resolve().parent
WEEKDAYS_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def thai_weekday_date(day: date) -> tuple[str, str]:
    """`วันจันทร์ที่ 16 มีนาคม 2558`, `Monday 16 March 2558 BE`: as the seed's title page."""
    return (
        f"วัน{WEEKDAYS_TH[day.weekday()]}ที่ {date_th(day)}",
        f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {be_year(day.year)} BE",
    )


def _digits(text: Any, thai: bool = False) -> str:
    return to_thai_digits(str(text)) if thai else str(text)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["digits"] = _digits
    env.filters["baht"] = baht
    env.filters["qty"] = number
    return env


@cache
def _css(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def render_document_html(template: str, context: dict[str, Any], *, embed_font: bool = True) -> str:
    """The document as one HTML page; `embed_font` adds Sarabun's @font-face rules (the
    PDF writer gives the font itself, parsed once)."""
    fonts = font_uris() if embed_font else {}
    return (
        environment()
        .get_template(template)
        .render(**context, fonts=fonts, base_css=Markup(_css("document.css")))
    )


def _write_pdf(template: str, context: dict[str, Any], out: Path) -> Path:
    html = render_document_html(template, context, embed_font=False)
    return write_pdf(html, out, base_url=HERE.as_uri() + "/")


def render_packet_front(context: dict[str, Any], out: Path) -> Path:
    """Cover, contents, scorecard, each KPI's level table, the evidence index and the checklist."""
    return _write_pdf("packet.html", context, out)


def render_letter(context: dict[str, Any], out: Path) -> Path:
    """The target notification memo (บันทึกข้อความ) with its annex of each office's targets."""
    return _write_pdf("letter.html", context, out)


def render_order(context: dict[str, Any], out: Path) -> Path:
    """A province office order (คำสั่ง) appointing a committee: the demo's stand-ins."""
    return _write_pdf("order.html", context, out)


def render_slip(context: dict[str, Any], out: Path) -> Path:
    """The page standing in a packet for a document on file that cannot be read (`context`:
    label_th, label_en, name, sha256, th, en — what is wrong and what to send instead)."""
    return _write_pdf("slip.html", context, out)


def render_stamps(pages: list[dict[str, Any]], out: Path) -> Path:
    """One transparent page per packet page, of the same size, carrying only its stamp
    (`pages`: width_pt, height_pt, label) at the foot: laid over the merged packet."""
    sizes: dict[tuple[float, float], str] = {}
    for page in pages:
        sizes.setdefault(
            (round(page["width_pt"], 2), round(page["height_pt"], 2)), f"s{len(sizes)}"
        )
    context = {
        "pages": [
            {**p, "size": sizes[(round(p["width_pt"], 2), round(p["height_pt"], 2))]} for p in pages
        ],
        "sizes": [{"name": name, "width": w, "height": h} for (w, h), name in sizes.items()],
    }
    return _write_pdf("stamps.html", context, out)
