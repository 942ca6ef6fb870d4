"""DESIGN §6 for the allocation workbook (EOP016): the province planner splits each province
target over the province office and its 13 districts; the shares must add up exactly.

Columns: F = 71 (the province office's own share), G = 7101 … K = 7105 … S = 7113,
T = the row's sum (a formula), U = the difference. Rows: A101 row 7, A102 row 8 … A204 row 15.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    DISTRICTS,
    THA_MAKA,
    codes,
    drop,
    even_shares,
    findings_of,
    issued_path,
    process,
    sent_mail,
)
from openpyxl import load_workbook

from eop.layout import ALLOCATION_SHEETS, BUDGET, PERFORMANCE
from ledger import views
from ledger.reference import targets_of
from simulation.offices import fill_allocation

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL too (a few by default)

QUANTITY_SHEET, BUDGET_SHEET = ALLOCATION_SHEETS["quantity"][0], ALLOCATION_SHEETS["budget"][0]


def allocate(dep, tmp_path: Path, shares: dict, name: str = "EOP016-filled.xlsx", edit=None):
    """The planner fills the allocation workbook issued to the province and drops it."""
    if not issued_path(dep, "allocation", "71", "2558").exists():
        process(dep)
    path = fill_allocation(
        issued_path(dep, "allocation", "71", "2558"), tmp_path / name, shares=shares
    )
    if edit:
        book = load_workbook(path)
        edit(book)
        book.save(path)
    drop(dep, "71", path)
    return process(dep)


def allocated(dep, office: str = THA_MAKA) -> dict[str, tuple[float, float]]:
    with dep.ledger.atomic() as conn:
        return {
            activity: value
            for (_, activity), value in targets_of(
                conn, dep.config.fiscal_year, "allocated", office
            ).items()
        }


def allocation_status(dep) -> dict:
    with dep.ledger.atomic() as conn:
        (line,) = views.period_status(conn, [("71", "")], "allocation", "2558")
    return line


def where(dep, report) -> list[tuple[str | None, str | None, str]]:
    (verdict,) = report.verdicts
    return [(f["sheet"], f["cell"], f["code"]) for f in findings_of(dep, verdict.file_id)]


def test_shares_that_add_up_exactly_are_accepted(deployment, tmp_path):
    report = allocate(deployment, tmp_path, even_shares(deployment))
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert codes(deployment, report) == []
    assert (allocation_status(deployment)["state"], allocation_status(deployment)["version"]) == (
        "submitted",
        1,
    )
    targets = allocated(deployment)
    assert targets["A101"] == (4286, 32142.86)
    assert targets["A204"] == (46.43, 23214.29)  # ไร่ is a decimal unit: a fraction is fine
    assert (
        len([m for m in sent_mail(deployment) if "u71@" in m["To"] and "รับข้อมูล" in m["Subject"]])
        == 1
    )


def test_shares_off_by_one_name_the_rows_sum_cell(deployment, tmp_path):
    shares = even_shares(deployment)
    shares["quantity"]["A101"][THA_MAKA] += 1
    shares["budget"]["A102"]["7113"] -= 1
    report = allocate(deployment, tmp_path, shares)
    assert [v.status for v in report.verdicts] == ["rejected"]
    assert where(deployment, report) == [
        (QUANTITY_SHEET, "T7", "allocation-sum"),
        (BUDGET_SHEET, "T8", "allocation-sum"),
    ]
    (quantity, money) = findings_of(deployment, report.verdicts[0].file_id)
    assert "60,001" in quantity["message_en"] and "60,000" in quantity["message_en"]
    assert "379,999" in money["message_en"]
    assert allocated(deployment) == {}


def test_a_fraction_on_a_countable_activity_is_rejected(deployment, tmp_path):
    shares = even_shares(deployment)
    shares["quantity"]["A101"][THA_MAKA] += 0.5
    shares["quantity"]["A101"]["7106"] -= 0.5  # still adds up to 60,000
    report = allocate(deployment, tmp_path, shares)
    assert codes(deployment, report) == [("K7", "not-whole"), ("L7", "not-whole")]


def _change_province_target(book):
    book[QUANTITY_SHEET]["E7"] = 65000


def _move_office_columns(book):
    sheet = book[QUANTITY_SHEET]
    sheet["J6"], sheet["K6"] = sheet["K6"].value, sheet["J6"].value


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_change_province_target, [("E7", "prefilled-changed")]),
        (_move_office_columns, [("J6", "prefilled-changed"), ("K6", "prefilled-changed")]),
    ],
    ids=["province-target", "office-columns"],
)
def test_pre_filled_cells_changed_are_rejected(deployment, tmp_path, edit, expected):
    report = allocate(deployment, tmp_path, even_shares(deployment), edit=edit)
    assert codes(deployment, report) == expected


@pytest.mark.postgresql_default
def test_a_rejected_allocation_keeps_the_accepted_one(march, tmp_path):
    before = allocated(march)
    shares = even_shares(march)
    shares["quantity"]["A101"]["71"] += 1
    report = allocate(march, tmp_path, shares, name="EOP016-v2.xlsx")
    assert [v.status for v in report.verdicts] == ["rejected"]
    assert allocated(march) == before
    assert (allocation_status(march)["version"], allocation_status(march)["rejected_attempts"]) == (
        1,
        1,
    )


def test_the_districts_workbooks_carry_their_allocated_targets(march):
    for office in (THA_MAKA, DISTRICTS[-1], "71"):
        targets = allocated(march, office)
        book = load_workbook(issued_path(march, "monthly", office, "2558-03"))
        performance = {
            row[1]: row[4]
            for row in book[PERFORMANCE.name].iter_rows(
                min_row=PERFORMANCE.first_row, values_only=True
            )
            if row[1]
        }
        budget = {
            row[1]: row[3]
            for row in book[BUDGET.name].iter_rows(min_row=BUDGET.first_row, values_only=True)
            if row[1]
        }
        assert performance == {code: quantity for code, (quantity, _) in targets.items()}
        assert budget == {code: money for code, (_, money) in targets.items()}
    assert (
        allocated(march, THA_MAKA)["A101"][0] == 4286
        and allocated(march, "7113")["A101"][0] == 4285
    )
