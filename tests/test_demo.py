"""`eop demo`: round 1/2558 of Kanchanaburi from October to March, then a living deployment."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from eop.config import load_config
from eop.periods import Period, months_between
from ledger import workflow
from ledger.views import period_status, received_files
from simulation.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")
    console = Console(record=True, width=160)
    deployment = run_demo(workdir, console)
    return workdir, deployment, console.export_text()


def test_every_office_reports_every_month_and_tha_maka_fixes_its_mistake(demo):
    _, deployment, _ = demo
    with deployment.ledger.atomic() as conn:
        files = received_files(conn)
        offices = [
            (o.code, o.name_th)
            for o in deployment.config.offices
            if o.level in ("province", "district")
        ]
        for period in months_between(Period(2557, 10), Period(2558, 3)):
            rows = period_status(conn, offices, "monthly", str(period))
            assert {row["state"] for row in rows} == {"locked"}, (
                period
            )  # every month of the round is past its lock
            assert all(row["confirmed_at"] for row in rows), (
                period
            )  # the province confirmed every office
            assert all(row["approved_at"] for row in rows if row["office"] != "71"), (
                period
            )  # the sections approved
    rejected = [(f["office"], f["period"]) for f in files if f["result"] == "rejected"]
    assert rejected == [("7105", "2557-12")]
    codes = {f["code"] for f in files if f["result"] == "rejected" for f in f["findings"]}
    assert {"not-a-number", "over-budget"} <= codes
    accepted = Counter(
        f["kind"]
        for f in files
        if f["result"] == "accepted" and f["kind"] in ("allocation", "monthly", "review", "confirm")
    )
    # each month 14 offices; March: Tha Maka's fix after its return; February: Sai Yok's correction
    assert accepted == {"allocation": 1, "monthly": 6 * 14 + 2, "review": 6 * 5 + 1, "confirm": 6}
    annotated = list((deployment.root / "share" / "7105" / "returned").glob("*ผลการตรวจ*.xlsx"))
    assert len(annotated) == 1


def test_the_workflow_a_late_district_a_return_and_a_correction(demo):
    _, deployment, _ = demo
    offices = [
        (o.code, o.name_th)
        for o in deployment.config.offices
        if o.level in ("province", "district")
    ]
    with deployment.ledger.atomic() as conn:
        march = {row["office"]: row for row in period_status(conn, offices, "monthly", "2558-03")}
        february = {
            row["office"]: row for row in period_status(conn, offices, "monthly", "2558-02")
        }
        corrections = workflow.list_corrections(conn)
        to_centre = workflow.corrections_to_centre(conn, 2558)
    assert [o for o, row in march.items() if row["late"]] == ["7113"]
    assert (
        march["7105"]["version"] == 2 and march["7105"]["returned"] == []
    )  # returned on the 28th, fixed on the 29th
    assert [(c["office"], c["period"], c["state"], c["to_centre"]) for c in corrections] == [
        ("7102", "2558-02", "used", False)
    ]
    assert (
        february["7102"]["version"] == 2
        and february["7102"]["corrections"][0]["memo_number"] == corrections[0]["memo_number"]
    )
    assert to_centre == 0  # KPI 2 level 5: no correction went to the centre
    sent = [
        p.read_text(errors="replace") for p in (deployment.root / "outbox" / "sent").glob("*.eml")
    ]
    assert sum("planning@dld" in text for text in sent) == 6  # the confirmed reports of each month


def test_the_demo_prints_what_happened_and_where_to_look(demo):
    workdir, _, printed = demo
    assert "2558-03" in printed and "ท่ามะกา" in printed
    assert str(workdir / "config.yaml") in printed


def test_the_demo_directory_stays_a_living_deployment(demo):
    workdir, _, _ = demo
    eop = Path(sys.executable).parent / "eop"
    run = subprocess.run(
        [eop, "--config", workdir / "config.yaml", "--now", "2015-04-25T10:00", "process"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "issue-monthly 2558-04: 14" in run.stdout
    assert (
        workdir / "var" / "share" / "7105" / "returned" / "EOP014-015_7105_2558-04.xlsx"
    ).exists()
    status = subprocess.run(
        [eop, "--config", workdir / "config.yaml", "status", "--period", "2558-04", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert {row["state"] for row in json.loads(status.stdout)["offices"]} == {"missing"}
    assert load_config(workdir / "config.yaml").root == workdir / "var"
