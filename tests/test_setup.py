"""Onboarding a province from its setup workbook, and the living people workbook (EOP017):
issued, filled (and re-saved by LibreOffice), checked on every cell, applied to config.yaml
and the ledger, changed mid-month without touching the ledger's history."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, at
from openpyxl import load_workbook

from eop.clock import Clock
from eop.config import load_config
from eop.setup_layout import (
    ACTIVITIES,
    FISCAL_YEAR_CELL,
    LEVELS,
    OFFICES,
    PEOPLE,
    PROVINCE_TARGETS,
    ROLES,
    SECTIONS,
)
from jobs.people import recipients
from jobs.setup import apply_file, issue_setup
from simulation.offices import resave_with_libreoffice

EOP = Path(sys.executable).parent / "eop"
NOW = "2014-10-01T09:00"
KANCHANABURI = REPO / "eop" / "kanchanaburi.yaml"


def eop(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EOP), "--now", NOW, *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def edit(path: Path, changes: dict[tuple[str, str], object]) -> Path:
    """What an officer types: (sheet, cell) → value; None clears the cell."""
    book = load_workbook(path)
    for (sheet, cell), value in changes.items():
        book[sheet][cell].value = value
    book.save(path)
    return path


def row_of(path: Path, layout, column: str, value: str) -> int:
    sheet = load_workbook(path, read_only=True)[layout.name]
    for row in range(layout.first_row, layout.first_row + 200):
        if sheet[f"{column}{row}"].value == value:
            return row
    raise AssertionError(f"{value} not in {layout.name}")


@pytest.fixture
def issued(tmp_path: Path) -> Path:
    """The setup workbook pre-filled from the demo's config."""
    return issue_setup(
        tmp_path / "setup.xlsx",
        kind="setup",
        config=load_config(KANCHANABURI),
        fiscal_year=2558,
        now=at(2014, 10, 1, 9),
    )


def test_the_setup_workbook_round_trip_through_libreoffice_gives_the_same_deployment(
    tmp_path: Path,
) -> None:
    work = tmp_path / "province"
    done = eop("setup", "--workdir", str(work), "--like", str(KANCHANABURI), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "setup.xlsx" in done.stdout
    book = load_workbook(work / "setup.xlsx")
    assert [s.title for s in book.worksheets if s.sheet_state == "visible"] == [
        layout.name for layout in (OFFICES, SECTIONS, PEOPLE, ACTIVITIES, PROVINCE_TARGETS)
    ]
    people = book[PEOPLE.name]
    assert people.protection.sheet and not people["F6"].protection.locked
    roles = next(v for v in people.data_validations.dataValidation if "F6" in v.sqref)
    assert all(f"({role})" in roles.formula1 for role in ROLES)
    assert "choose" in roles.prompt and "เลือก" in roles.prompt
    levels = next(v for v in book[OFFICES.name].data_validations.dataValidation if "C6" in v.sqref)
    assert all(f"({level})" in levels.formula1 for level in LEVELS)
    assert resave_with_libreoffice(work / "setup.xlsx", tmp_path / "profile")

    done = eop(
        "setup",
        "--workdir",
        str(work),
        "--from",
        str(work / "setup.xlsx"),
        "--by",
        "วิไล",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "applied by วิไล" in done.stdout and "ตั้งค่าแล้ว" in done.stdout
    made, demo = load_config(work / "config.yaml"), load_config(KANCHANABURI)
    for key in ("offices", "sections", "people", "plans", "fiscal_year"):
        assert getattr(made, key) == getattr(demo, key), key
    assert [(t.fiscal_year, t.office, t.rows) for t in made.targets] == [
        (t.fiscal_year, t.office, t.rows) for t in demo.targets
    ]
    ledger = sqlite3.connect(work / "var" / "eop.sqlite3")
    assert ledger.execute("SELECT count(*) FROM people").fetchone() == (len(demo.people),)
    ((actor, detail),) = ledger.execute(
        "SELECT actor, detail FROM events WHERE event = 'setup-applied'"
    ).fetchall()
    assert (
        actor == "วิไล"
        and ["people", "added", str(len(demo.people))] in json.loads(detail)["changes"]
    )


def test_every_setup_mistake_is_answered_on_its_cell(issued: Path, tmp_path: Path) -> None:
    o, s, p, a, t = (x.name for x in (OFFICES, SECTIONS, PEOPLE, ACTIVITIES, PROVINCE_TARGETS))
    last_district = row_of(issued, OFFICES, "B", "7113")
    its_person = row_of(issued, PEOPLE, "B", "U7113")
    a404 = row_of(issued, ACTIVITIES, "H", "A404")
    spare = OFFICES.first_row + 15
    edit(
        issued,
        {
            (o, "D8"): "99",  # 7101's parent: no such office
            (o, "C9"): "ตำบล",  # no such level
            **{
                (o, f"{c}{spare}"): v
                for c, v in zip("BCDE", ("7105", "อำเภอ (district)", "71", "ซ้ำ"))
            },
            (p, "B7"): "UP71",  # a second UP71
            (p, "D8"): "strategy71-at-kanchanaburi",  # not an e-mail
            (p, "C9"): None,  # a person with no name
            **{(p, f"{c}{its_person}"): None for c in "BCDEFG"},  # 7113's person leaves
            (a, f"N{a404}"): "71-S2",  # 71-S1 is left owning nothing
            (a, "N6"): "71-S9",  # no such section
            (t, FISCAL_YEAR_CELL): "2015",  # a CE year
            (t, "B7"): "A999",
            (t, "D8"): -5,
        },
    )
    config = tmp_path / "province" / "config.yaml"
    config.parent.mkdir()
    receipt = apply_file(config, issued, actor="test", clock=Clock(at(2014, 10, 1, 9)))
    assert not receipt.applied and not config.exists()
    found = {(f.code, f.sheet, f.cell) for f in receipt.findings}
    expected = {
        ("setup-unknown-parent", o, "D8"),
        ("bad-choice", o, "C9"),
        ("setup-duplicate", o, f"B{spare}"),
        ("setup-duplicate-account", p, "B7"),
        ("setup-bad-email", p, "D8"),
        ("setup-missing", p, "C9"),
        ("setup-district-unanswered", o, f"B{last_district}"),
        ("setup-section-idle", s, "B6"),
        ("setup-unknown-section", a, "N6"),
        ("setup-fiscal-year", t, FISCAL_YEAR_CELL),
        ("unknown-activity", t, "B7"),
        ("negative", t, "D8"),
    }
    assert found == expected, found ^ expected
    text = "\n".join(receipt.lines("test", at(2014, 10, 1, 9)))
    assert 'ชีต "ผู้ใช้งาน" เซลล์ D8' in text and 'Sheet "people (EOP017)" cell D8' in text
    assert "strategy71-at-kanchanaburi" in text and "is not an e-mail address" in text
    assert "7113" in text and "has no district recorder" in text


def test_the_cli_answers_a_mistaken_workbook_with_exit_1_and_the_cells(
    issued: Path, tmp_path: Path
) -> None:
    edit(issued, {(PEOPLE.name, "D8"): "nobody"})
    done = eop("setup", "--workdir", str(tmp_path / "w"), "--from", str(issued), cwd=tmp_path)
    assert done.returncode == 1
    assert "เซลล์ D8" in done.stdout and '"nobody" is not an e-mail address' in done.stdout
    assert not (tmp_path / "w" / "config.yaml").exists()


def test_a_people_change_mid_month_keeps_the_history_and_answers_with_a_receipt(
    march, tmp_path: Path
) -> None:
    from conftest import drop, fill_month, process

    config_path = march.config.source
    filled = fill_month(march, "7105", "2558-03", tmp_path / "m" / "7105.xlsx", {"A101": 12})
    drop(march, "7105", filled)
    assert [v.status for v in process(march).verdicts] == ["accepted"]
    before = sqlite3.connect(march.root / "eop.sqlite3").execute("SELECT * FROM events").fetchall()

    workbook = issue_setup(
        tmp_path / "people.xlsx",
        kind="people",
        config=march.config,
        fiscal_year=2558,
        now=march.now(),
    )
    row = row_of(workbook, PEOPLE, "B", "U7105")
    edit(
        workbook,
        {
            (PEOPLE.name, f"C{row}"): "นางสาวใหม่ แทนที่",
            (PEOPLE.name, f"D{row}"): "new7105@kanchanaburi.example.go.th",
            (PEOPLE.name, f"C{row + 1}"): "ปศุสัตว์อำเภอท่าม่วง (ชื่อใหม่)",
        },
    )
    assert resave_with_libreoffice(workbook, tmp_path / "profile")
    march.ledger.close()
    done = eop(
        "--config",
        str(config_path),
        "people",
        "--from",
        str(workbook),
        "--by",
        "planner71",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "เพิ่ม / added people: นางสาวใหม่ แทนที่ <new7105@kanchanaburi.example.go.th> 7105" in out
    assert "ลบ / removed people: ปศุสัตว์อำเภอท่ามะกา <u7105@kanchanaburi.example.go.th> 7105" in out
    assert "แก้ไข / changed people: ปศุสัตว์อำเภอท่าม่วง (ชื่อใหม่)" in out
    assert "offices" not in out and "activities" not in out

    ledger = sqlite3.connect(march.root / "eop.sqlite3")
    after = ledger.execute("SELECT * FROM events").fetchall()
    assert after[: len(before)] == before  # history untouched: the person who left keeps it
    assert any(e[2] == "accepted" and e[3] == "7105" for e in before)
    assert any(e[2] == "mailed" and "u7105@" in (e[8] or "") for e in before)
    ((actor, detail),) = ledger.execute(
        "SELECT actor, detail FROM events WHERE event = 'people-applied'"
    ).fetchall()
    assert actor == "planner71" and len(json.loads(detail)["changes"]) == 3
    assert ledger.execute(
        "SELECT count(*) FROM people WHERE email = 'u7105@kanchanaburi.example.go.th'"
    ).fetchone() == (0,)
    new = load_config(config_path)
    assert recipients(new, "7105", "monthly") == ["new7105@kanchanaburi.example.go.th"]
    assert new.offices == march.config.offices and new.plans == march.config.plans
    kept = list((config_path.parent / "setup").glob("config-*.yaml"))
    assert len(kept) == 1 and "u7105@" in kept[0].read_text(encoding="utf-8")


def test_a_people_workbook_naming_an_office_that_does_not_exist_changes_nothing(
    deployment, tmp_path: Path
) -> None:
    workbook = issue_setup(
        tmp_path / "people.xlsx",
        kind="people",
        config=deployment.config,
        fiscal_year=2558,
        now=deployment.now(),
    )
    assert [s.title for s in load_workbook(workbook).worksheets if s.sheet_state == "visible"] == [
        PEOPLE.name
    ]
    edit(workbook, {(PEOPLE.name, "E6"): "7199", (PEOPLE.name, "F7"): "หัวหน้า"})
    before = deployment.config.source.read_bytes()
    receipt = apply_file(
        deployment.config.source, workbook, actor="t", clock=deployment.clock, expect="people"
    )
    assert {(f.code, f.cell) for f in receipt.findings} == {
        ("setup-unknown-office", "E6"),
        ("bad-choice", "F7"),
    }
    assert deployment.config.source.read_bytes() == before


def test_a_setup_workbook_is_not_taken_for_a_people_workbook(issued: Path, deployment) -> None:
    receipt = apply_file(
        deployment.config.source, issued, actor="t", clock=deployment.clock, expect="people"
    )
    assert [f.code for f in receipt.findings] == ["unknown-kind"] and not receipt.applied


def test_a_province_from_an_empty_setup_workbook(tmp_path: Path) -> None:
    """No config yet: the blank workbook, filled by hand, makes a config with the defaults."""
    work = tmp_path / "w"
    assert eop("setup", "--workdir", str(work), cwd=tmp_path).returncode == 0
    rows = {
        (OFFICES.name, "B6"): "DLD",
        (OFFICES.name, "C6"): "กรม/ส่วนกลาง (department)",
        (OFFICES.name, "E6"): "กรมปศุสัตว์",
        (OFFICES.name, "B7"): "50",
        (OFFICES.name, "C7"): "จังหวัด",
        (OFFICES.name, "D7"): "DLD",
        (OFFICES.name, "E7"): "สำนักงานปศุสัตว์จังหวัดเชียงใหม่",
        (OFFICES.name, "F7"): "Chiang Mai PLO",
        (OFFICES.name, "B8"): "5001",
        (OFFICES.name, "C8"): "district",
        (OFFICES.name, "D8"): "50",
        (OFFICES.name, "E8"): "สำนักงานปศุสัตว์อำเภอเมืองเชียงใหม่",
        (SECTIONS.name, "B6"): "50-S2",
        (SECTIONS.name, "C6"): "50",
        (SECTIONS.name, "D6"): "กลุ่มยุทธศาสตร์",
        (PEOPLE.name, "B6"): "U5001",
        (PEOPLE.name, "C6"): "ผู้บันทึก",
        (PEOPLE.name, "D6"): "u5001@cm.example.go.th",
        (PEOPLE.name, "E6"): "5001",
        (PEOPLE.name, "F6"): "ผู้บันทึกระดับอำเภอ (district)",
        **{
            (ACTIVITIES.name, f"{c}6"): v
            for c, v in zip("BCEFHIKN", ("P1", "แผน", "O1", "ผลผลิต", "A1", "ฉีดวัคซีน", "ตัว", "50-S2"))
        },
        (PROVINCE_TARGETS.name, "B7"): "A1",
        (PROVINCE_TARGETS.name, "C7"): 100,
        (PROVINCE_TARGETS.name, "D7"): 5000,
    }
    edit(work / "setup.xlsx", rows)
    done = eop("setup", "--workdir", str(work), "--from", str(work / "setup.xlsx"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    config = load_config(work / "config.yaml")
    assert config.fiscal_year == 2558 and config.deployment_en == "Chiang Mai PLO"
    assert config.mail.transport == "file" and "smtp" in (work / "config.yaml").read_text()
    assert [r.quantity for r in config.targets[0].rows] == [100]
    assert (work / "var" / "share" / "5001" / "drop").is_dir()
    shutil.rmtree(work / "var")
    assert eop("--config", str(work / "config.yaml"), "init", cwd=tmp_path).returncode == 0


def test_a_people_workbook_dropped_in_the_setup_folder_is_applied_and_answered_by_mail(
    march, tmp_path: Path
) -> None:
    import os

    from conftest import process, sent_mail

    from jobs.setup_folder import setup_dir

    workbook = issue_setup(
        tmp_path / "people.xlsx",
        kind="people",
        config=march.config,
        fiscal_year=2558,
        now=march.now(),
    )
    row = row_of(workbook, PEOPLE, "B", "U7105")
    good = edit(workbook, {(PEOPLE.name, f"D{row}"): "new7105@kanchanaburi.example.go.th"})
    bad = edit(
        Path(shutil.copy(good, tmp_path / "bad.xlsx")), {(PEOPLE.name, f"D{row}"): "new7105"}
    )
    folder = setup_dir(march.root, "71")
    for path in (shutil.copy(bad, folder / "ผิด.xlsx"), shutil.copy(good, folder / "ผู้ใช้งาน.xlsx")):
        os.utime(path, (1_426_000_000, 1_426_000_000))  # quiet for long: ready to take
    report = process(march)
    assert [(name, count) for name, _, count in report.jobs if name == "setup-apply"] == [
        ("setup-apply", 1),
        ("setup-apply", 1),
    ]
    assert recipients(march.config, "7105", "monthly") == ["new7105@kanchanaburi.example.go.th"]
    assert load_config(march.config.source) == march.config
    assert [p.name.split("-", 2)[-1] for p in (folder / "done").iterdir()] == ["ผู้ใช้งาน.xlsx"]
    assert [p.name.split("-", 2)[-1] for p in (folder / "returned").iterdir()] == ["ผิด.xlsx"]
    mails = {m["Subject"]: m for m in sent_mail(march) if "ตั้งค่า" in m["Subject"]}
    assert len(mails) == 2, list(mails)
    (applied,) = [m for s, m in mails.items() if "Applied" in s]
    (refused,) = [m for s, m in mails.items() if "Not applied" in s]
    assert applied["To"] == "u71@kanchanaburi.example.go.th"
    text = applied.get_body(("plain",)).get_content()
    assert "แก้ไข / changed people" not in text  # the e-mail is the key: one left, one came
    assert "added people: ปศุสัตว์อำเภอท่ามะกา <new7105@kanchanaburi.example.go.th>" in text
    assert "removed people: ปศุสัตว์อำเภอท่ามะกา <u7105@kanchanaburi.example.go.th>" in text
    wrong = refused.get_body(("plain",)).get_content()
    assert f"เซลล์ D{row}" in wrong and '"new7105" is not an e-mail address' in wrong


def test_a_setup_file_goes_through_the_file_gate(deployment, tmp_path: Path) -> None:
    empty = tmp_path / "setup.xlsx"
    empty.write_bytes(b"")
    receipt = apply_file(deployment.config.source, empty, actor="t", clock=deployment.clock)
    assert [f.code for f in receipt.findings] == ["empty-file"] and not receipt.applied
    assert "setup.xlsx" in receipt.lines("t", deployment.now())[1]
