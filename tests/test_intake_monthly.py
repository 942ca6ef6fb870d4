"""DESIGN §6 for the monthly workbook (EOP014 + EOP015), with real workbooks: what a district
types and how it is read, the rules, the structure, versions and the answers it gets.

Rows of the Tha Maka (7105) workbook as issued: A101 row 9 … A105 row 13, A201 row 14 …
A207 row 20, A301 row 21 … A305 row 25, A401 row 26 … A404 row 29, on both sheets.
Even shares give 7105: A101 target 4,286 head and budget 32,142.86 baht; A102 3,000 head.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    DISTRICTS,
    THA_MAKA,
    at,
    codes,
    drop,
    even_shares,
    fill_month,
    issued_path,
    process,
    sent_mail,
)
from openpyxl import load_workbook

from eop.layout import BUDGET, CONFIRM_DRAFT, PERFORMANCE
from intake.folders import returned_dir
from ledger import records, views
from simulation.offices import fill_allocation, resave_with_libreoffice
from templates.annotate import ERROR_FILL, LISTING_SHEET

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL too (a few by default)

MARCH = "2558-03"


# -- what the user sees, as flat projections -----------------------------------------------
def status(dep, office: str = THA_MAKA, period: str = MARCH) -> dict:
    """The office's line of `eop status --period P`."""
    with dep.ledger.atomic() as conn:
        (line,) = views.period_status(conn, [(office, "")], "monthly", period)
    return line


def recorded(dep, office: str = THA_MAKA, period: str = MARCH) -> dict[str, tuple[float, float]]:
    """activity → (quantity, spending) of the version that counts, only where non-zero."""
    with dep.ledger.atomic() as conn:
        latest = records.latest_submission(conn, office, "monthly", period)
        rows = records.results_of(conn, latest.id) if latest else {}
    return {code: (r.quantity, r.spending) for code, r in rows.items() if r.quantity or r.spending}


def mail_to(dep, office: str, subject: str) -> list:
    return [m for m in sent_mail(dep) if f"u{office}@" in m["To"] and subject in m["Subject"]]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def submit(dep, path: Path, office: str = THA_MAKA, name: str | None = None):
    drop(dep, office, path, name)
    return process(dep)


def filled(
    dep,
    tmp_path: Path,
    quantities: dict,
    spending: dict | None = None,
    name: str = "march.xlsx",
    **kwargs,
) -> Path:
    return fill_month(dep, THA_MAKA, MARCH, tmp_path / name, quantities, spending, **kwargs)


def edited(path: Path, edit) -> Path:
    """The workbook after a person changed it in a way the fill helper would not."""
    book = load_workbook(path)
    edit(book)
    book.save(path)
    return path


# -- reading what people type ---------------------------------------------------------------
def test_numbers_are_read_the_way_people_type_them(march, tmp_path):
    path = filled(
        march,
        tmp_path,
        {"A101": "๑๒๓", "A102": "1,234", "A103": "  45 ", "A104": "-", "A105": "12"},
        {"A101": "๕,๐๐๐.๕๐", "A102": " 2,000 "},
    )
    report = submit(march, path)
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert codes(march, report) == [("G12", "dash-as-zero")]
    assert recorded(march) == {
        "A101": (123, 5000.5),
        "A102": (1234, 2000),
        "A103": (45, 0),
        "A105": (12, 0),
    }


def test_dash_as_zero_is_said_in_the_receipt(march, tmp_path):
    submit(march, filled(march, tmp_path, {"A101": "–"}))
    (receipt,) = mail_to(march, THA_MAKA, "รับข้อมูล")
    assert "G9" in body(receipt) and "read as 0" in body(receipt)


def test_formula_without_cached_value_is_rejected(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {"A101": "=2+3"}))
    assert [v.status for v in report.verdicts] == ["rejected"]
    assert codes(march, report) == [("G9", "formula-without-value")]
    assert status(march)["state"] == "missing"


def test_workbook_resaved_by_libreoffice_is_accepted_with_cached_formula(march, tmp_path):
    path = filled(
        march,
        tmp_path,
        {"A101": "=2+3", "A102": "1,234", "A103": "๑๒", "A204": 2.5},
        {"A101": "12,500.75", "A204": 1000},
        remarks={"A101": "ฉีดที่ ต.ท่าไม้"},
    )
    if resave_with_libreoffice(path, tmp_path / "profile") is None:
        pytest.skip("LibreOffice is not installed")
    report = submit(march, path)
    assert [v.status for v in report.verdicts] == ["accepted"], codes(march, report)
    assert codes(march, report) == []
    assert recorded(march) == {
        "A101": (5, 12500.75),
        "A102": (1234, 0),
        "A103": (12, 0),
        "A204": (2.5, 1000),
    }
    assert status(march)["state"] == "submitted"


# -- the rules --------------------------------------------------------------------------------
def test_negative_quantity_is_rejected(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {"A101": -5}, {"A102": "-100"}))
    assert codes(march, report) == [("G9", "negative"), ("F10", "negative")]
    assert [v.status for v in report.verdicts] == ["rejected"]


def test_fraction_on_a_countable_unit_is_rejected(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {"A101": "12.5", "A201": 3}))
    assert codes(march, report) == [("G9", "not-whole")]


def test_fractions_on_rai_and_tonnes_are_accepted(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {"A204": "2.5", "A205": 0.75}))
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert codes(march, report) == []
    assert recorded(march) == {"A204": (2.5, 0), "A205": (0.75, 0)}


def test_spending_over_the_allocated_budget_is_rejected(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {}, {"A101": "32,142.87", "A102": 27142.86}))
    assert codes(march, report) == [("F9", "over-budget")]
    assert [v.status for v in report.verdicts] == ["rejected"]


def test_cumulative_over_150_percent_of_target_is_a_warning(march, tmp_path):
    report = submit(
        march, filled(march, tmp_path, {"A102": 4501, "A101": 6429})
    )  # 150% of 3,000; of 4,286
    assert codes(march, report) == [("G10", "over-target")]
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert recorded(march)["A102"] == (4501, 0)


def test_a_month_five_times_the_usual_is_an_outlier_warning(allocated, tmp_path):
    for year, month in ((2014, 10), (2014, 11), (2014, 12), (2015, 1), (2015, 2)):
        process(allocated, at(year, month, 25, 8))
        period = f"{year + 543}-{month:02d}"
        done = fill_month(
            allocated, THA_MAKA, period, tmp_path / f"{period}.xlsx", {"A101": 100, "A102": 100}
        )
        assert [v.status for v in submit(allocated, done).verdicts] == ["accepted"]
    process(allocated, at(2015, 3, 25, 8))
    report = submit(allocated, filled(allocated, tmp_path, {"A101": 501, "A102": 500}))
    assert codes(allocated, report) == [("G9", "outlier")]
    assert [v.status for v in report.verdicts] == ["accepted"]


def test_results_on_an_activity_without_target_are_a_warning(deployment, tmp_path):
    shares = even_shares(deployment)
    moved = shares["quantity"]["A103"][THA_MAKA]
    shares["quantity"]["A103"][THA_MAKA], shares["quantity"]["A103"]["71"] = (
        0,
        shares["quantity"]["A103"]["71"] + moved,
    )
    process(deployment)
    drop(
        deployment,
        "71",
        fill_allocation(
            issued_path(deployment, "allocation", "71", "2558"),
            tmp_path / "alloc.xlsx",
            shares=shares,
        ),
    )
    assert [v.status for v in process(deployment, at(2014, 10, 2)).verdicts] == ["accepted"]
    process(deployment, at(2015, 3, 25, 8))
    report = submit(deployment, filled(deployment, tmp_path, {"A103": 7}, {"A103": 500}))
    assert codes(deployment, report) == [("G11", "no-target")]
    assert recorded(deployment)["A103"] == (7, 500)


def test_a_choice_not_in_the_list_is_rejected(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {"A101": 10}, confirm="ส่งแล้ว"))
    assert codes(march, report) == [("C4", "bad-choice")]
    assert [v.status for v in report.verdicts] == ["rejected"]


def test_an_empty_reporter_is_a_warning(march, tmp_path):
    report = submit(march, filled(march, tmp_path, {"A101": 10}, reporter=""))
    assert codes(march, report) == [("C5", "reporter-missing")]
    assert [v.status for v in report.verdicts] == ["accepted"]


def test_a_remark_too_long_is_rejected(march, tmp_path):
    report = submit(
        march,
        filled(march, tmp_path, {"A101": 10}, remarks={"A101": "ก" * 2001, "A102": "ข" * 2000}),
    )
    assert codes(march, report) == [("J9", "cell-too-long")]


def test_every_finding_of_a_file_is_reported_at_once(march, tmp_path):
    path = filled(
        march,
        tmp_path,
        {"A101": -1, "A102": "2.5", "A103": "12,5O0", "A104": "-"},
        {"A105": 10**6},
        confirm="ส่ง",
        reporter="",
        remarks={"A201": "x" * 2001},
    )
    report = submit(march, path)
    assert sorted(codes(march, report)) == sorted(
        [
            ("G9", "negative"),
            ("G10", "not-whole"),
            ("G11", "not-a-number"),
            ("G12", "dash-as-zero"),
            ("F13", "over-budget"),
            ("J14", "cell-too-long"),
            ("C4", "bad-choice"),
            ("C5", "reporter-missing"),
        ]
    )
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    assert all(cell in body(rejection) for cell in ("G9", "G10", "G11", "F13", "J14", "C4"))


# -- structure: strict, and it stops the value checks -----------------------------------
def _insert_row(book):
    sheet = book[PERFORMANCE.name]
    sheet.insert_rows(12)
    sheet["B12"], sheet["C12"], sheet["G12"] = "A999", "กิจกรรมที่เพิ่มเอง", 5


def _row_below(book):
    sheet = book[PERFORMANCE.name]
    sheet["B30"], sheet["G30"] = "A999", 5


def _delete_row(book):
    book[PERFORMANCE.name].delete_rows(12)


def _swap_rows(book):
    sheet = book[PERFORMANCE.name]
    for column in "ABCDEF":
        sheet[f"{column}9"].value, sheet[f"{column}10"].value = (
            sheet[f"{column}10"].value,
            sheet[f"{column}9"].value,
        )


def _change_target(book):
    book[PERFORMANCE.name]["E9"] = 9999


def _change_name(book):
    book[BUDGET.name]["C10"] = "ชื่อที่แก้เอง"


def _drop_budget_sheet(book):
    del book[BUDGET.name]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_insert_row, [("B12", "rows-added")]),
        (_row_below, [("B30", "rows-added")]),
        (_delete_row, [("B12", "rows-removed")]),
        (_swap_rows, [("B9", "rows-reordered"), ("B10", "rows-reordered")]),
        (_change_target, [("E9", "prefilled-changed")]),
        (_change_name, [("C10", "prefilled-changed")]),
        (_drop_budget_sheet, [(None, "sheet-missing")]),
    ],
    ids=[
        "row-inserted",
        "row-below",
        "row-deleted",
        "rows-swapped",
        "target-changed",
        "name-changed",
        "sheet-missing",
    ],
)
def test_structure_changes_are_rejected_without_value_findings(march, tmp_path, edit, expected):
    """The bad values (-1, 2.5 on a countable unit, over budget) are not reported: noise."""
    path = edited(filled(march, tmp_path, {"A101": -1, "A102": 2.5}, {"A103": 10**6}), edit)
    report = submit(march, path)
    assert codes(march, report) == expected
    assert [v.status for v in report.verdicts] == ["rejected"]


# -- versions and answers -----------------------------------------------------------------
@pytest.mark.postgresql_default
def test_a_second_version_replaces_the_first_and_says_what_changed(march, tmp_path):
    submit(
        march, filled(march, tmp_path, {"A101": 100, "A102": 20}, {"A101": 5000}, name="v1.xlsx")
    )
    report = submit(
        march, filled(march, tmp_path, {"A101": 150, "A102": 20}, {"A101": 4500.5}, name="v2.xlsx")
    )
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert status(march)["version"] == 2
    assert recorded(march) == {"A101": (150, 4500.5), "A102": (20, 0)}
    (receipt,) = [m for m in mail_to(march, THA_MAKA, "รับข้อมูล") if "ฉบับที่ 2" in m["Subject"]]
    text = body(receipt)
    assert "replacing version 1" in text
    assert "A101" in text and "100 → 150" in text and "5,000 → 4,500.5" in text
    assert "A102" not in text.split("Changes from version 1")[1].split("Summary")[0]


@pytest.mark.postgresql_default
def test_an_identical_file_is_a_duplicate_and_changes_nothing(march, tmp_path):
    path = filled(march, tmp_path, {"A101": 100})
    submit(march, path)
    report = submit(march, path, name="ส่งซ้ำ.xlsx")
    assert [v.status for v in report.verdicts] == ["duplicate"]
    assert (status(march)["version"], status(march)["rejected_attempts"]) == (1, 0)
    (notice,) = mail_to(march, THA_MAKA, "ไฟล์ซ้ำ")
    assert "ส่งซ้ำ.xlsx" in notice["Subject"] and "march.xlsx" in body(notice)


def test_a_rejected_file_never_replaces_the_accepted_version(march, tmp_path):
    submit(march, filled(march, tmp_path, {"A101": 100}, {"A101": 5000}, name="good.xlsx"))
    report = submit(march, filled(march, tmp_path, {"A101": -100}, name="bad.xlsx"))
    assert [v.status for v in report.verdicts] == ["rejected"]
    line = status(march)
    assert (line["state"], line["version"], line["rejected_attempts"]) == ("submitted", 1, 1)
    assert recorded(march) == {"A101": (100, 5000)}


def test_the_rejection_returns_the_annotated_workbook(march, tmp_path):
    report = submit(
        march, filled(march, tmp_path, {"A101": 10, "A102": "12,5O0"}, name="มีนาคม.xlsx")
    )
    assert codes(march, report) == [("G10", "not-a-number")]
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    (attachment,) = list(rejection.iter_attachments())
    returned = returned_dir(march.root, THA_MAKA) / attachment.get_filename()
    assert returned.read_bytes() == attachment.get_content()
    book = load_workbook(returned)
    assert book.sheetnames[0] == LISTING_SHEET
    listing = [
        str(c)
        for row in book[LISTING_SHEET].iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert "G10" in listing and "12,5O0" in listing
    cell = book[PERFORMANCE.name]["G10"]
    assert cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb
    assert "12,5O0" in cell.comment.text and "not a number" in cell.comment.text
    assert book[PERFORMANCE.name]["G9"].comment is None


@pytest.mark.parametrize(
    ("choice", "state"), [(CONFIRM_DRAFT, "recorded"), ("ยืนยันส่ง", "submitted")]
)
def test_the_confirm_choice_sets_the_state(march, tmp_path, choice, state):
    report = submit(march, filled(march, tmp_path, {"A101": 10}, confirm=choice))
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert status(march)["state"] == state


@pytest.mark.postgresql_default
def test_a_draft_then_a_confirmed_version(march, tmp_path):
    submit(march, filled(march, tmp_path, {"A101": 10}, confirm=CONFIRM_DRAFT, name="draft.xlsx"))
    submit(march, filled(march, tmp_path, {"A101": 10}, name="final.xlsx"))
    assert (status(march)["state"], status(march)["version"]) == ("submitted", 2)
    assert [line["state"] for line in _all_status(march)].count("missing") == len(
        DISTRICTS
    )  # the others, and 71


def _all_status(dep):
    with dep.ledger.atomic() as conn:
        return views.period_status(conn, [(o, "") for o in ["71", *DISTRICTS]], "monthly", MARCH)


def test_findings_come_in_the_workbooks_order_naming_their_activity(march, tmp_path):
    """DESIGN §6: sheet, then row, then column; each names its row's activity (code and Thai
    name), its field in Thai with English, and the value exactly as the office typed it."""
    path = filled(march, tmp_path, {"A102": -1, "A105": "12,5O0"}, {"A101": "สองพัน", "A104": 10**6})
    report = submit(march, path)
    assert codes(march, report) == [
        ("G10", "negative"),
        ("G13", "not-a-number"),
        ("F9", "not-a-number"),
        ("F12", "over-budget"),
    ]
    issued = load_workbook(issued_path(march, "monthly", THA_MAKA, MARCH))
    (verdict,) = report.verdicts
    with march.ledger.atomic() as conn:
        found = records.findings_of(conn, verdict.file_id)
    for f, layout, field, typed in zip(
        found,
        (PERFORMANCE, PERFORMANCE, BUDGET, BUDGET),
        ("quantity", "quantity", "spending", "spending"),
        ("-1", "12,5O0", "สองพัน", "1000000"),
        strict=True,
    ):
        row = int(f["cell"][1:])
        code = issued[layout.name][layout.cell("code", row)].value
        name = issued[layout.name][layout.cell("name", row)].value[:20]  # a long name is cut
        assert f"กิจกรรม {code} {name}" in f["message_th"]
        assert f"activity {code} {name}" in f["message_en"]
        assert f["activity"].startswith(f"{code} {name}")  # a key of its own too
        column = layout.column(field)
        assert f["field"] == f"{column.th} / {column.en}"
        assert f["value"] == typed
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    text = body(rejection)
    places = [text.index(f"{cell} ") for cell in ("G10", "G13", "F9", "F12")]
    assert places == sorted(places)
