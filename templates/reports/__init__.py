"""RPT reports rendered from one data model (`ReportData`) in three formats: HTML (also a
mail body), PDF (A4 landscape, Sarabun embedded) and XLSX. They render what they are
given and query nothing; `jobs.reports` builds the data."""

from typing import Any

from templates.reports.model import Bar, Chart, Column, ReportData, Row, Text
from templates.reports.render import chart_parts, format_cell, render_html, render_pdf

__all__ = [
    "Bar",
    "Chart",
    "Column",
    "ReportData",
    "Row",
    "Text",
    "chart_parts",
    "format_cell",
    "render_html",
    "render_pdf",
    "render_xlsx",
]


def __getattr__(name: str) -> Any:
    """render_xlsx, with openpyxl, loaded when first asked for: the jobs that import this
    package for the report's model alone (every pass loads them) need not load openpyxl."""
    if name == "render_xlsx":
        from templates.reports.xlsx import render_xlsx

        return render_xlsx
    raise AttributeError(name)
