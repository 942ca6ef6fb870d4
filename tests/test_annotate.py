"""The annotated return: the same workbook, offending cells marked, a first sheet of findings."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from eop.findings import Finding, error, warning
from templates.annotate import (
    AUTHOR,
    ERROR_FILL,
    FIRST_ROW,
    HEADER_ROW,
    LISTING_SHEET,
    WARNING_FILL,
    AnnotationFailed,
    annotate_workbook,
    write_text,
)

SHEET = "ผลการปฏิบัติงาน"
INPUT_FILL = "FFFFF2CC"
LINK = f"'{SHEET}'!"
HYPERLINK = '=HYPERLINK("http://x","y")'
DANGEROUS = [HYPERLINK, "+1-2", "@SUM(A1)", "-3"]


def build_original(path: Path) -> Path:
    """A small workbook of ours: protected, inputs F10:G13 unlocked and validated, `_meta` hidden."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet["A1"] = "รายงานผลการปฏิบัติงาน — performance"
    validation = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        promptTitle="ผลงาน",
        prompt="กรอกตัวเลขตั้งแต่ 0",
    )
    sheet.add_data_validation(validation)
    for row, (code, name) in enumerate(
        [("1.1", "ฉีดวัคซีน"), ("1.2", "ตรวจโรค"), ("1.3", "อบรม"), ("1.4", "ผสมเทียม")], start=10
    ):
        sheet.cell(row=row, column=1, value=code)
        sheet.cell(row=row, column=2, value=name)
        for column in ("F", "G"):
            cell = sheet[f"{column}{row}"]
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
        validation.add(f"F{row}")
        sheet[f"F{row}"] = row * 10
    write_text(sheet["G10"], "@SUM(A1)")  # an office's remark, kept as text
    sheet.protection.sheet = True
    sheet.protection.password = "secret"
    meta = workbook.create_sheet("_meta")
    for row, (key, value) in enumerate(
        [("kind", "monthly"), ("template_version", "1"), ("office", "7105")], start=1
    ):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=value)
    meta.sheet_state = "veryHidden"
    workbook.save(path)
    return path


def sample_findings() -> list[Finding]:
    return [
        error(
            "not-a-number",
            'ชีต "ผลการปฏิบัติงาน" เซลล์ F10 (ผลงานเดือนนี้): "12,5O0" ไม่ใช่ตัวเลข',
            'Sheet "performance", cell F10 (this month): "12,5O0" is not a number.',
            sheet=SHEET,
            cell="F10",
            field="ผลงานเดือนนี้ quantity",
            value="12,5O0",
            activity="A101 ฉีดวัคซีนป้องกันโรคปากและเท้าเปื่อย",
        ),
        warning(
            "outlier",
            "ผลงานเดือนนี้สูงผิดปกติ",
            "This month is unusually high.",
            sheet=SHEET,
            cell="F11",
            field="quantity",
            value="900",
        ),
        error("wrong-period", "งวดไม่ถูกต้อง", "Wrong period.", value="2558-13"),
        error(
            "not-a-number",
            "ไม่ใช่ตัวเลข",
            "Not a number.",
            sheet=SHEET,
            cell="F12",
            field="quantity",
            value=HYPERLINK,
        ),
        error(
            "not-a-number",
            "ไม่ใช่ตัวเลข",
            "Not a number.",
            sheet=SHEET,
            cell="F13",
            field="quantity",
            value="+1-2",
        ),
        warning(
            "remark-formula",
            "หมายเหตุขึ้นต้นด้วย @",
            "Remark starts with @.",
            sheet=SHEET,
            cell="G10",
            field="remark",
            value="@SUM(A1)",
        ),
        error(
            "negative", "ติดลบ", "Negative.", sheet=SHEET, cell="F10", field="quantity", value="-3"
        ),
        error("sheet-missing", "ไม่พบชีต", "Sheet missing.", sheet="งบประมาณ", cell="C5"),
    ]


@pytest.fixture
def annotated(tmp_path: Path) -> Path:
    original = build_original(tmp_path / "7105-2558-03.xlsx")
    return annotate_workbook(
        original,
        sample_findings(),
        tmp_path / "out" / "7105-2558-03-returned.xlsx",
        title_th="ผลการตรวจแบบรายงาน อ.ท่ามะกา 2558-03",
        title_en="Check of the Tha Maka report, 2558-03",
    )


def listing_rows(sheet) -> list[tuple]:
    return [
        row
        for row in sheet.iter_rows(min_row=FIRST_ROW, max_col=9, values_only=True)
        if row[0] is not None
    ]


def rgb(cell) -> str:
    return cell.fill.fgColor.rgb


def test_listing_is_the_first_active_protected_sheet(annotated: Path) -> None:
    workbook = load_workbook(annotated)
    listing = workbook.worksheets[0]
    assert listing.title == LISTING_SHEET and len(LISTING_SHEET) <= 31
    assert workbook.active is listing
    assert [ws.sheet_view.tabSelected for ws in workbook.worksheets[:2]] == [True, False]
    assert listing.protection.sheet
    assert listing.cell(row=HEADER_ROW, column=1).value == "ลำดับ"
    assert listing.cell(row=HEADER_ROW + 1, column=1).value == "No."
    rows = listing_rows(listing)
    assert [(r[0], r[1], r[3], r[6]) for r in rows] == [
        (1, "ข้อผิดพลาด error", "F10", "12,5O0"),
        (2, "คำเตือน warning", "F11", "900"),
        (3, "ข้อผิดพลาด error", None, "2558-13"),
        (4, "ข้อผิดพลาด error", "F12", HYPERLINK),
        (5, "ข้อผิดพลาด error", "F13", "+1-2"),
        (6, "คำเตือน warning", "G10", "@SUM(A1)"),
        (7, "ข้อผิดพลาด error", "F10", "-3"),
        (8, "ข้อผิดพลาด error", "C5", None),
    ]
    assert rows[0][7].startswith('ชีต "ผลการปฏิบัติงาน"') and rows[0][8].startswith(
        'Sheet "performance"'
    )
    # the activity of the row in a column of its own (issue 18); none for a finding off a data row
    assert listing.cell(row=HEADER_ROW, column=6).value == "กิจกรรม"
    assert listing.cell(row=HEADER_ROW + 1, column=6).value == "Activity"
    assert [r[5] for r in rows][:2] == ["A101 ฉีดวัคซีนป้องกันโรคปากและเท้าเปื่อย", None]
    widths = sum(listing.column_dimensions[chr(64 + c)].width for c in range(1, 10))
    assert widths <= 202  # no wider than the eight columns were: the same scale on A4
    assert listing.column_dimensions["H"].width >= 40
    assert listing.cell(row=FIRST_ROW, column=8).alignment.wrap_text


def test_listing_links_to_the_cells(annotated: Path) -> None:
    listing = load_workbook(annotated)[LISTING_SHEET]
    links = [listing.cell(row=row, column=4).hyperlink for row in range(FIRST_ROW, FIRST_ROW + 8)]
    assert [link.location if link else None for link in links] == [
        LINK + "F10",
        LINK + "F11",
        None,
        LINK + "F12",
        LINK + "F13",
        LINK + "G10",
        LINK + "F10",
        None,
    ]
    assert listing.cell(row=FIRST_ROW, column=3).hyperlink.location == LINK + "F10"


def test_cells_are_coloured_and_commented(annotated: Path) -> None:
    sheet = load_workbook(annotated)[SHEET]
    assert rgb(sheet["F10"]) == ERROR_FILL.fgColor.rgb
    assert rgb(sheet["F11"]) == WARNING_FILL.fgColor.rgb
    assert rgb(sheet["G10"]) == WARNING_FILL.fgColor.rgb
    assert rgb(sheet["G11"]) == INPUT_FILL  # an input without a finding is left alone
    comment = sheet["F10"].comment
    assert comment.author == AUTHOR
    assert comment.text.index("ไม่ใช่ตัวเลข") < comment.text.index("is not a number")
    assert '"12,5O0"' in comment.text and "Negative." in comment.text  # both findings on F10
    assert "Wrong period." not in comment.text
    assert sheet["A10"].comment is None


def test_the_original_stays_one_of_our_workbooks(annotated: Path) -> None:
    workbook = load_workbook(annotated)
    sheet = workbook[SHEET]
    assert workbook.sheetnames == [LISTING_SHEET, SHEET, "_meta"]
    assert sheet.protection.sheet and sheet.protection.password
    assert [sheet[f"F{r}"].protection.locked for r in range(10, 14)] == [False] * 4
    assert sheet["A10"].protection.locked
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == ["F10 F11 F12 F13"]
    assert sheet.data_validations.dataValidation[0].prompt == "กรอกตัวเลขตั้งแต่ 0"
    assert workbook["_meta"].sheet_state == "veryHidden"
    assert workbook["_meta"]["B3"].value == "7105"


def test_office_text_is_never_a_formula(annotated: Path) -> None:
    listing = load_workbook(annotated)[LISTING_SHEET]
    values = {
        listing.cell(row=row, column=7).value: listing.cell(row=row, column=7)
        for row in range(FIRST_ROW, FIRST_ROW + 8)
    }
    for text in DANGEROUS:
        assert values[text].data_type == "s", text
    assert load_workbook(annotated)[SHEET]["G10"].data_type == "s"
    for xml in sheet_xml(annotated):
        assert "<f>" not in xml and "<f " not in xml


def test_write_text_keeps_text(tmp_path: Path) -> None:
    workbook = Workbook()
    cells = [workbook.active.cell(row=1, column=c) for c in range(1, 6)]
    for cell, value in zip(cells, ["=1+1", "#N/A", 12, "bell\x07", None]):
        write_text(cell, value)
    assert [(c.value, c.data_type) for c in cells[:4]] == [
        ("=1+1", "s"),
        ("#N/A", "s"),
        ("12", "s"),
        ("bell\ufffd", "s"),
    ]
    assert cells[0].quotePrefix and not cells[1].quotePrefix
    assert cells[4].value is None
    workbook.save(tmp_path / "t.xlsx")
    again = load_workbook(tmp_path / "t.xlsx").active
    assert [
        (again.cell(row=1, column=c).value, again.cell(row=1, column=c).data_type) for c in (1, 2)
    ] == [("=1+1", "s"), ("#N/A", "s")]


def test_a_second_round_replaces_the_first(annotated: Path, tmp_path: Path) -> None:
    again = annotate_workbook(
        annotated,
        sample_findings()[1:2],
        tmp_path / "again.xlsx",
        title_th="รอบสอง",
        title_en="Second round",
    )
    workbook = load_workbook(again)
    assert workbook.sheetnames == [LISTING_SHEET, SHEET, "_meta"]
    assert len(listing_rows(workbook[LISTING_SHEET])) == 1
    sheet = workbook[SHEET]
    assert rgb(sheet["F10"]) == INPUT_FILL and sheet["F10"].comment is None  # fixed: back as issued
    assert (
        rgb(sheet["F11"]) == WARNING_FILL.fgColor.rgb
        and sheet["F11"].comment.text.count("unusually high") == 1
    )


def test_odd_addresses(tmp_path: Path) -> None:
    original = build_original(tmp_path / "o.xlsx")
    workbook = load_workbook(original)
    workbook[SHEET].merge_cells("C2:E3")
    workbook.save(original)
    findings = [
        error("x", "ก", "a", sheet=SHEET, cell="$g$12", value="bell\x07"),
        error("x", "ข", "b", sheet=SHEET, cell="D3"),  # inside a merged range: its top-left cell
        error("x", "ค", "c", sheet=SHEET, cell="F10:F13"),
        error("x", "ง", "d", sheet=SHEET, cell="ZZZ1"),
        warning("x", "จ", "e", sheet="_meta", cell="B3"),  # hidden: marked, not linked
    ]
    out = load_workbook(
        annotate_workbook(original, findings, tmp_path / "out.xlsx", title_th="ท", title_en="e")
    )
    sheet, listing = out[SHEET], out[LISTING_SHEET]
    assert "bell\ufffd" in sheet["G12"].comment.text and rgb(sheet["G12"]) == ERROR_FILL.fgColor.rgb
    assert sheet["C2"].comment.text.startswith("ข้อผิดพลาด error: ข")
    assert rgb(out["_meta"]["B3"]) == WARNING_FILL.fgColor.rgb
    links = [listing.cell(row=FIRST_ROW + i, column=4).hyperlink for i in range(5)]
    assert [link.location if link else None for link in links] == [
        LINK + "G12",
        LINK + "C2",
        None,
        None,
        None,
    ]
    assert len(listing_rows(listing)) == 5


def test_an_unreadable_original_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "report.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(AnnotationFailed, match='"report.xlsx" cannot be opened'):
        annotate_workbook(
            fake, sample_findings(), tmp_path / "out.xlsx", title_th="x", title_en="x"
        )
    assert not (tmp_path / "out.xlsx").exists()


def test_survives_a_libreoffice_resave(annotated: Path, tmp_path: Path) -> None:
    resaved = libreoffice_resave(annotated, tmp_path)
    calamine = CalamineWorkbook.from_path(str(resaved))
    assert calamine.sheet_names[0] == LISTING_SHEET
    rows = calamine.get_sheet_by_name(LISTING_SHEET).to_python()
    seen = [row[6] for row in rows[FIRST_ROW - 1 : FIRST_ROW + 7]]
    for text in DANGEROUS:
        assert text in seen, (text, seen)  # still the text, not "y" or -1
    assert calamine.get_sheet_by_name(SHEET).to_python()[9][6] == "@SUM(A1)"
    sheet = load_workbook(resaved)[SHEET]
    assert (
        "ไม่ใช่ตัวเลข" in sheet["F10"].comment.text and "is not a number" in sheet["F10"].comment.text
    )
    assert "unusually high" in sheet["F11"].comment.text
    assert sheet.protection.sheet and not sheet["F10"].protection.locked
    for xml in sheet_xml(resaved):
        for text in DANGEROUS:
            assert f"<f>{text[1:]}" not in xml.replace("&quot;", '"')
    # LibreOffice drops comment authors: a later round still finds and replaces our marks.
    again = load_workbook(
        annotate_workbook(resaved, [], tmp_path / "again.xlsx", title_th="ผ่าน", title_en="Clean")
    )
    assert again[SHEET]["F10"].comment is None and rgb(again[SHEET]["F10"]) == INPUT_FILL


def sheet_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            archive.read(n).decode()
            for n in archive.namelist()
            if re.match(r"xl/worksheets/sheet\d+\.xml", n)
        ]


def libreoffice_resave(path: Path, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "resaved"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / path.name
