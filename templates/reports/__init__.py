"""RPT reports rendered from one data model (`ReportData`) in three formats: HTML (also a
mail body), PDF (A4 landscape, Sarabun embedded) and XLSX. They render what they are
given and query nothing; `jobs.reports` builds the data."""

from templates.reports.model import Bar, Chart, Column, ReportData, Row, Text
from templates.reports.render import bar_chart_svg, format_cell, render_html, render_pdf
from templates.reports.xlsx import render_xlsx

__all__ = [
    "Bar",
    "Chart",
    "Column",
    "ReportData",
    "Row",
    "Text",
    "bar_chart_svg",
    "format_cell",
    "render_html",
    "render_pdf",
    "render_xlsx",
]
