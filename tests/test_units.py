"""The fast unit tier (`make test-fast`): how a typed cell is read, the message catalogue, the
ledger's queries on a real SQLite file, and the sheet layouts. No workbook is rendered and no
service runs, so these take a moment; the integration suite covers the same parts end to end."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import at

from eop.layout import (
    BUDGET,
    CONFIRM_BUDGET,
    CONFIRM_OFFICES,
    CONFIRM_PERFORMANCE,
    PERFORMANCE,
    REVIEW_DECISIONS,
    REVIEW_RESULTS,
    TARGETS,
    allocation_layout,
)
from eop.states import CONFIRMED, RECORDED, SUBMITTED
from ledger import records, workflow
from ledger.db import Ledger
from validators.catalogue import CATALOGUE, finding
from validators.values import read_number

THAI = re.compile(r"[\u0E00-\u0E7F]")
WHEN = at(2015, 3, 25)


# -- a typed cell read as a number -------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "number"),
    [
        (12500, 12500.0),
        ("12,500", 12500.0),
        (" ๑๒,๕๐๐ ", 12500.0),  # Thai digits, stray spaces
        ("1 250.5", 1250.5),
        ("+.5", 0.5),
        ("−3", -3.0),  # a typographic minus
        ("", None),
    ],
)
def test_a_number_typed_any_usual_way_is_read(typed, number):
    reading = read_number(typed)
    assert (reading.number, reading.ok) == (number, True)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("12,5O0", "not-a-number"), ("=SUM(A1:A3)", "formula-without-value"), (True, "not-a-number")],
)
def test_what_is_not_a_number_is_named_by_its_catalogue_code(typed, problem):
    reading = read_number(typed)
    assert (reading.number, reading.problem, reading.ok) == (None, problem, False)
    assert problem in CATALOGUE


def test_a_dash_reads_as_zero_with_a_note():
    assert (read_number("–").number, read_number("–").problem) == (0.0, "dash-as-zero")


# -- the message catalogue ---------------------------------------------------------------------
@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_message_is_thai_first_with_english(code):
    _, th, en = CATALOGUE[code]
    assert THAI.search(th), code
    assert re.match(r"[A-Z{'\"]", en) and en != th, code  # English (it may quote a Thai choice)


def test_a_finding_names_the_sheet_cell_field_and_value_in_both_languages():
    found = finding(
        "not-a-number",
        sheet="ผลการปฏิบัติงาน",
        sheet_en="performance",
        cell="G9",
        field_th="ผลงานเดือนนี้",
        field_en="this month",
        value="12,5O0",
    )
    assert found.message_th.startswith('ชีต "ผลการปฏิบัติงาน" เซลล์ G9 (ผลงานเดือนนี้): ')
    assert found.message_en.startswith('Sheet "performance" cell G9 (this month): ')
    assert (found.cell, found.value, found.is_error) == ("G9", "12,5O0", True)


# -- the ledger's queries ----------------------------------------------------------------------
@pytest.fixture
def ledger(tmp_path):
    opened = Ledger(tmp_path / "eop.sqlite3")
    yield opened
    opened.close()


def _version(conn, office: str, kind: str, period: str, state: str) -> object:
    file_id = records.record_file(
        conn,
        sha256=f"{office}{kind}{period}{state}",
        name=f"{office}.xlsx",
        office=office,
        size=1,
        received_at=WHEN,
        archive_path=f"archive/{office}.xlsx",
    )
    return records.add_submission(
        conn,
        office=office,
        kind=kind,
        period=period,
        file_id=file_id,
        state=state,
        reporter=None,
        late=False,
        at=WHEN,
    )


def test_versions_count_up_and_the_latest_is_found(ledger):
    with ledger.atomic() as conn:
        first = _version(conn, "7105", "monthly", "2558-03", RECORDED)
        second = _version(conn, "7105", "monthly", "2558-03", SUBMITTED)
        _version(conn, "7101", "monthly", "2558-03", SUBMITTED)
        assert (first.version, second.version, second.replaces) == (1, 2, first.id)
        assert records.latest_submission(conn, "7105", "monthly", "2558-03").id == second.id
        assert records.latest_submission(conn, "7105", "monthly", "2558-02") is None
        latest = records.latest_by_office(conn, "monthly", "2558-03")
        assert {office: row.version for office, row in latest.items()} == {"7105": 2, "7101": 1}
        assert records.submission_version(conn, "7105", "monthly", "2558-03", 1).id == first.id


def test_confirmed_versions_and_taken_corrections_are_listed_oldest_first(ledger):
    with ledger.atomic() as conn:
        march = _version(conn, "71", "confirm", "2558-03", CONFIRMED)
        _version(conn, "71", "confirm", "2558-04", SUBMITTED)
        april = _version(conn, "71", "confirm", "2558-04", CONFIRMED)
        assert [r.id for r in records.in_state(conn, "confirm", CONFIRMED)] == [march.id, april.id]
        opened = workflow.open_correction(
            conn,
            office="7105",
            period="2558-03",
            memo_number=" 12/2558 ",
            memo_date=date(2015, 4, 10),
            approved_by="ผู้อำนวยการ",
            to_centre=True,
            reason=None,
            by=None,
            at=WHEN,
        )
        assert workflow.corrections_taken_to_centre(conn) == []  # opened, not yet used
        workflow.use_correction(conn, opened, march.file_id, march.id, WHEN)
        (taken,) = workflow.corrections_taken_to_centre(conn)
        assert (taken.id, taken.memo_number, taken.office) == (opened, "12/2558", "7105")
        with pytest.raises(workflow.CorrectionRefused, match="memo number"):
            workflow.open_correction(
                conn,
                office="7105",
                period="2558-04",
                memo_number=" ",
                memo_date=date(2015, 4, 10),
                approved_by="x",
                to_centre=False,
                reason=None,
                by=None,
                at=WHEN,
            )


def test_a_job_runs_once_per_key_and_issued_workbooks_keep_what_they_offered(ledger):
    with ledger.atomic() as conn:
        assert not records.job_done(conn, "lock", "2558-03")
        records.mark_job_done(conn, "lock", "2558-03", WHEN)
        assert records.job_done(conn, "lock", "2558-03")
        assert not records.job_done(conn, "lock", "2558-04")
        for digest, offered in (("a1", {"7101": 1}), ("b2", {"7101": 2, "7105": 1})):
            records.record_issued(
                conn,
                digest=digest,
                kind="review",
                office="S1",
                period="2558-03",
                version="2558.1",
                path=f"{digest}.xlsx",
                at=WHEN,
                prefilled={"reviewable": offered},
            )
        shown = records.issued_prefilled(conn, "review", "S1", "2558-03")
        assert sorted((p["reviewable"] for p in shown), key=len) == [
            {"7101": 1},
            {"7101": 2, "7105": 1},
        ]


# -- the sheet layouts -------------------------------------------------------------------------
LAYOUTS = [
    PERFORMANCE,
    BUDGET,
    TARGETS,
    REVIEW_DECISIONS,
    REVIEW_RESULTS,
    CONFIRM_PERFORMANCE,
    CONFIRM_BUDGET,
    CONFIRM_OFFICES,
    allocation_layout("quantity", ["7101", "7102", "7103"]),
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.name_en for layout in LAYOUTS])
def test_each_sheet_names_its_columns_once_in_thai_and_english(layout):
    letters = [c.letter for c in layout.columns]
    fields = [c.field for c in layout.columns]
    assert len(set(letters)) == len(letters) and len(set(fields)) == len(fields)
    assert THAI.search(layout.name) and layout.name_en
    assert all(THAI.search(c.th) and c.en for c in layout.columns)
    assert set(layout.inputs) <= set(fields)
    first = layout.columns[0]
    assert layout.cell(first.field, layout.first_row) == f"{first.letter}{layout.header_row + 2}"
