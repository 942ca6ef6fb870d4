"""HTML and PDF of an RPT report: one Jinja2 template and one stylesheet for both.

The HTML is also a mail body, so it carries its CSS inline and fetches nothing; only the
PDF adds the Sarabun font (from the pip package fontpkg-sarabun: the machine has no Thai
font of its own) with @font-face, and only from file: URLs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from eop.formats import baht, count, moment_th, number, percent
from eop.thai import to_thai_digits
from templates.pdf import font_uris, write_pdf
from templates.reports.model import Bar, Cell, Chart, ColumnKind, ReportData, Row, Text
from templates.reports.widths import column_widths

HERE = Path(__file__).resolve().parent
NUMERIC: tuple[ColumnKind, ...] = ("quantity", "money", "percent", "count")


def digits(text: str, thai: bool) -> str:
    return to_thai_digits(text) if thai else text


def format_number(value: float, kind: ColumnKind) -> str:
    """A figure as its column reads it (eop.formats): money and percent to two places, counts
    whole, quantities without trailing zeros."""
    if kind == "money":
        return baht(value)
    if kind == "percent":
        return percent(value)
    return count(value) if kind == "count" else number(value)


def format_cell(value: Cell, kind: ColumnKind, thai: bool = False) -> str:
    """A cell as text, as the PDF and HTML show it (the XLSX keeps numbers as numbers)."""
    if value is None:
        return "–" if kind in NUMERIC else ""
    if isinstance(value, bool):
        return "ใช่" if value else "–"
    if isinstance(value, datetime):
        return digits(moment_th(value), thai)
    if isinstance(value, int | float):
        return digits(format_number(value, kind), thai)
    return str(value)


def _cell_html(value: Cell, kind: ColumnKind, thai: bool) -> Markup:
    if isinstance(value, Text):
        english = Markup('<span class="en">{}</span>').format(value.en) if value.en else ""
        return Markup("{}{}").format(value.th, english)
    return Markup.escape(format_cell(value, kind, thai))


def blocks(data: ReportData) -> list[list[Row]]:
    """The rows cut before each group row, the totals row last: one <tbody> each."""
    found: list[list[Row]] = [[]]
    for row in data.rows:
        if row.style == "group" and found[-1]:
            found.append([])
        found[-1].append(row)
    if data.totals:
        found[-1].append(data.totals)
    return [block for block in found if block]


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = _cell_html
    env.filters["digits"] = digits
    return env


@cache
def stylesheet() -> str:
    return (HERE / "report.css").read_text(encoding="utf-8")


def render_html(data: ReportData, *, embed_font: bool = False) -> str:
    """The report as one HTML page, its stylesheet inline. `embed_font` adds the
    @font-face rules of Sarabun; a mail body goes without (it must fetch nothing, and a
    reader's Thai font will do)."""
    return _html(data, Markup(stylesheet()), font_uris() if embed_font else {}, [])


def _html(data: ReportData, css: Markup, fonts: dict[int, str], widths: list[float]) -> str:
    return (
        environment()
        .get_template("report.html")
        .render(
            data=data,
            css=css,
            fonts=fonts,
            chart_parts=chart_parts(data.chart, data.thai_numerals) if data.chart else [],
            numeric=NUMERIC,
            blocks=blocks(data),
            widths=widths,
        )
    )


def pdf_column_widths(data: ReportData) -> list[float]:
    """The table's columns in per cent of the page, as WeasyPrint's own automatic layout
    would share it out but without its cost (templates.reports.widths)."""
    rows = [*data.rows, data.totals] if data.totals else data.rows
    return column_widths(
        data.columns, rows, lambda value, kind: format_cell(value, kind, data.thai_numerals)
    )


def render_pdf(data: ReportData, out: Path) -> Path:
    """A4 landscape PDF with Sarabun embedded and an exact text layer (templates.pdf): the
    stylesheet and the font are given parsed, the HTML carries neither; the columns'
    widths are given too (a mail's browser lays its table out by itself)."""
    return write_pdf(
        _html(data, Markup(""), {}, pdf_column_widths(data)),
        out,
        base_url=HERE.as_uri() + "/",
        stylesheets=[HERE / "report.css"],
    )


# -- the bar chart (SVG shapes, HTML labels) -----------------------------------------

WIDTH, LABEL_W, VALUE_W, BAR_H, GAP, TOP = 1000, 360, 70, 14, 6, 28
BAR, BELOW, OVER = "#3b6ea5", "#d9822b", "#2e7d32"
CAPTION_CHARS = 38
PLOT_BARS = 24  # 24 bars, their scale and a caption fill an A4 landscape page's body


def _scale_top(chart: Chart) -> float:
    highest = max([b.value or 0 for b in chart.bars] + [chart.expected or 0, 100])
    return math.ceil(highest / 25) * 25


def _text(x: float, y: float, text: str, height: float, anchor: str, colour: str) -> str:
    """A label laid over the chart as HTML, at SVG point (x, baseline y): WeasyPrint draws
    SVG text one code point at a time (Thai marks collide, and it costs ~0.1 s a chart)."""
    top = f"top:{(y - 9) / height * 100:.2f}%"
    where = {
        "end": f"right:{(WIDTH - x) / WIDTH * 100:.2f}%",
        "middle": f"left:{x / WIDTH * 100 - 5:.2f}%;width:10%;text-align:center",
        "start": f"left:{x / WIDTH * 100:.2f}%",
    }[anchor]
    return f'<span class="label" style="{top};{where};color:{colour}">{escape(text)}</span>'


def _bar(
    chart: Chart, bar: Bar, y: float, x_of: Callable[[float], float], height: float, thai: bool
) -> tuple[str, list[str]]:
    """One bar (amber short of the expected line, green from 100 %) and its labels."""
    caption = (
        bar.caption if len(bar.caption) <= CAPTION_CHARS else bar.caption[: CAPTION_CHARS - 1] + "…"
    )
    labels = [_text(LABEL_W - 8, y + BAR_H - 3, f"{bar.label} {caption}", height, "end", "#1f2933")]
    value = bar.value or 0
    colour = OVER if value >= 100 else BELOW if chart.expected and value < chart.expected else BAR
    shape = f'<rect x="{LABEL_W}" y="{y}" width="{x_of(value) - LABEL_W:.1f}" height="{BAR_H}" fill="{colour}"/>'
    shown = "–" if bar.value is None else digits(f"{bar.value:,.1f}%", thai)
    if x_of(value) - LABEL_W > 70:  # inside a long bar, in white: clear of the dashed line
        labels.append(_text(x_of(value) - 4, y + BAR_H - 3, shown, height, "end", "#ffffff"))
    else:
        labels.append(_text(x_of(value) + 4, y + BAR_H - 3, shown, height, "start", "#1f2933"))
    return shape, labels


def chart_parts(chart: Chart, thai: bool = False) -> list[Markup]:
    """Horizontal bars of a percentage per activity, a grid every 25 %, and a dashed line
    where the period should have reached. Bars short of that line are amber. The shapes are
    SVG, the labels HTML laid over them. A long catalogue is drawn in parts of at most
    PLOT_BARS bars (one figure each, on one scale), so that every part fits an A4 page: one
    picture taller than the page would be cut off at its foot."""
    count = len(chart.bars)
    # parts as even as can be: 60 bars make 3 parts of 20, not 24 + 24 + 12
    size = math.ceil(count / math.ceil(count / PLOT_BARS)) if count else 1
    top = _scale_top(chart)  # one scale for every part
    return [
        _plot(chart, chart.bars[start : start + size], top, thai)
        for start in range(0, max(count, 1), size)
    ]


def _plot(chart: Chart, bars: list[Bar], top: float, thai: bool) -> Markup:
    """One part of the chart: its bars, the grid and the expected line."""
    plot = WIDTH - LABEL_W - VALUE_W
    height = TOP + len(bars) * (BAR_H + GAP) + 8

    def x_of(value: float) -> float:
        return LABEL_W + plot * min(value, top) / top

    shapes = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}">'
    ]
    labels = []
    for tick in range(0, int(top) + 1, 25):
        x = x_of(tick)
        shapes.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 8}" stroke="#d9dde3" stroke-width="1"/>'
        )
        labels.append(_text(x, TOP - 10, digits(f"{tick}%", thai), height, "middle", "#52606d"))
    for index, bar in enumerate(bars):
        shape, bar_labels = _bar(chart, bar, TOP + index * (BAR_H + GAP), x_of, height, thai)
        shapes.append(shape)
        labels += bar_labels
    if chart.expected:
        x = x_of(chart.expected)
        shapes.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - 8}" stroke="#c62828" '
            f'stroke-width="1.5" stroke-dasharray="5,3"/>'
        )
    shapes.append("</svg>")
    return Markup('<div class="plot">' + "".join(shapes + labels) + "</div>")
