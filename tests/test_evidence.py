"""KPI evidence (DESIGN §8): documents registered from the evidence folder (receipts, clear
refusals, duplicates), the target memo drafted when the allocation is accepted, the checklist
7, 3 and 1 days before the deadline, the packet the day before once March is confirmed — and
the packet itself, read back with pdftotext and pdfinfo, its ZIP and manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import at, drop, even_shares, issued_path, process
from test_kpi_support import (
    PROVINCE,
    blank_pdf,
    confirm_month,
    drop_evidence,
    normalise,
    pdf_pages,
    pdftotext,
    play_round,
)

from eop.clock import Clock
from eop.config import load_config
from eop.periods import Period
from eop.rounds import parse_document_name
from intake.folders import evidence_dir, returned_dir
from jobs.deployment import Deployment, open_deployment
from kpi.evidence import checklist_due, packet_due, register_file
from kpi.letter import draft_letter, stand_in_order
from kpi.packet import build_packet, page_list
from ledger import evidence as ledger_evidence
from ledger import records
from simulation.offices import fill_allocation

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "test-output"
EOP = Path(sys.executable).parent / "eop"
MARCH = Period(2558, 3)


def mails(deployment: Deployment, kind_subject: str) -> list:
    """Every message the outbox holds, sent or still queued (a job called directly sends
    nothing), once each, in the order they were queued."""
    import email
    from email import policy

    from ledger import mail

    with deployment.ledger.atomic() as conn:
        rows = mail.by_state(conn)
    found = [
        email.message_from_bytes(
            (deployment.root / row.spool_path).read_bytes(), policy=policy.default
        )
        for row in sorted(rows, key=lambda r: r.id)
    ]
    return [m for m in found if kind_subject in str(m["Subject"])]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def thai_then_english(text: str, thai: str, english: str) -> None:
    assert thai in text and english in text and text.index(thai) < text.index(english)


# -- the registry ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "number"),
    [
        ("order-84-2558.pdf", "order", "84/2558"),
        ("คำสั่ง-85-2558.pdf", "order", "85/2558"),
        ("คำสั่ง-๘๕-๒๕๕๘.PDF", "order", "85/2558"),
        ("Order_84_2558.pdf", "order", "84/2558"),
        ("letter-targets.pdf", "letter-targets", None),
        ("letter-targets-signed.pdf", "letter-targets", None),
        ("หนังสือแจ้งเป้าหมาย-ลงนามแล้ว.pdf", "letter-targets", None),
        ("minutes-1-2558.pdf", "minutes", "1/2558"),
        ("รายงานการประชุม-ครั้งที่หนึ่ง.pdf", "minutes", None),
    ],
)
def test_the_naming_rule_in_thai_and_english(name, kind, number):
    parsed = parse_document_name(name)
    assert (parsed.kind, parsed.number) == (kind, number)


@pytest.mark.parametrize("name", ["scan001.pdf", "letters.pdf", "order-84-2558.docx", "orders.pdf"])
def test_names_the_rule_does_not_know(name):
    assert parse_document_name(name) is None


def test_documents_dropped_in_the_evidence_folder_are_archived_recorded_and_answered(
    deployment, tmp_path
):
    folder = evidence_dir(deployment.root, PROVINCE)
    blank_pdf(folder / "order-84-2558.pdf", pages=2)
    blank_pdf(folder / "คำสั่ง-85-2558.pdf")
    report = process(deployment, at(2014, 10, 1, 10))
    assert [job for job, _, _ in report.jobs].count("evidence-register") == 2
    assert list(folder.iterdir()) == []  # the folder is an inbox: taken files leave it
    with deployment.ledger.atomic() as conn:
        on_file = ledger_evidence.documents(conn, PROVINCE, 2558)
        rows = {r.name: r for r in records.received_since(conn, None)}
    assert [(d.kind, d.number, d.day.isoformat(), d.pages) for d in on_file] == [
        ("order", "84/2558", "2015-01-12", 2),
        ("order", "85/2558", "2015-01-12", 1),
    ]  # date and title from config
    assert on_file[0].title_th.startswith("แต่งตั้งคณะกรรมการติดตามผลการปฏิบัติงานตามตัวชี้วัด")
    for document in on_file:
        archived = deployment.root / document.archive_path
        assert (
            hashlib.sha256(archived.read_bytes()).hexdigest() == document.sha256
        )  # archived by content hash
        assert rows[document.name].status == "accepted" and rows[document.name].kind == "evidence"
        assert rows[document.name].answered_at is not None
    (receipt,) = [
        m for m in mails(deployment, "Evidence registered") if "84/2558" in str(m["Subject"])
    ]
    text = body(receipt)
    thai_then_english(text, "เข้าแฟ้มหลักฐานตัวชี้วัดแล้ว", "was registered in the KPI evidence")
    thai_then_english(text, "ใช้เป็นหลักฐานของ: KPI1 ระดับ 1", "It counts for: KPI1 level 1")
    thai_then_english(
        text,
        "เอกสารที่ยังขาด: หนังสือแจ้งเป้าหมาย หรือ รายงานการประชุม",
        "Documents still missing: target notification letter",
    )
    assert (
        str(receipt["To"])
        == "strategy71@kanchanaburi.example.go.th, u71@kanchanaburi.example.go.th"
    )


def test_what_cannot_be_registered_is_answered_in_thai_and_english(deployment, tmp_path):
    folder = evidence_dir(deployment.root, PROVINCE)
    (folder / "minutes-1-2558.pdf").write_bytes(
        b"PK\x03\x04" + b"\x00" * 200
    )  # a Word file renamed
    (folder / "letter-targets.pdf").write_bytes(
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"
    )  # cut short
    blank_pdf(folder / "scan001.pdf")
    blank_pdf(folder / "order.pdf")
    old = time.time() - 60  # copied a while ago: no longer growing
    for path in folder.iterdir():
        os.utime(path, (old, old))
    process(deployment, at(2014, 10, 1, 10))
    with deployment.ledger.atomic() as conn:
        found = {
            r.name: (r.status, [f["code"] for f in records.findings_of(conn, r.id)])
            for r in records.received_since(conn, None)
        }
        assert ledger_evidence.documents(conn, PROVINCE, 2558) == []
    assert found == {
        "minutes-1-2558.pdf": ("rejected", ["evidence-not-pdf"]),
        "letter-targets.pdf": ("rejected", ["evidence-unreadable"]),
        "scan001.pdf": ("rejected", ["evidence-bad-name"]),
        "order.pdf": ("rejected", ["evidence-number-missing"]),
    }
    answers = {
        m["Subject"].split('"')[1]: body(m) for m in mails(deployment, "Evidence not registered")
    }
    thai_then_english(
        answers["minutes-1-2558.pdf"],
        "ไม่ใช่ไฟล์ PDF (เป็นไฟล์ Office หรือ ZIP)",
        "is not a PDF (it is an Office or ZIP file)",
    )
    thai_then_english(answers["letter-targets.pdf"], "เปิดไฟล์ PDF", "cannot be read as a PDF")
    thai_then_english(
        answers["scan001.pdf"],
        "order-84-2558.pdf หรือ คำสั่ง-85-2558.pdf",
        "Name the PDF by the kind of document",
    )
    thai_then_english(
        answers["order.pdf"], "คำสั่งต้องมีเลขที่ในชื่อไฟล์", "needs its number in the file name"
    )


def test_the_same_document_again_is_a_duplicate_and_a_new_scan_replaces_the_old(
    deployment, tmp_path
):
    first = blank_pdf(tmp_path / "order-84-2558.pdf")
    assert (
        register_file(deployment, PROVINCE, drop_evidence(deployment, first)).status == "accepted"
    )
    again = register_file(
        deployment, PROVINCE, drop_evidence(deployment, first, "order-84-2558-copy.pdf")
    )
    assert again.status == "duplicate"
    thai_then_english(
        body(mails(deployment, "already registered")[0]), "ไม่บันทึกซ้ำ", "not registered again"
    )
    rescan = blank_pdf(tmp_path / "rescan" / "order-84-2558.pdf", pages=3)
    assert (
        register_file(deployment, PROVINCE, drop_evidence(deployment, rescan)).status == "accepted"
    )
    with deployment.ledger.atomic() as conn:
        (only,) = ledger_evidence.documents(conn, PROVINCE, 2558)
    assert (only.number, only.pages) == ("84/2558", 3)  # the newest of the same order counts


def test_a_document_declared_in_config_with_its_file_is_registered_once(demo_config_path, tmp_path):
    import yaml

    raw = yaml.safe_load(demo_config_path.read_text(encoding="utf-8"))
    blank_pdf(tmp_path / "scans" / "committee.pdf")
    raw["rounds"][0]["documents"][1]["file"] = "scans/committee.pdf"
    demo_config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    deployment = open_deployment(load_config(demo_config_path), Clock(at(2015, 3, 1)))
    process(deployment)
    process(deployment, at(2015, 3, 2))
    with deployment.ledger.atomic() as conn:
        (document,) = ledger_evidence.documents(conn, PROVINCE, 2558)
    assert (document.kind, document.number, document.source, document.name) == (
        "order",
        "85/2558",
        "config",
        "order-85-2558.pdf",
    )
    assert (tmp_path / "scans" / "committee.pdf").exists()  # config's file stays where it is


# -- the target memo ---------------------------------------------------------------------------


def test_the_target_memo_is_drafted_when_the_allocation_is_accepted(allocated):
    memo = returned_dir(allocated.root, PROVINCE) / "หนังสือแจ้งเป้าหมาย_71_2558-v1-ร่าง.pdf"
    assert memo.is_file()
    text = normalise(pdftotext(memo))
    for thai in (
        "บันทึกข้อความ",
        "ส่วนราชการ",
        "เรื่อง",
        "เรียนปศุสัตว์อำเภอทุกอำเภอ",
        "แจ้งเป้าหมายผลการปฏิบัติงานและงบประมาณ(งาน-เงิน)",
        "สำนักงานปศุสัตว์อำเภอท่ามะกา",
        "สำนักงานปศุสัตว์อำเภอห้วยกระเจา",
        "บัญชีแนบท้าย",
        "ร่าง",
    ):
        assert normalise(thai) in text, thai
    with allocated.ledger.atomic() as conn:
        from ledger.reference import targets_of

        tha_maka = sum(b for (_, _), (_, b) in targets_of(conn, 2558, "allocated", "7105").items())
    assert f"{tha_maka:,.2f}" in text and "DRAFT" in text  # each district's work–money targets
    (letter,) = mails(allocated, "Target letter to sign")
    thai_then_english(
        body(letter),
        "กรุณาเสนอปศุสัตว์จังหวัดลงนาม",
        "Please have the Provincial Livestock Officer sign it",
    )
    assert [p.get_filename() for p in letter.iter_attachments()] == [memo.name]


# -- the deadline's jobs -----------------------------------------------------------------------


@pytest.fixture
def ready(allocated: Deployment, tmp_path: Path) -> Deployment:
    for name in ("letter-targets-signed.pdf", "order-84-2558.pdf", "คำสั่ง-85-2558.pdf"):
        assert (
            register_file(
                allocated, PROVINCE, drop_evidence(allocated, blank_pdf(tmp_path / "s" / name))
            ).status
            == "accepted"
        )
    return allocated


def keys_ran(deployment: Deployment, job: str) -> list[str]:
    with deployment.ledger.atomic() as conn:
        return [key for key, _ in records.job_runs_of(conn, job)]


def test_the_checklist_goes_7_3_and_1_days_before_with_only_what_is_missing(ready):
    play_round(ready, skip={("7105", MARCH)})
    for day in (30, 31):
        process(ready, at(2015, 3, day, 9))
    process(ready, at(2015, 3, 31, 15))
    assert keys_ran(ready, "evidence-checklist") == ["1/2558|71|7d"]  # from the 31st, once
    for day in (4, 6):
        process(ready, at(2015, 4, day, 9))
    assert keys_ran(ready, "evidence-checklist") == ["1/2558|71|7d", "1/2558|71|3d", "1/2558|71|1d"]
    sent = mails(ready, "KPI evidence 1/2558")
    assert [m["Subject"].split("missing, ")[1].split(" day")[0] for m in sent] == ["7", "3", "1"]
    text = body(sent[0])
    thai_then_english(
        text,
        "ยังไม่มีข้อมูลเดือนมีนาคม 2558:\n   7105 สำนักงานปศุสัตว์อำเภอท่ามะกา",  # named, not only a code
        "nothing recorded for March 2558 BE (2015): 7105",
    )
    assert "84/2558" not in text  # on file: not on the list
    assert "eop evidence" not in text  # an officer's mail names no command


def test_a_service_down_for_days_sends_only_the_latest_checklist(deployment):
    deployment.clock.set(at(2015, 4, 6, 9))
    assert checklist_due(deployment) == ["1/2558|71|1d"]
    deployment.clock.set(at(2015, 4, 8, 0))
    assert checklist_due(deployment) == []  # the deadline has passed


def test_nothing_missing_sends_no_checklist(ready):
    play_round(ready)
    process(ready, at(2015, 3, 31, 9))
    assert (
        keys_ran(ready, "evidence-checklist") == ["1/2558|71|7d"]
        and mails(ready, "KPI evidence 1/2558") == []
    )


def test_the_packet_goes_the_day_before_once_march_is_confirmed_and_at_once_if_later(ready):
    play_round(ready, unconfirmed={MARCH})
    ready.clock.set(at(2015, 4, 6, 9))
    assert packet_due(ready) == []  # March not confirmed yet
    confirm_month(ready, MARCH, at(2015, 4, 6, 10))
    ready.clock.set(at(2015, 4, 5, 23))
    assert packet_due(ready) == []  # not before the day before the deadline
    report = process(ready, at(2015, 4, 6, 10, 30))
    assert ("evidence-packet", "1/2558|71", 1) in report.jobs
    process(ready, at(2015, 4, 6, 12))
    assert keys_ran(ready, "evidence-packet") == ["1/2558|71"]
    (packet,) = mails(ready, "KPI evidence packet")
    assert [p.get_filename() for p in packet.iter_attachments()] == [
        "evidence-1-2558-71.pdf",
        "evidence-1-2558-71.zip",
    ]
    thai_then_english(
        body(packet), "แฟ้มหลักฐานประกอบตัวชี้วัด รอบที่ 1/2558", "The KPI evidence packet for round 1/2558"
    )


# -- the packet ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packet(tmp_path_factory):
    """Round 1/2558 played in a ledger (one late approval: KPI 2 stops at level 3), stand-in
    orders and the signed stand-in memo registered, the packet built on 6 April 2558."""
    root = tmp_path_factory.mktemp("packet")
    shutil.copy(REPO / "eop" / "kanchanaburi.yaml", root / "config.yaml")
    deployment = open_deployment(load_config(root / "config.yaml"), Clock(at(2014, 10, 1, 9)))
    process(deployment)
    filled = fill_allocation(
        issued_path(deployment, "allocation", "71", "2558"),
        root / "EOP016.xlsx",
        shares=even_shares(deployment),
    )
    drop(deployment, "71", filled)
    process(deployment, at(2014, 10, 2))
    play_round(deployment, late_approval={("7108", Period(2557, 12))})
    round_ = deployment.config.round("1/2558")
    staging = root / "staging"
    for ref, name in zip(
        round_.documents[:2], ("order-84-2558.pdf", "คำสั่ง-85-2558.pdf"), strict=True
    ):
        register_file(
            deployment,
            PROVINCE,
            drop_evidence(deployment, stand_in_order(deployment, PROVINCE, ref, staging / name)),
        )
    signed = draft_letter(deployment, PROVINCE, 2558, 1, stand_in=True)
    register_file(
        deployment, PROVINCE, drop_evidence(deployment, signed, "letter-targets-signed.pdf")
    )
    deployment.clock.set(at(2015, 4, 6, 9))
    return build_packet(deployment, round_, PROVINCE)


def pages_text(path: Path) -> list[str]:
    return pdftotext(path).split("\f")[:-1]


def test_the_packet_has_every_part_in_order_and_pdfinfo_agrees(packet):
    assert pdf_pages(packet.pdf) == packet.pages == sum(p.pages for p in packet.parts)
    assert [p.kind for p in packet.parts] == [
        "front",
        "document",
        "document",
        "document",
        *["report"] * 6,
    ]
    assert [p.ref for p in packet.parts if p.kind == "report"] == [
        "RPT111",
        "RPT112",
        "RPT113",
        "RPT211",
        "RPT212",
        "RPT311",
    ]
    assert [p.ref for p in packet.parts if p.kind == "document"] == [
        "84/2558",
        "letter-targets-signed.pdf",
        "85/2558",
    ]
    for before, after in zip(packet.parts, packet.parts[1:]):
        assert after.first == before.last + 1
    assert page_list(packet)[0].startswith(f"1–{packet.parts[0].last}")


def test_every_page_carries_the_packet_page_number(packet):
    texts = pages_text(packet.pdf)
    assert len(texts) == packet.pages
    for number, text in enumerate(texts, start=1):
        assert f"packet page {number}/{packet.pages}" in text, number
    fonts = subprocess.run(
        ["pdffonts", str(packet.pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert not [line for line in fonts.splitlines()[2:] if "Sarabun" not in line], (
        fonts
    )  # Thai from Sarabun only, embedded


def test_the_front_matter_has_the_cover_the_headings_and_the_levels_reached(packet):
    front = packet.parts[0]
    text = "\n".join(pages_text(packet.pdf)[: front.last])
    flat = normalise(text)
    cover = pages_text(packet.pdf)[0]
    for thai in (
        "แฟ้มหลักฐานประกอบตัวชี้วัด รอบที่ 1/2558",
        packet.round.title_th,
        "วันจันทร์ที่ 6 เมษายน 2558",
        "ห้องประชุมสำนักงานปศุสัตว์จังหวัดกาญจนบุรี",
        "กลุ่มยุทธศาสตร์และสารสนเทศการปศุสัตว์",
    ):
        assert normalise(thai) in normalise(cover), thai
    for heading in (
        "สารบัญ",
        "สรุปผลการประเมินตัวชี้วัด",
        "ตัวชี้วัดที่ 1",
        "ตัวชี้วัดที่ 2",
        "น้ำหนักผลงาน : ร้อยละ 10",
        "ค่าเป้าหมายผลงาน/รายละเอียดการดำเนินงาน",
        "ดัชนีหลักฐานรายระดับ",
        "รายการที่ยังขาดหรือไม่ผ่าน",
        "ระดับที่ได้",
    ):
        assert normalise(heading) in flat, heading
    assert "level reached 5" in text and "level reached 3" in text  # each KPI's achieved level
    assert text.count("ACHIEVED") == 2  # one marked row per KPI's level table
    assert "7108" in text and "outside the review window" in text  # why KPI 2 stops at 3


def test_the_evidence_index_names_each_item_with_its_page(packet):
    pages = "\n".join(pages_text(packet.pdf)[: packet.parts[0].last])
    text = " ".join(pages.split())  # a long line wraps in the table's cell
    for item in (
        "order no. 84/2558 of 12 January 2558 BE",
        "order no. 85/2558 of 12 January 2558 BE",
        "target notification letter",
        "allocation workbook (EOP016) version 1",
        "78 of 78 district-months recorded",
        "report RPT112 (appended)",
        "report RPT113 (appended)",
        "report RPT111 (appended)",
        "targets from the FY2558 budget document, 21 activities",
        "confirmed to the centre",
        "no correction sent to the Planning Division",
    ):
        assert item in text, item
    documents = {p.ref: p for p in packet.parts if p.kind == "document"}
    contents = pdftotext(packet.pdf, layout=True).split("\f")[1]
    for part in [*documents.values(), *(p for p in packet.parts if p.kind == "report")]:
        assert any(line.rstrip().endswith(f" {part.first}") for line in contents.splitlines()), (
            part.th
        )  # in the contents


def test_the_documents_and_reports_are_merged_in(packet):
    texts = pages_text(packet.pdf)
    for part in packet.parts[1:]:
        first = texts[part.first - 1]
        if part.kind == "report":
            assert (
                part.ref in first and "page 1/" in first
            )  # the report's own footer, under the packet's stamp
        elif part.ref in ("84/2558", "85/2558"):
            assert part.ref in first and "STAND-IN" in first
        else:
            assert normalise("บันทึกข้อความ") in normalise(first) and "STAND-IN" in first


def test_the_zip_holds_the_xlsx_sources_and_a_manifest_of_their_hashes(packet):
    with zipfile.ZipFile(packet.zip) as bundle:
        names = bundle.namelist()
        manifest = list(
            csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig")))
        )
        contents = {name: bundle.read(name) for name in names}
    assert [n for n in names if n.startswith("reports/")] == [
        f"reports/RPT{c}.xlsx" for c in (111, 112, 113, 211, 212, 311)
    ]
    assert "allocation/EOP016-71-2558-v1.xlsx" in names and "manifest.csv" in names
    for row in manifest[:-1]:
        assert hashlib.sha256(contents[row["file"]]).hexdigest() == row["sha256"] and int(
            row["bytes"]
        ) == len(contents[row["file"]])
    assert manifest[-1]["file"] == f"../{packet.pdf.name}"
    assert (
        manifest[-1]["sha256"]
        == hashlib.sha256(packet.pdf.read_bytes()).hexdigest()
        == packet.sha256
    )
    summary = json.loads(packet.pdf.with_suffix(".json").read_text(encoding="utf-8"))
    assert summary["pages"] == packet.pages and [k["level"] for k in summary["kpis"]] == [5, 3]


def test_a_page_of_the_packet_as_a_person_sees_it(packet):
    """KPI 2's level table (the achieved level marked) rendered to PNG in test-output/."""
    OUTPUT.mkdir(exist_ok=True)
    texts = pages_text(packet.pdf)
    page = next(i for i, t in enumerate(texts, start=1) if "KPI 2 (KPI2)" in t)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(packet.pdf),
            str(OUTPUT / "evidence-kpi2"),
        ],
        check=True,
    )
    assert (OUTPUT / "evidence-kpi2.png").stat().st_size > 10_000


def test_eop_evidence_check_lists_what_is_missing(ready):
    play_round(ready, skip={("7112", MARCH)}, unconfirmed={MARCH})  # checked on 4 April: all due
    done = subprocess.run(
        [
            str(EOP),
            "--config",
            str(ready.config.source),
            "--now",
            "2015-04-04T09:00",
            "evidence",
            "--check",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shape = json.loads(done.stdout)
    assert shape["complete"] is False
    assert {(i["code"], i["office"], i["period"]) for i in shape["items"]} == {
        ("district-month-missing", "7112", "2558-03"),
        ("month-not-confirmed", "71", "2558-03"),
    }
    plain = subprocess.run(
        [
            str(EOP),
            "--config",
            str(ready.config.source),
            "--now",
            "2015-04-04T09:00",
            "evidence",
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "ยังไม่มีข้อมูลเดือนมีนาคม 2558" in plain.stdout and "March 2558" in plain.stdout
    assert "7112 สำนักงานปศุสัตว์อำเภอหนองปรือ" in plain.stdout  # named, not only a code
    assert "ยังไม่ยืนยันข้อมูลเดือนมีนาคม 2558 ต่อส่วนกลาง" in plain.stdout
    assert "(กำหนดส่ง 7 เม.ย. 2558)" in plain.stdout and "2015-" not in plain.stdout
