"""The reporting cycle's workflow (DESIGN §4): sections approve or return each district with
real review workbooks, a return mails the district its comment and the district resubmits,
the province confirms to the centre (with and without missing districts), and a locked
period changes only through a correction citing its memo.

Two deployments are played once per module and copied for each test: March reviewed
(28 March, one district returned) and the strategy window's first day (1 April, the
province package sent)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import (
    DISTRICTS,
    THA_MAKA,
    at,
    drop,
    even_shares,
    fill_month,
    issued_path,
    process,
    sent_mail,
)
from openpyxl import load_workbook

from eop.clock import Clock
from eop.config import load_config
from eop.layout import (
    CONFIRM_BUDGET,
    CONFIRM_PERFORMANCE,
    META_SHEET,
    REVIEW_DECISIONS,
    REVIEW_RESULTS,
    TEMPLATE_VERSIONS,
)
from eop.states import APPROVE, EVEN_IF_INCOMPLETE, NO, RETURN, REVIEW_CHOICES
from jobs.deployment import Deployment, open_deployment
from ledger import records, workflow
from ledger.schema import events
from ledger.views import period_status
from simulation.offices import fill_allocation, fill_confirm, fill_monthly, fill_review
from templates.mail import WORKFLOW_KINDS, render_mail

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL too (a few by default)

EOP = Path(sys.executable).parent / "eop"
PERIOD = "2558-03"
SECTIONS = ["71-S1", "71-S2", "71-S3", "71-S4", "71-S5"]
LATE_DISTRICT = "7113"  # Huai Krachao sends nothing on time
FIGURES = {"A101": 300, "A102": 120, "A201": 6, "A301": 2, "A401": 1, "A404": 1}
COMMENT = "A101 ไม่ตรงกับทะเบียนการฉีดวัคซีน กรุณาตรวจสอบ — A101 does not match the vaccination register"


# -- playing the month once per module ---------------------------------------------------
def _fresh(base: Path) -> Deployment:
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy(
        Path(__file__).resolve().parent.parent / "eop" / "kanchanaburi.yaml", base / "config.yaml"
    )
    deployment = open_deployment(load_config(base / "config.yaml"), Clock(at(2014, 10, 1, 9)))
    process(deployment)
    filled = fill_allocation(
        issued_path(deployment, "allocation", "71", "2558"),
        base / "work" / "EOP016.xlsx",
        shares=even_shares(deployment),
    )
    drop(deployment, "71", filled)
    process(deployment, at(2014, 10, 2))
    return deployment


def submit(
    deployment: Deployment,
    office: str,
    work: Path,
    figures: dict | None = None,
    name: str | None = None,
) -> Path:
    filled = fill_month(
        deployment, office, PERIOD, work / (name or f"EOP-{office}.xlsx"), figures or FIGURES
    )
    return drop(deployment, office, filled)


def review(
    deployment: Deployment, section: str, work: Path, decisions: dict, name: str | None = None
) -> Path:
    filled = fill_review(
        issued_path(deployment, "review", section, PERIOD),
        work / (name or f"review-{section}.xlsx"),
        decisions=decisions,
        reviewer=f"ผู้ตรวจ {section}",
    )
    return drop(deployment, section, filled)


def approve_all(
    deployment: Deployment, work: Path, offices: list[str], *, returning: dict | None = None
) -> None:
    for section in SECTIONS:
        decisions = {office: APPROVE for office in offices} | (returning or {}).get(section, {})
        review(deployment, section, work, decisions)


def _reviewed(base: Path) -> Deployment:
    """28 March 11:00: everyone but Huai Krachao reported on the 25th; the sections approved
    everyone, except that animal health (71-S3) returned Tha Maka with a comment."""
    deployment = _fresh(base)
    process(deployment, at(2015, 3, 25, 8))
    for office in ["71", *DISTRICTS]:
        if office != LATE_DISTRICT:
            submit(deployment, office, base / "work")
    process(deployment, at(2015, 3, 25, 10))
    process(deployment, at(2015, 3, 28, 9))
    reporting = [d for d in DISTRICTS if d != LATE_DISTRICT]
    approve_all(
        deployment, base / "work", reporting, returning={"71-S3": {THA_MAKA: (RETURN, COMMENT)}}
    )
    report = process(deployment, at(2015, 3, 28, 11))
    assert [v.status for v in report.verdicts] == ["accepted"] * 5, report.verdicts
    return deployment


def _package(base: Path) -> Deployment:
    """1 April 09:00: Tha Maka fixed A101 on the 29th, animal health approved it; the
    province package and the confirm workbook went to the strategy group."""
    deployment = _reviewed(base)
    returned = next((deployment.root / "share" / THA_MAKA / "returned").glob("*ส่งกลับ*"))
    drop(
        deployment,
        THA_MAKA,
        fill_monthly(returned, base / "work" / "EOP-7105-v2.xlsx", quantities={"A101": 280}),
    )
    process(deployment, at(2015, 3, 29, 9))
    review(deployment, "71-S3", base / "work", {THA_MAKA: APPROVE}, name="review-71-S3-again.xlsx")
    process(deployment, at(2015, 3, 29, 10))
    process(deployment, at(2015, 3, 30, 9))
    process(deployment, at(2015, 4, 1, 9))
    return deployment


def _template(factory, tmp_path_factory, name: str) -> Path:
    base = tmp_path_factory.mktemp(name)
    deployment = factory(base)
    deployment.ledger.close()
    return base


@pytest.fixture(scope="module")
def reviewed_template(tmp_path_factory) -> Path:
    return _template(_reviewed, tmp_path_factory, "reviewed")


@pytest.fixture(scope="module")
def package_template(tmp_path_factory) -> Path:
    return _template(_package, tmp_path_factory, "package")


def clone(template: Path, tmp_path: Path, when: datetime) -> Deployment:
    target = tmp_path / "deployment"
    shutil.copytree(template, target)
    return open_deployment(load_config(target / "config.yaml"), Clock(when))


@pytest.fixture
def reviewed(reviewed_template: Path, tmp_path: Path) -> Deployment:
    return clone(reviewed_template, tmp_path, at(2015, 3, 28, 11))


@pytest.fixture
def package(package_template: Path, tmp_path: Path) -> Deployment:
    return clone(package_template, tmp_path, at(2015, 4, 1, 9))


# -- reading the ledger ---------------------------------------------------------------------
def status(deployment: Deployment, period: str = PERIOD) -> dict[str, dict]:
    offices = [(code, code) for code in ["71", *DISTRICTS]]
    with deployment.ledger.atomic() as conn:
        return {row["office"]: row for row in period_status(conn, offices, "monthly", period)}


def states(deployment: Deployment) -> dict[str, str]:
    return {office: row["state"] for office, row in status(deployment).items()}


def events_of(deployment: Deployment, name: str, office: str | None = None) -> list:
    from sqlalchemy import select

    query = select(events).where(events.c.event == name).order_by(events.c.id)
    if office:
        query = query.where(events.c.office == office)
    with deployment.ledger.atomic() as conn:
        return list(conn.execute(query))


def mail_since(deployment: Deployment, before: int) -> list:
    return sent_mail(deployment)[before:]


def attachments(message) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def only_file(deployment: Deployment, report) -> dict:
    (verdict,) = report.verdicts
    with deployment.ledger.atomic() as conn:
        return {
            "status": verdict.status,
            "codes": [(f["cell"], f["code"]) for f in records.findings_of(conn, verdict.file_id)],
        }


# -- the workbooks ------------------------------------------------------------------------
def unlocked(sheet) -> set[str]:
    return {
        cell.coordinate for row in sheet.iter_rows() for cell in row if not cell.protection.locked
    }


def validation(sheet, address: str):
    (found,) = [dv for dv in sheet.data_validations.dataValidation if address in dv.sqref]
    return found


def meta(book) -> dict:
    return {
        str(row[0]): str(row[1]) for row in book[META_SHEET].iter_rows(values_only=True) if row[0]
    }


def test_the_review_workbook_follows_the_conventions(reviewed):
    path = issued_path(reviewed, "review", "71-S3", PERIOD)
    book = load_workbook(path)
    assert [s.title for s in book.worksheets if s.sheet_state == "visible"] == [
        REVIEW_DECISIONS.name,
        REVIEW_RESULTS.name,
    ]
    decisions, results = book[REVIEW_DECISIONS.name], book[REVIEW_RESULTS.name]
    assert (
        decisions.protection.sheet
        and results.protection.sheet
        and book[META_SHEET].sheet_state == "veryHidden"
    )
    rows = {
        decisions[f"B{r}"].value: r
        for r in range(REVIEW_DECISIONS.first_row, REVIEW_DECISIONS.first_row + 13)
    }
    reviewable = [rows[d] for d in DISTRICTS if d != LATE_DISTRICT]
    assert unlocked(decisions) == {"C4"} | {f"{c}{r}" for r in reviewable for c in "GH"}
    assert unlocked(results) == set()
    choice = validation(decisions, f"G{rows[THA_MAKA]}")
    assert (
        choice.type == "list"
        and all(c in choice.formula1 for c in REVIEW_CHOICES)
        and "เลือก" in choice.prompt
    )
    assert validation(decisions, f"H{rows[THA_MAKA]}").type == "textLength"
    assert validation(decisions, "C4").type == "textLength"
    assert decisions[f"G{rows[LATE_DISTRICT]}"].value == "–"  # nothing to decide on: locked
    facts = meta(book)
    assert {k: facts[k] for k in ("kind", "template_version", "office", "period")} == {
        "kind": "review",
        "template_version": TEMPLATE_VERSIONS["review"],
        "office": "71-S3",
        "period": PERIOD,
    }
    with reviewed.ledger.atomic() as conn:
        assert records.issued_snapshot(conn, facts["digest"])["kind"] == "review"
    lines = [[c.value for c in row] for row in results.iter_rows(min_row=REVIEW_RESULTS.first_row)]
    tha_maka_a101 = next(line for line in lines if line[0] == THA_MAKA and line[1] == "A101")
    assert (
        tha_maka_a101[5] == 300
        and tha_maka_a101[7].startswith("=")
        and tha_maka_a101[11].startswith("=")
    )
    assert {line[1] for line in lines} <= {
        "A101",
        "A102",
        "A103",
        "A104",
        "A105",
    }  # the section's own activities


def test_the_confirm_workbook_follows_the_conventions(package):
    book = load_workbook(issued_path(package, "confirm", "71", PERIOD))
    performance, budget = book[CONFIRM_PERFORMANCE.name], book[CONFIRM_BUDGET.name]
    assert unlocked(performance) == {"C4", "C5", "C6", "C7"}
    assert [validation(performance, c).type for c in ("C4", "C5", "C6", "C7")] == [
        "list",
        "list",
        "list",
        "textLength",
    ]
    assert EVEN_IF_INCOMPLETE in validation(performance, "C6").formula1
    assert all(
        s.protection.sheet and not unlocked(s)
        for s in book.worksheets
        if s.title != CONFIRM_PERFORMANCE.name
    )
    first = CONFIRM_PERFORMANCE.first_row
    assert performance[f"B{first}"].value == "A101"
    assert (
        performance[f"F{first}"].value == 13 * 300 - 300 + 280
    )  # 12 districts and the office itself; Tha Maka fixed A101
    assert performance[f"H{first}"].value.startswith("=") and budget[
        f"G{CONFIRM_BUDGET.first_row}"
    ].value.startswith("=")
    assert LATE_DISTRICT in performance["D6"].value  # who is not complete, said next to the choice
    assert meta(book)["kind"] == "confirm"


# -- sections approve, return, review again ------------------------------------------------
def test_every_section_approving_makes_the_district_approved(reviewed):
    row = status(reviewed)["7101"]
    assert row["state"] == "approved" and row["sections"] == dict.fromkeys(SECTIONS, "approved")
    assert (
        row["approved_at"] == "2015-03-28T11:00:00+07:00"
        and row["returned"] == []
        and row["confirmed_at"] is None
    )
    decided = events_of(reviewed, "section-approved", "7101")
    assert sorted(json.loads(e.detail)["section"] for e in decided) == SECTIONS
    assert "71-S3 (ผู้ตรวจ 71-S3)" in [e.actor for e in decided]
    (approved,) = events_of(reviewed, "approved", "7101")
    assert approved.at == at(2015, 3, 28, 11) and approved.kind == "monthly"
    assert [e.event for e in events_of(reviewed, "submitted", "7101")] == ["submitted"]
    assert states(reviewed)[LATE_DISTRICT] == "missing" and states(reviewed)["71"] == "submitted"


def test_one_return_returns_the_district_and_mails_it_the_comment(reviewed):
    row = status(reviewed)[THA_MAKA]
    assert row["state"] == "returned"
    assert row["sections"]["71-S3"] == "returned" and row["sections"]["71-S4"] == "approved"
    assert [(r["section"], r["comment"], r["reviewer"]) for r in row["returned"]] == [
        ("71-S3", COMMENT, "ผู้ตรวจ 71-S3")
    ]
    (notice,) = [
        m for m in sent_mail(reviewed) if "u7105@" in m["To"] and "ส่งกลับให้แก้ไข" in m["Subject"]
    ]
    assert COMMENT in text_of(notice) and "กลุ่มพัฒนาสุขภาพสัตว์" in text_of(notice)
    assert text_of(notice).index("เรียน") < text_of(notice).index(
        "To Tha Maka"
    )  # Thai first, English beneath
    assert attachments(notice) == ["EOP014-015_7105_2558-03-ส่งกลับ-v1.xlsx"]
    (receipt,) = [
        m for m in sent_mail(reviewed) if "health71@" in m["To"] and "รับผลการตรวจ" in m["Subject"]
    ]
    assert "ส่งกลับ 1" in receipt["Subject"] and COMMENT in text_of(receipt)


@pytest.mark.postgresql_default
def test_the_district_resubmits_and_only_the_returning_section_reviews_again(reviewed, tmp_path):
    before = len(sent_mail(reviewed))
    returned = next((reviewed.root / "share" / THA_MAKA / "returned").glob("*ส่งกลับ*"))
    drop(
        reviewed,
        THA_MAKA,
        fill_monthly(returned, tmp_path / "fixed.xlsx", quantities={"A101": 280}),
    )
    report = process(reviewed, at(2015, 3, 29, 9))
    assert only_file(reviewed, report)["status"] == "accepted"
    row = status(reviewed)[THA_MAKA]
    assert (row["state"], row["version"]) == ("submitted", 2)
    assert row["sections"] == {
        **dict.fromkeys(SECTIONS, "approved"),
        "71-S3": "pending",
    }  # unchanged figures keep approvals
    assert ("review-update", f"{PERIOD}:71-S3:{THA_MAKA}:v2", 1) in report.jobs
    again = [m for m in mail_since(reviewed, before) if "ตรวจเพิ่มเติม" in m["Subject"]]
    assert [m["To"] for m in again] == ["health71@kanchanaburi.example.go.th"]
    assert THA_MAKA in text_of(again[0]) and attachments(again[0]) == ["REVIEW_71-S3_2558-03.xlsx"]

    review(reviewed, "71-S3", tmp_path, {THA_MAKA: APPROVE}, name="again.xlsx")
    process(reviewed, at(2015, 3, 29, 10))
    assert status(reviewed)[THA_MAKA]["state"] == "approved"
    moves = [
        e.event
        for e in events_of(reviewed, "approved", THA_MAKA)
        + events_of(reviewed, "returned", THA_MAKA)
    ]
    assert sorted(moves) == ["approved", "returned"]


def test_a_return_needs_a_comment(reviewed, tmp_path):
    review(reviewed, "71-S3", tmp_path, {"7101": RETURN}, name="no-comment.xlsx")
    found = only_file(reviewed, process(reviewed, at(2015, 3, 28, 12)))
    assert found["status"] == "rejected"
    row = REVIEW_DECISIONS.first_row + DISTRICTS.index("7101")
    assert found["codes"] == [(f"H{row}", "return-without-comment")]
    assert status(reviewed)["7101"]["state"] == "approved"  # a rejected file changes nothing


def test_a_decision_on_a_version_replaced_since_is_not_applied(reviewed, tmp_path):
    old_workbook = tmp_path / "old-review.xlsx"
    shutil.copy(issued_path(reviewed, "review", "71-S4", PERIOD), old_workbook)
    submit(reviewed, "7102", tmp_path, {**FIGURES, "A201": 7}, name="7102-v2.xlsx")
    process(reviewed, at(2015, 3, 29, 9))
    assert (
        status(reviewed)["7102"]["sections"]["71-S4"] == "pending"
    )  # its figures changed: S4 must look again
    drop(
        reviewed,
        "71-S4",
        fill_review(old_workbook, tmp_path / "stale.xlsx", decisions={"7102": APPROVE}),
    )
    found = only_file(reviewed, process(reviewed, at(2015, 3, 29, 10)))
    assert found["status"] == "accepted" and ("G9", "review-stale") in found["codes"]
    assert status(reviewed)["7102"]["state"] == "submitted"


def test_a_review_after_the_review_window_is_flagged_late(reviewed, tmp_path):
    review(reviewed, "71-S4", tmp_path, {"7101": APPROVE}, name="late.xlsx")
    found = only_file(reviewed, process(reviewed, at(2015, 3, 31, 9)))
    assert found["status"] == "accepted" and (None, "late") in found["codes"]
    with reviewed.ledger.atomic() as conn:
        assert records.latest_submission(conn, "71-S4", "review", PERIOD).late


# -- the province confirms to the centre ----------------------------------------------------
def test_the_package_goes_to_the_strategy_group_on_the_first(package):
    (mail,) = [m for m in sent_mail(package) if "Province package" in m["Subject"]]
    assert mail["To"] == "strategy71@kanchanaburi.example.go.th, u71@kanchanaburi.example.go.th"
    names = attachments(mail)
    assert {f"{code}.pdf" for code in ("RPT111", "RPT112", "RPT113", "RPT211", "RPT212")} <= set(
        names
    )
    assert names[-2:] == ["EOP018-019_71_2558-03.xlsx", "CORRECTION_71_2558.xlsx"]
    assert "13/14" in mail["Subject"]
    assert LATE_DISTRICT in text_of(mail)
    # the correction requests at hand, and what they are for (no terminal: DESIGN §10)
    assert "แบบขอแก้ไขข้อมูลงวดที่ปิดแล้ว" in text_of(mail) and "correction request" in text_of(mail)


def test_confirming_with_a_district_missing_needs_the_explicit_choice(package, tmp_path):
    confirm = issued_path(package, "confirm", "71", PERIOD)
    drop(package, "71", fill_confirm(confirm, tmp_path / "confirm.xlsx"))
    found = only_file(package, process(package, at(2015, 4, 2, 9)))
    assert found == {"status": "rejected", "codes": [("C6", "confirm-incomplete")]}
    assert states(package)["7101"] == "approved"

    before = len(sent_mail(package))
    drop(
        package,
        "71",
        fill_confirm(
            confirm, tmp_path / "confirm-anyway.xlsx", even_if_incomplete=EVEN_IF_INCOMPLETE
        ),
    )
    report = process(package, at(2015, 4, 2, 10))
    assert only_file(package, report) == {
        "status": "accepted",
        "codes": [("C6", "confirmed-incomplete")],
    }
    assert ("centre-reports", "71:2558-03:v1", 1) in report.jobs
    now = states(package)
    assert {now[o] for o in ["71", *DISTRICTS] if o != LATE_DISTRICT} == {"confirmed"} and now[
        LATE_DISTRICT
    ] == "missing"
    assert status(package)["7101"]["confirmed_at"] == "2015-04-02T10:00:00+07:00"
    assert events_of(package, "confirmed", "7101")[0].actor == "71 (นางสาววิไล รักงาน)"
    (centre,) = [m for m in mail_since(package, before) if "planning@dld" in m["To"]]
    assert "RPT111.pdf" in attachments(
        centre
    ) and "EOP018-019_71_2558-03-ยืนยันแล้ว-v1.xlsx" in attachments(centre)
    assert LATE_DISTRICT in text_of(centre) and "ยังไม่ครบ" in text_of(centre)


def test_a_late_district_approved_makes_the_confirm_workbook_stale_then_all_is_confirmed(
    package, tmp_path
):
    stale = tmp_path / "stale-confirm.xlsx"
    fill_confirm(issued_path(package, "confirm", "71", PERIOD), stale)
    submit(package, LATE_DISTRICT, tmp_path)
    report = process(package, at(2015, 4, 1, 10))
    assert [v.status for v in report.verdicts] == ["accepted"] and status(package)[LATE_DISTRICT][
        "late"
    ]
    assert sorted(k for name, k, _ in report.jobs if name == "review-update") == [
        f"{PERIOD}:{s}:{LATE_DISTRICT}:v1" for s in SECTIONS
    ]
    approve_all(package, tmp_path, [LATE_DISTRICT])
    process(package, at(2015, 4, 1, 11))
    assert status(package)[LATE_DISTRICT]["state"] == "approved"

    before = len(sent_mail(package))
    drop(package, "71", stale)
    found = only_file(package, process(package, at(2015, 4, 2, 9)))
    assert found == {"status": "rejected", "codes": [(None, "state-changed")]}
    (answer,) = mail_since(package, before)
    fresh = next(name for name in attachments(answer) if name == "EOP018-019_71_2558-03.xlsx")
    assert fresh

    drop(
        package,
        "71",
        fill_confirm(issued_path(package, "confirm", "71", PERIOD), tmp_path / "confirm.xlsx"),
    )
    assert only_file(package, process(package, at(2015, 4, 2, 10)))["status"] == "accepted"
    assert set(states(package).values()) == {"confirmed"}


def test_not_confirming_keeps_a_draft_and_sends_nothing_to_the_centre(package, tmp_path):
    drop(
        package,
        "71",
        fill_confirm(
            issued_path(package, "confirm", "71", PERIOD),
            tmp_path / "no.xlsx",
            performance=NO,
            even_if_incomplete=EVEN_IF_INCOMPLETE,
        ),
    )
    report = process(package, at(2015, 4, 2, 9))
    assert only_file(package, report) == {"status": "accepted", "codes": [("C4", "not-confirmed")]}
    assert not any(name == "centre-reports" for name, _, _ in report.jobs)
    assert "confirmed" not in states(package).values()


# -- a correction, with its memo ------------------------------------------------------------
def eop(deployment: Deployment, *args: str, now: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EOP), "--config", str(deployment.config.source), "--now", now, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.postgresql_default
def test_a_locked_period_changes_only_through_a_correction_with_its_memo(package, tmp_path):
    process(package, at(2015, 4, 4, 9))
    assert status(package)["7101"]["state"] == "locked"
    late = fill_month(
        package, THA_MAKA, PERIOD, tmp_path / "after-lock.xlsx", {**FIGURES, "A101": 290}
    )
    drop(package, THA_MAKA, late)
    before = len(sent_mail(package))
    assert only_file(package, process(package, at(2015, 4, 5, 9))) == {
        "status": "rejected",
        "codes": [(None, "period-locked")],
    }
    (rejection,) = mail_since(package, before)
    # the procedure for an officer: a memo, then a mail when the correction is open; no command
    assert "eop correction open" not in text_of(rejection) and "บันทึกข้อความ" in text_of(rejection)
    assert "This period is closed" in text_of(rejection)

    early = eop(
        package,
        "correction",
        "open",
        "--office",
        THA_MAKA,
        "--period",
        "2558-04",
        "--memo",
        "กษ 0609/1",
        "--approved-by",
        "ปศจ.",
        "--memo-date",
        "2558-04-09",
        now="2015-04-10T09:00",
    )
    assert early.returncode == 1 and "not locked" in early.stderr
    opened = eop(
        package,
        "correction",
        "open",
        "--office",
        THA_MAKA,
        "--period",
        PERIOD,
        "--memo",
        "กษ 0609/123",
        "--approved-by",
        "ปศุสัตว์จังหวัดกาญจนบุรี",
        "--memo-date",
        "2558-04-09",
        "--to-centre",
        "--reason",
        "A101 แก้ไขตามทะเบียน",
        now="2015-04-10T09:00",
    )
    assert opened.returncode == 0, opened.stderr
    package.clock.set(at(2015, 4, 10, 9, 5))
    before = len(sent_mail(package))
    drop(package, THA_MAKA, late, name="correction.xlsx")
    report = process(package)
    assert only_file(package, report) == {
        "status": "accepted",
        "codes": [(None, "correction-applied")],
    }
    names = [m["Subject"] for m in mail_since(package, before)]
    assert any("Correction opened" in s for s in names) and any(
        "Corrected reports" in s for s in names
    )
    assert any(
        key.endswith(":correction-1") for name, key, _ in report.jobs if name == "centre-reports"
    )

    submit(package, THA_MAKA, tmp_path, {**FIGURES, "A101": 291}, name="one-more.xlsx")
    assert only_file(package, process(package, at(2015, 4, 10, 10)))["codes"] == [
        (None, "period-locked")
    ]
    listed = json.loads(eop(package, "correction", "list", "--json", now="2015-04-10T11:00").stdout)
    assert [
        (
            c["office"],
            c["period"],
            c["memo_number"],
            c["memo_date"],
            c["approved_by"],
            c["to_centre"],
            c["state"],
        )
        for c in listed
    ] == [(THA_MAKA, PERIOD, "กษ 0609/123", "2015-04-09", "ปศุสัตว์จังหวัดกาญจนบุรี", True, "used")]
    row = status(package)[THA_MAKA]
    assert row["version"] == 3 and [c["memo_number"] for c in row["corrections"]] == ["กษ 0609/123"]
    with (
        package.ledger.atomic() as conn
    ):  # the memo's approval stands for the sections' and the province's
        assert records.latest_submission(conn, THA_MAKA, "monthly", PERIOD).state == "approved"
    with package.ledger.atomic() as conn:
        assert (
            workflow.corrections_to_centre(conn, 2558) == 1
            and workflow.corrections_to_centre(conn, 2559) == 0
        )
    assert [
        e.event
        for e in events_of(package, "correction-opened", THA_MAKA)
        + events_of(package, "corrected", THA_MAKA)
    ] == ["correction-opened", "corrected"]


# -- the jobs, one at a time -----------------------------------------------------------------
def test_jobs_can_be_listed_and_run_alone(reviewed, tmp_path):
    submit(
        reviewed, "7102", tmp_path, {**FIGURES, "A201": 7}, name="7102-v2.xlsx"
    )  # promotion (71-S4) must look again
    process(reviewed, at(2015, 3, 29, 9))
    listed = json.loads(eop(reviewed, "jobs", "list", "--json", now="2015-03-30T09:00").stdout)
    due = {row["job"]: row["due"] for row in listed}
    assert due["review-reminder"] == [PERIOD] and due["issue-monthly"] == []
    assert [
        r["key"] for r in next(row for row in listed if row["job"] == "review-request")["ran"]
    ] == [PERIOD]
    ran = eop(reviewed, "jobs", "run", "review-reminder", now="2015-03-30T09:00")
    assert ran.returncode == 0 and f"review-reminder {PERIOD}: 1" in ran.stdout, (
        ran.stdout + ran.stderr
    )
    (reminder,) = [m for m in sent_mail(reviewed) if "Review reminder" in m["Subject"]] or [None]
    assert reminder is None  # queued by the command; sent by the next pass
    process(reviewed, at(2015, 3, 30, 9, 1))
    (reminder,) = [m for m in sent_mail(reviewed) if "Review reminder" in m["Subject"]]
    assert reminder["To"] == "promote71@kanchanaburi.example.go.th" and "7102" in text_of(reminder)
    again = eop(
        reviewed, "jobs", "run", "review-reminder", "--key", "2015-03", now="2015-03-30T09:05"
    )
    assert "already ran" in again.stdout
    unknown = eop(reviewed, "jobs", "run", "no-such-job", now="2015-03-30T09:05")
    assert unknown.returncode == 2


# -- the mail templates -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", WORKFLOW_KINDS)
def test_every_workflow_mail_renders_thai_first_then_english(kind):
    subject, text, html = render_mail(kind, CONTEXTS[kind])
    assert subject.startswith("[e-Operation]") and "\n" not in subject
    assert text.index("เรียน") < text.index("To ") and "e-Operation Sheets" in text
    assert html.index('lang="th"') < html.index('lang="en"')


_ROW = {
    "code": THA_MAKA,
    "name_th": "สำนักงานปศุสัตว์อำเภอท่ามะกา",
    "state_th": "ส่งกลับให้แก้ไข",
    "state_en": "returned",
    "version": 1,
    "warnings": "",
    "comment": COMMENT,
}
_OFFICE = {
    "code": THA_MAKA,
    "name_th": "สำนักงานปศุสัตว์อำเภอท่ามะกา",
    "name_en": "Tha Maka District Livestock Office",
}
_SECTION = {
    "code": "71-S3",
    "name_th": "กลุ่มพัฒนาสุขภาพสัตว์",
    "name_en": "Animal Health Development Group",
}
_PERIOD = {"period": PERIOD, "period_th": "มีนาคม 2558", "period_en": "March 2558 BE (2015)"}
_FILE = {
    "name": "x.xlsx",
    "received_th": "28 มีนาคม 2558 เวลา 10:00 น.",
    "received_en": "28 March 2558 BE 10:00",
}
CONTEXTS = {
    "reminder": {
        "office": _OFFICE,
        **_PERIOD,
        "kind_th": "รายงาน",
        "kind_en": "report",
        "state_th": "ยังไม่ส่ง",
        "state_en": "missing",
        "due_th": "27 มีนาคม 2558",
        "due_en": "27 March 2558 BE",
        "overdue": True,
        "attachment_name": "a.xlsx",
    },
    "review_request": {
        "section": _SECTION,
        **_PERIOD,
        "again": True,
        "new": [THA_MAKA],
        "reviewable": 1,
        "districts": [_ROW],
        "window_th": "28",
        "window_en": "28",
        "one_day": True,
        "attachment_name": "r.xlsx",
    },
    "review_reminder": {
        "section": _SECTION,
        **_PERIOD,
        "pending": [_ROW],
        "due_th": "30",
        "due_en": "30",
        "attachment_name": "r.xlsx",
    },
    "review_returned": {
        "office": _OFFICE,
        "section": _SECTION,
        **_PERIOD,
        "kind_th": "รายงาน",
        "kind_en": "report",
        "version": 1,
        "comment": COMMENT,
        "reviewer": "",
        "due_th": "30",
        "due_en": "30",
        "attachment_name": "",
    },
    "review_receipt": {
        "office": _SECTION,
        **_PERIOD,
        "file": _FILE,
        "approved": [],
        "returned": [_ROW],
        "late": False,
        "warnings": [],
    },
    "confirm_receipt": {
        "office": _OFFICE,
        **_PERIOD,
        "file": _FILE,
        "version": 1,
        "confirmed": False,
        "name": "",
        "confirmed_offices": [],
        "incomplete": [],
        "warnings": [],
    },
    "province_package": {
        "office": _OFFICE,
        **_PERIOD,
        "offices": [_ROW],
        "incomplete": [],
        "ready": 1,
        "due_th": "3",
        "due_en": "3",
        "reports": [],
        "attachment_name": "c.xlsx",
        "correction_name": "CORRECTION_71_2558.xlsx",
        "as_of_th": "1",
        "as_of_en": "1",
    },
    "centre_reports": {
        "office": _OFFICE,
        "centre": _OFFICE,
        **_PERIOD,
        "incomplete": [],
        "name": "",
        "confirmed_th": "",
        "confirmed_en": "",
        "reports": [],
        "correction": {
            "memo_number": "1/2558",
            "memo_date_th": "9 เมษายน 2558",
            "memo_date_en": "9 April 2558 BE",
            "approved_by": "ปศจ.",
            "office": THA_MAKA,
        },
    },
    "correction_receipt": {
        "office": _OFFICE,
        "file": _FILE,
        "name": "",
        "opened": [],
        "warnings": [],
    },
    "correction_opened": {
        "office": _OFFICE,
        **_PERIOD,
        "memo_number": "1/2558",
        "memo_date_th": "9 เมษายน 2558",
        "memo_date_en": "9 April 2558 BE",
        "approved_by": "ปศจ.",
        "to_centre": False,
        "reason": "",
        "attachment_name": "",
    },
}
