"""The workbook conventions of DESIGN §5, asserted on real workbooks from our builders (and
the same workbooks after LibreOffice saved them): protected sheets; the cells an office
fills are the only unlocked cells, each with a data validation of its type and a Thai
prompt; a hidden `_meta` sheet; totals and percentages as formulas."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import DISTRICTS, THA_MAKA, issued_path, process
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from eop.layout import (
    ALLOCATION_HEADER_ROW,
    ALLOCATION_SHEETS,
    BUDGET,
    CONFIRM_CHOICES,
    META_SHEET,
    PERFORMANCE,
    TARGETS,
    TEMPLATE_VERSIONS,
)
from jobs.deployment import Deployment
from jobs.issue import issue
from simulation.offices import resave_with_libreoffice

THAI = re.compile(r"[\u0E00-\u0E7F]")
NUMBERS = ("whole", "decimal")


@dataclass(frozen=True)
class Expected:
    """What a workbook of one kind must look like, derived from config and the layout."""

    kind: str
    office: str
    when: tuple[str, str]  # ("period", "2558-03") or ("fiscal_year", "2558")
    inputs: dict[str, dict[str, str]]  # sheet → cell → validation type
    formulas: dict[str, list[str]]  # sheet → cells that must hold formulas


def data_rows(sheet: Worksheet, first_row: int) -> list[int]:
    rows, row = [], first_row
    while sheet[f"B{row}"].value:
        rows.append(row)
        row += 1
    return rows


def activity_codes(sheet: Worksheet, first_row: int) -> list[str]:
    return [str(sheet[f"B{row}"].value) for row in data_rows(sheet, first_row)]


def whole_of(deployment: Deployment) -> dict[str, bool]:
    return {a.code: a.whole for a in deployment.config.activities()}


def monthly_expected(deployment: Deployment, path: Path) -> Expected:
    book = load_workbook(path)
    whole = whole_of(deployment)
    perf, money = book[PERFORMANCE.name], book[BUDGET.name]
    codes = activity_codes(perf, PERFORMANCE.first_row)
    assert codes == [
        a.code for a in deployment.config.activities()
    ]  # every activity is allocated to 7105
    assert activity_codes(money, BUDGET.first_row) == codes
    rows = range(PERFORMANCE.first_row, PERFORMANCE.first_row + len(codes))
    performance = {"C4": "list", "C5": "textLength"}
    for row, code in zip(rows, codes):
        performance[f"G{row}"] = "whole" if whole[code] else "decimal"
        performance[f"J{row}"] = "textLength"
    budget = {f"F{row}": "decimal" for row in rows}
    total = BUDGET.first_row + len(codes)
    return Expected(
        "monthly",
        THA_MAKA,
        ("period", "2558-03"),
        {PERFORMANCE.name: performance, BUDGET.name: budget},
        {
            PERFORMANCE.name: [f"{c}{r}" for r in rows for c in "HI"],
            BUDGET.name: [f"{c}{r}" for r in rows for c in "GHI"]
            + [f"{c}{total}" for c in "DEFGI"],
        },
    )


def allocation_expected(deployment: Deployment, path: Path) -> Expected:
    book = load_workbook(path)
    whole = whole_of(deployment)
    inputs, formulas = {}, {}
    for measure, (name, _) in ALLOCATION_SHEETS.items():
        sheet = book[name]
        first_row = ALLOCATION_HEADER_ROW + 2
        codes = activity_codes(sheet, first_row)
        assert codes == [a.code for a in deployment.config.activities()]
        # one column per office: the province office's own share first, then 7101..7113
        offices = {}
        for column in range(6, 6 + 14):
            offices[sheet.cell(ALLOCATION_HEADER_ROW + 1, column).column_letter] = str(
                sheet.cell(ALLOCATION_HEADER_ROW + 1, column).value
            )
        assert list(offices.values()) == ["71", *DISTRICTS]
        # short names a narrow column can show, the full name in the header's comment
        assert sheet.cell(ALLOCATION_HEADER_ROW, 6).value == "จ.กาญจนบุรี"
        assert sheet.cell(ALLOCATION_HEADER_ROW, 7).value == "อ.เมืองกาญจนบุรี"
        assert (
            sheet.cell(ALLOCATION_HEADER_ROW, 7).comment.text
            == deployment.config.office("7101").name_th
        )
        inputs[name] = {
            f"{letter}{row}": ("whole" if measure == "quantity" and whole[code] else "decimal")
            for row, code in zip(data_rows(sheet, first_row), codes)
            for letter in offices
        }
        formulas[name] = [
            f"{c}{row}" for row in data_rows(sheet, first_row) for c in "TU"
        ]  # allocated, difference
    return Expected("allocation", "71", ("fiscal_year", "2558"), inputs, formulas)


def targets_expected(deployment: Deployment, path: Path) -> Expected:
    sheet = load_workbook(path)[TARGETS.name]
    whole = whole_of(deployment)
    codes = activity_codes(sheet, TARGETS.first_row)
    assert codes == [a.code for a in deployment.config.activities()]
    inputs = {}
    for row, code in zip(data_rows(sheet, TARGETS.first_row), codes):
        inputs[f"E{row}"] = "whole" if whole[code] else "decimal"
        inputs[f"F{row}"] = "decimal"
    return Expected("targets", "71", ("fiscal_year", "2558"), {TARGETS.name: inputs}, {})


# -- the conventions, checked on one workbook ------------------------------------------
def unlocked_cells(sheet: Worksheet) -> set[str]:
    found = {
        cell.coordinate for row in sheet.iter_rows() for cell in row if not cell.protection.locked
    }
    # a whole column or row styled unlocked would leave cells nobody wrote unprotected
    found |= {
        f"column {letter}"
        for letter, dim in sheet.column_dimensions.items()
        if dim.protection and not dim.protection.locked
    }
    found |= {
        f"row {number}"
        for number, dim in sheet.row_dimensions.items()
        if dim.s and dim.protection and not dim.protection.locked
    }
    return found


def validations_of(sheet: Worksheet, address: str) -> list[DataValidation]:
    return [dv for dv in sheet.data_validations.dataValidation if address in dv.sqref]


def assert_conventions(path: Path, expected: Expected, *, after_libreoffice: bool = False) -> None:
    book = load_workbook(path)
    visible = [s for s in book.worksheets if s.sheet_state == "visible"]
    assert [s.title for s in visible] == list(expected.inputs)
    assert book.active.sheet_state == "visible"

    for sheet in visible:
        assert sheet.protection.sheet, f"{sheet.title} is not protected"
        inputs = expected.inputs[sheet.title]
        assert unlocked_cells(sheet) == set(inputs), sheet.title
        for address, kind in inputs.items():
            (dv,) = validations_of(sheet, address) or [None]
            assert dv is not None, f"{sheet.title}!{address} has no data validation"
            assert dv.type == kind, (sheet.title, address, dv.type, kind)
            if kind in NUMBERS:
                assert (dv.operator, str(dv.formula1)) == ("greaterThanOrEqual", "0"), (
                    address,
                    dv.operator,
                    dv.formula1,
                )
            elif kind == "list":
                assert all(choice in dv.formula1 for choice in CONFIRM_CHOICES), dv.formula1
            else:
                assert dv.operator == "lessThanOrEqual" and int(dv.formula1) > 0
            assert dv.showInputMessage and THAI.search(dv.prompt or ""), (address, dv.prompt)
            assert dv.showErrorMessage and dv.error
        # a validation never reaches into a locked cell
        covered = {
            cell.coordinate
            for dv in sheet.data_validations.dataValidation
            for rng in dv.sqref.ranges
            for row in sheet.iter_rows(
                min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col
            )
            for cell in row
        }
        assert covered <= set(inputs), (sheet.title, sorted(covered - set(inputs))[:5])
        for address in expected.formulas.get(sheet.title, []):
            value = sheet[address].value
            assert isinstance(value, str) and value.startswith("="), (sheet.title, address, value)
            assert sheet[address].data_type == "f", (
                sheet.title,
                address,
                "a formula written as text",
            )

    meta = book[META_SHEET]
    assert meta.sheet_state in (("hidden", "veryHidden") if after_libreoffice else ("veryHidden",))
    facts = {
        str(row[0]): (None if row[1] is None else str(row[1]))
        for row in meta.iter_rows(values_only=True)
        if row[0]
    }
    when_key, when_value = expected.when
    assert set(facts) == {"kind", "template_version", "office", when_key, "issued_at", "digest"}
    assert facts["kind"] == expected.kind
    assert facts["template_version"] == TEMPLATE_VERSIONS[expected.kind]
    assert facts["office"] == expected.office
    assert facts[when_key] == when_value
    issued_at = datetime.fromisoformat(facts["issued_at"])
    assert issued_at.utcoffset() is not None and issued_at.utcoffset().total_seconds() == 7 * 3600
    assert re.fullmatch(r"[0-9a-f]{32}", facts["digest"])


# -- the three builders ---------------------------------------------------------------
@pytest.fixture
def monthly(march: Deployment) -> tuple[Path, Expected]:
    path = issued_path(march, "monthly", THA_MAKA, "2558-03")
    return path, monthly_expected(march, path)


@pytest.fixture
def allocation(deployment: Deployment) -> tuple[Path, Expected]:
    process(deployment)
    path = issued_path(deployment, "allocation", "71", "2558")
    return path, allocation_expected(deployment, path)


@pytest.fixture
def targets(deployment: Deployment) -> tuple[Path, Expected]:
    built = issue(deployment, "targets", "71", "2558", mail=False)
    assert built.path == issued_path(deployment, "targets", "71", "2558")
    return built.path, targets_expected(deployment, built.path)


def test_monthly_workbook_conventions(monthly):
    path, expected = monthly
    assert_conventions(path, expected)


def test_monthly_inputs_are_typed_by_unit(monthly):
    """Countable units take whole numbers, rai and tonnes take decimals."""
    path, expected = monthly
    sheet = load_workbook(path)[PERFORMANCE.name]
    kinds = {
        str(sheet[f"B{int(a[1:])}"].value): k
        for a, k in expected.inputs[PERFORMANCE.name].items()
        if a[0] == "G"
    }
    assert kinds["A101"] == "whole" and kinds["A204"] == "decimal" and kinds["A205"] == "decimal"


def test_monthly_prefilled_values_and_confirm_default(monthly):
    path, _ = monthly
    sheet = load_workbook(path)[PERFORMANCE.name]
    assert sheet["C4"].value == "ร่าง"  # a draft until the office chooses ยืนยันส่ง
    first = PERFORMANCE.first_row
    assert (sheet[f"B{first}"].value, sheet[f"D{first}"].value) == ("A101", "ตัว")
    assert sheet[f"E{first}"].value == 60000 // 14 + (
        1 if 60000 % 14 else 0
    )  # Tha Maka's even share


def test_allocation_workbook_conventions(allocation):
    path, expected = allocation
    assert_conventions(path, expected)


def test_targets_workbook_conventions(targets):
    path, expected = targets
    assert_conventions(path, expected)


def test_the_meta_digest_is_the_builders(deployment):
    built = issue(deployment, "targets", "71", "2558", mail=False)
    meta = load_workbook(built.path)[META_SHEET]
    facts = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert facts["digest"] == built.digest


# -- the same conventions after LibreOffice saved the workbook --------------------------
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed (make test installs it)",
)


@needs_libreoffice
@pytest.mark.parametrize("kind", ["monthly", "allocation", "targets"])
def test_conventions_survive_libreoffice(request, tmp_path, kind):
    path, expected = request.getfixturevalue(kind)
    copy = tmp_path / f"resaved-{path.name}"
    shutil.copy(path, copy)
    assert resave_with_libreoffice(copy, tmp_path / "profile") == copy
    assert copy.read_bytes() != path.read_bytes()
    assert_conventions(copy, expected, after_libreoffice=True)
