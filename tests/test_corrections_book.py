"""The correction request workbook (issue 18, point 9): the province's strategy group asks
for corrections of locked periods with a workbook dropped in its folder, never a terminal.
Every mistake is answered on its cell; each valid row opens a correction exactly as `eop
correction open` does, and the office's next version of the locked period is accepted."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import THA_MAKA, at, codes, drop, fill_month, findings_of, process, sent_mail
from openpyxl import load_workbook
from sqlalchemy import select

from eop.layout import CORRECTION_REQUESTS, META_SHEET, REQUESTER_CELL
from jobs.corrections import open_correction
from jobs.deployment import Deployment
from jobs.issue import issue
from ledger import workflow
from ledger.schema import events
from simulation.offices import fill_correction, resave_with_libreoffice
from validators.correction import parse_day, parse_period

pytestmark = pytest.mark.ledgers  # on SQLite; the round trip on PostgreSQL too

EOP = Path(sys.executable).parent / "eop"
SAI_YOK = "7102"
MEMO = {"memo_number": "กษ 0609/123", "memo_date": "9/4/2558", "approved_by": "ปศจ.กาญจนบุรี"}


@pytest.fixture
def locked(allocated: Deployment) -> Deployment:
    """10 April 2558: February and March are locked; the blank correction workbook issued."""
    process(allocated, at(2015, 4, 10, 9))
    issue(allocated, "correction", "71", "2558", mail=False)
    return allocated


def blank(deployment: Deployment) -> Path:
    return deployment.root / "share" / "71" / "returned" / "CORRECTION_71_2558.xlsx"


def mail_since(deployment: Deployment, before: int) -> list:
    return sent_mail(deployment)[before:]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_blank_workbook_is_a_form_of_ours(locked: Deployment):
    book = load_workbook(blank(locked))
    sheet = book[CORRECTION_REQUESTS.name]
    assert book[META_SHEET].sheet_state == "veryHidden" and sheet.protection.sheet
    header = [sheet.cell(CORRECTION_REQUESTS.header_row, c).value for c in range(1, 9)]
    english = [sheet.cell(CORRECTION_REQUESTS.header_row + 1, c).value for c in range(1, 9)]
    assert header[1] == "หน่วยงาน (เลือก)" and english[1] == "Office (choose)"
    first = CORRECTION_REQUESTS.first_row
    for field in CORRECTION_REQUESTS.inputs:
        cell = sheet[CORRECTION_REQUESTS.cell(field, first)]
        assert not cell.protection.locked and cell.fill.fgColor.rgb.endswith("FFF2CC"), field
    prompts = {str(v.sqref): (v.type, v.prompt) for v in sheet.data_validations.dataValidation}
    office = next(p for ref, p in prompts.items() if f"B{first}" in ref.split())
    assert office[0] == "list" and "choose" in office[1] and "เลือก" in office[1]
    assert all(p[1] and "—" in p[1] for p in prompts.values())  # Thai — English
    assert not sheet[REQUESTER_CELL].protection.locked


@pytest.mark.postgresql_default
def test_a_libreoffice_round_trip_opens_each_correction(locked: Deployment, tmp_path: Path):
    filled = fill_correction(
        blank(locked),
        tmp_path / "คำขอแก้ไข.xlsx",
        [
            {"office": "7105 อ.ท่ามะกา", "period": "2558-03", **MEMO, "to_centre": "ใช่ (yes)",
             "reason": "A101 แก้ไขตามทะเบียน"},
            {"office": SAI_YOK, "period": "ก.พ. 2558", **MEMO, "memo_number": "กษ 0609/124",
             "to_centre": "ไม่ใช่ (no)"},
        ],
    )  # fmt: skip
    if resave_with_libreoffice(filled, tmp_path / "profile") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    drop(locked, "71", filled)
    before = len(sent_mail(locked))
    report = process(locked, at(2015, 4, 10, 10))
    assert codes(locked, report) == [] and report.verdicts[0].status == "accepted"
    with locked.ledger.atomic() as conn:
        opened = workflow.list_corrections(conn)
        logged = list(conn.execute(select(events).where(events.c.event == "correction-opened")))
    assert [
        (c["office"], c["period"], c["memo_number"], c["memo_date"], c["to_centre"], c["state"])
        for c in opened
    ] == [
        (THA_MAKA, "2558-03", "กษ 0609/123", "2015-04-09", True, "open"),
        (SAI_YOK, "2558-02", "กษ 0609/124", "2015-04-09", False, "open"),
    ]
    assert [e.file_id for e in logged] == [report.verdicts[0].file_id] * 2
    assert opened[0]["opened_by"] == "71 (นางสาววิไล รักงาน)"
    mails = {m["To"]: m for m in mail_since(locked, before)}
    receipt = next(m for m in mails.values() if "correction(s) opened" in m["Subject"])
    assert "กษ 0609/123" in text_of(receipt) and "กษ 0609/124" in text_of(receipt)
    assert text_of(receipt).index("เรียน") < text_of(receipt).index("To ")
    told = mails[f"u{THA_MAKA}@kanchanaburi.example.go.th"]
    assert "Correction opened" in told["Subject"]
    assert [p.get_filename() for p in told.iter_attachments()] == [
        f"EOP014-015_{THA_MAKA}_2558-03.xlsx"
    ]
    _the_office_sends_its_one_version(locked, tmp_path)


def _the_office_sends_its_one_version(deployment: Deployment, tmp_path: Path) -> None:
    corrected = fill_month(deployment, THA_MAKA, "2558-03", tmp_path / "แก้ไข.xlsx", {"A101": 280})
    drop(deployment, THA_MAKA, corrected)
    assert codes(deployment, process(deployment, at(2015, 4, 10, 11))) == [
        (None, "correction-applied")
    ]
    again = fill_month(deployment, THA_MAKA, "2558-03", tmp_path / "อีกครั้ง.xlsx", {"A101": 281})
    drop(deployment, THA_MAKA, again)
    assert codes(deployment, process(deployment, at(2015, 4, 10, 12))) == [(None, "period-locked")]


def test_each_mistake_is_answered_on_its_cell(locked: Deployment, tmp_path: Path):
    open_correction(
        locked, office=SAI_YOK, period="2558-02", memo_number="กษ 0609/99",
        memo_date=date(2015, 4, 8), approved_by="ปศจ.", by="test",
    )  # fmt: skip
    rows = [
        {"office": "9999 อ.ไม่มี", "period": "2558-03", **MEMO},  # row 8
        {"office": THA_MAKA, "period": "2558-13", **MEMO},  # 9: not a period
        {"office": THA_MAKA, "period": "2558-04", **MEMO},  # 10: April is not locked
        {"office": "7101", "period": "2558-03", **MEMO, "memo_number": "", "approved_by": ""},
        {"office": "7103", "period": "2558-03", **MEMO, "memo_date": "31/2/2558"},  # 12
        {"office": "7104", "period": "2558-03", **MEMO, "memo_date": "1/5/2558"},  # 13: future
        {"office": SAI_YOK, "period": "2558-02", **MEMO},  # 14: one is open already
        {"office": "7106", "period": "2558-03", **MEMO, "to_centre": "อาจจะ"},  # 15
        {"office": "7107", "period": "2558-03", **MEMO},  # 16
        {"office": "7107 อ.ทองผาภูมิ", "period": "2015-03", **MEMO},  # 17: the same again
        {"period": "2558-03"},  # 18: no office
    ]
    drop(locked, "71", fill_correction(blank(locked), tmp_path / "คำขอ.xlsx", rows))
    before = len(sent_mail(locked))
    report = process(locked, at(2015, 4, 10, 10))
    assert codes(locked, report) == [
        ("B8", "correction-office-unknown"),
        ("C9", "correction-period-bad"),
        ("C10", "correction-not-locked"),
        ("D11", "correction-memo-missing"),
        ("F11", "correction-approver-missing"),
        ("E12", "correction-date-bad"),
        ("E13", "correction-date-future"),
        ("C14", "correction-already-open"),
        ("G15", "bad-choice"),
        ("B17", "correction-row-repeated"),
        ("B18", "correction-office-missing"),
        ("D18", "correction-memo-missing"),
        ("E18", "correction-date-missing"),
        ("F18", "correction-approver-missing"),
    ]
    found = findings_of(locked, report.verdicts[0].file_id)
    assert all(f["message_th"] and f["message_en"] for f in found)
    assert "4 พฤษภาคม 2558" in found[2]["message_th"] and "4 May 2558 BE" in found[2]["message_en"]
    assert "กษ 0609/99" in found[7]["message_en"] and found[4]["value"] in (None, "")
    with locked.ledger.atomic() as conn:  # nothing opened: all or nothing
        assert [c["memo_number"] for c in workflow.list_corrections(conn)] == ["กษ 0609/99"]
    (answer,) = [m for m in mail_since(locked, before) if "Returned" in m["Subject"]]
    (annotated,) = [p for p in answer.iter_attachments()]
    sheet = load_workbook(locked.root / "share" / "71" / "returned" / annotated.get_filename())[
        CORRECTION_REQUESTS.name
    ]
    assert sheet["B8"].comment is not None and "9999" in sheet["B8"].comment.text
    assert "Every cell to correct is marked" in text_of(answer)


def test_an_empty_workbook_asks_for_a_row(locked: Deployment, tmp_path: Path):
    drop(locked, "71", fill_correction(blank(locked), tmp_path / "ว่าง.xlsx", []))
    assert codes(locked, process(locked)) == [("B8", "correction-none")]


def test_issued_by_command_to_a_province_only(locked: Deployment):
    def eop(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(EOP), "--config", str(locked.config.source), "--now", "2015-04-10T09:00", *args],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    made = eop("issue", "correction", "--office", "71", "--no-mail")
    assert made.returncode == 0 and "CORRECTION_71_2558.xlsx" in made.stdout
    refused = eop("issue", "correction", "--office", THA_MAKA, "--no-mail")
    assert refused.returncode == 2 and "province" in refused.stderr


@pytest.mark.parametrize(
    "typed, day",
    [
        ("9/4/2558", date(2015, 4, 9)),
        ("09-04-58", date(2015, 4, 9)),
        ("๙/๔/๒๕๕๘", date(2015, 4, 9)),
        ("2558-04-09", date(2015, 4, 9)),
        ("2015-04-09", date(2015, 4, 9)),
        ("9 เม.ย. 2558", date(2015, 4, 9)),
        ("9 เมษายน 2558", date(2015, 4, 9)),
        ("9 April 2015", date(2015, 4, 9)),
        ("31/2/2558", None),
        ("เมื่อวาน", None),
    ],
)
def test_a_memo_date_is_read_as_people_type_it(typed, day):
    assert parse_day(typed) == day


def test_a_period_is_read_as_people_type_it():
    assert {
        str(parse_period(t)) for t in ("2558-03", "2015-03", "3/2558", "มี.ค. 2558", "มีนาคม 2558")
    } == {"2558-03"}
    assert parse_period("2558-13") is None and parse_period("มีนา") is None
    assert parse_period("0000-01") is None  # a typo, not a period (it has no calendar)
