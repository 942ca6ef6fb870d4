"""XLSX of an RPT report: the same content as the PDF, numbers kept as numbers.

Thai headers with English sub-headers, as in every workbook of ours. Every text (office
names come from config, but remarks and names may come from offices) goes through
`write_text`, so nothing an office typed can become a formula (DESIGN §12).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from eop.formats import moment_th
from templates.annotate import write_text
from templates.reports.model import Cell, Column, ReportData, Row, Text
from templates.workbooks.common import BOX, HEADER_FILL, landscape, save

FONT = "Tahoma"  # carries Thai on every Windows, like the workbooks we issue
TITLE = Font(name=FONT, size=13, bold=True)
BOLD = Font(name=FONT, size=10, bold=True)
PLAIN = Font(name=FONT, size=10)
SUBTLE = Font(name=FONT, size=9, italic=True, color="FF555555")
GROUP_FILL = PatternFill("solid", fgColor="FFEEF2F7")
TOTAL_FILL = PatternFill("solid", fgColor="FFDCE6F1")
THICK_TOP = Border(
    left=BOX.left, right=BOX.right, bottom=BOX.bottom, top=Side(style="medium", color="FF3B6EA5")
)
FORMATS = {"money": "#,##0.00", "percent": "0.00", "count": "#,##0"}
HEADER_ROW = 6  # Thai; English beneath
FIRST_ROW = HEADER_ROW + 2
TWO_LINES = 27  # points


def render_xlsx(data: ReportData, out: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = data.code
    _title(sheet, data)
    _header(sheet, data.columns)
    row = FIRST_ROW
    for item in data.rows:
        _row(sheet, row, item, data.columns)
        row += 1
    if data.totals:
        _row(sheet, row, data.totals, data.columns)
        row += 1
    for note in data.notes:
        write_text(sheet.cell(row=row + 1, column=1), str(note))
        sheet.cell(row=row + 1, column=1).font = SUBTLE
        row += 1
    _page_setup(sheet, data)
    if data.chart:
        _chart_sheet(workbook, data)
    return save(workbook, out)


def _title(sheet: Worksheet, data: ReportData) -> None:
    lines = [
        (f"{data.code} {data.title_th}", data.title_en, TITLE),
        (f"{data.office_th} ({data.office})", data.office_en, BOLD),
        (
            f"งวด {data.period_th} ({data.period}) · ปีงบประมาณ {data.fiscal_year}",
            f"Period {data.period_en} · FY {data.fiscal_year} BE",
            PLAIN,
        ),
        (f"จัดทำเมื่อ {data.generated_th}", f"Generated {data.generated_en}", SUBTLE),
    ]
    for index, (th, en, font) in enumerate(lines, start=1):
        cell = sheet.cell(row=index, column=1)
        write_text(cell, f"{th}  —  {en}")
        cell.font = font


def _header(sheet: Worksheet, columns: list[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        th, en = (
            sheet.cell(row=HEADER_ROW, column=index),
            sheet.cell(row=HEADER_ROW + 1, column=index),
        )
        write_text(th, column.th)
        write_text(en, column.en)
        for cell in (th, en):
            cell.fill, cell.border = HEADER_FILL, BOX
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        th.font, en.font = BOLD, SUBTLE
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[HEADER_ROW].height = TWO_LINES  # a long Thai header wraps
    sheet.freeze_panes = f"A{FIRST_ROW}"


def _row(sheet: Worksheet, row: int, item: Row, columns: list[Column]) -> None:
    if item.style == "group":
        cell = sheet.cell(row=row, column=1)
        write_text(cell, str(item.cells[0]))
        cell.font, cell.fill = BOLD, GROUP_FILL
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(columns))
        return
    if any(isinstance(value, Text) and value.en for value in item.cells):
        sheet.row_dimensions[
            row
        ].height = TWO_LINES  # Thai over English; not every reader fits rows itself
    for index, (value, column) in enumerate(zip(item.cells, columns), start=1):
        cell = sheet.cell(row=row, column=index)
        _value(cell, value, column)
        cell.border = THICK_TOP if item.style == "total" else BOX
        cell.font = BOLD if item.style in ("subtotal", "total") else PLAIN
        if item.style == "total":
            cell.fill = TOTAL_FILL


def _value(cell, value: Cell, column: Column) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        write_text(cell, "ใช่" if value else "–")
        cell.alignment = Alignment(horizontal="center")
    elif isinstance(value, int | float):
        cell.value = value
        cell.number_format = FORMATS.get(column.kind) or (
            "#,##0" if float(value).is_integer() else "#,##0.00"
        )
    elif isinstance(value, datetime):
        write_text(cell, moment_th(value))  # Buddhist Era as the PDF shows it
    elif isinstance(value, Text):
        write_text(cell, f"{value.th}\n{value.en}" if value.en else value.th)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        write_text(cell, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _page_setup(sheet: Worksheet, data: ReportData) -> None:
    landscape(sheet)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    sheet.oddHeader.left.text = f"{data.office_th} ({data.office})"
    sheet.oddHeader.right.text = f"งวด {data.period_th} ({data.period})"
    sheet.oddFooter.left.text = f"{data.code} {data.title_th}"
    sheet.oddFooter.right.text = "หน้า &P/&N — page &P/&N"


def _chart_sheet(workbook: Workbook, data: ReportData) -> None:
    """The chart's figures on a sheet of their own, with an Excel bar chart of them."""
    assert data.chart is not None
    sheet = workbook.create_sheet("กราฟ (chart)")
    write_text(sheet.cell(row=1, column=1), f"{data.chart.title_th} — {data.chart.title_en}")
    sheet.cell(row=1, column=1).font = BOLD
    for column, (th, en) in enumerate(
        (("รหัส", "Code"), ("กิจกรรม", "Activity"), ("ร้อยละ", "%")), start=1
    ):
        write_text(sheet.cell(row=2, column=column), f"{th} ({en})")
        sheet.cell(row=2, column=column).font = BOLD
    for row, bar in enumerate(data.chart.bars, start=3):
        write_text(sheet.cell(row=row, column=1), bar.label)
        write_text(sheet.cell(row=row, column=2), bar.caption)
        if bar.value is not None:
            sheet.cell(row=row, column=3, value=round(bar.value, 2)).number_format = "0.00"
    sheet.column_dimensions["B"].width = 48
    last = len(data.chart.bars) + 2
    chart = BarChart()
    chart.type, chart.style, chart.legend = "bar", 10, None
    chart.title = data.chart.title_th
    chart.y_axis.title, chart.x_axis.title = "%", None
    chart.x_axis.scaling.orientation = "maxMin"  # the first activity on top, as in the table
    chart.add_data(Reference(sheet, min_col=3, min_row=2, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last))
    chart.height, chart.width = max(8, len(data.chart.bars) * 0.6), 18
    sheet.add_chart(chart, "E2")
