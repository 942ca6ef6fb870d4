"""`eop`, the command line (DESIGN §10, README "Commands"): help everywhere, the stable JSON
shapes, exit codes, one line per file. Commands run as the installed console script, on
the fixtures' deployment (same config file, same ledger) with a frozen clock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from conftest import DISTRICTS, THA_MAKA, drop, fill_month, process
from rich.cells import cell_len
from typer.testing import CliRunner

from cli.main import app
from jobs.deployment import Deployment

EOP = Path(sys.executable).parent / "eop"
THAI = re.compile(r"[\u0E00-\u0E7F]")
OFFICES = ["71", *DISTRICTS]
STATUS_KEYS = {
    "office",
    "name",
    "kind",
    "state",
    "version",
    "late",
    "rejected_attempts",
    "received_at",
    "sections",
    "approved_at",
    "returned",
    "confirmed_at",
    "corrections",
}
RECEIVED_KEYS = {"file", "office", "sha256", "received_at", "result", "kind", "period", "findings"}
FINDING_KEYS = {
    *("severity", "code", "sheet", "cell", "field", "value", "activity"),
    *("message_th", "message_en"),
}


def run(
    config: Path | None,
    *args: str,
    now: str | None = None,
    cwd: Path | None = None,
    columns: int = 100,
) -> subprocess.CompletedProcess:
    command = [str(EOP)]
    if config is not None:
        command += ["--config", str(config)]
    if now is not None:
        command += ["--now", now]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd or Path.cwd()),
            "LANG": "C.UTF-8",
            "COLUMNS": str(columns),
        },
    )


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def config_of(deployment: Deployment) -> Path:
    assert deployment.config.source is not None
    return deployment.config.source


# -- help ----------------------------------------------------------------------------
def commands(command, path: tuple[str, ...] = ()):
    """Every command of the tree (typer's click, vendored or not: groups have `commands`)."""
    yield path, command
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, (*path, name))


ROOT = typer.main.get_command(app)
ALL = list(commands(ROOT))


def test_the_documented_commands_exist():
    names = {" ".join(path) for path, _ in ALL}
    assert names >= {
        "init",
        "demo",
        "process",
        "serve",
        "status",
        "received",
        "issue",
        "targets-import",
        "mail",
        "mail list",
        "mail send",
        "mail retry",
    }


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "eop" for p, _ in ALL])
def test_every_command_has_help(path, command):
    assert (command.help or "").strip(), f"eop {' '.join(path)} has no help text"
    if not hasattr(command, "commands"):
        example = re.search(r"Example:\s*(eop\b[^\n]*)", command.help)
        assert example, f"eop {' '.join(path)}: the help shows no runnable example"
        assert " ".join(path) in example[1]
    for param in command.params:
        if param.name != "help":
            assert (getattr(param, "help", None) or "").strip(), (
                f"eop {' '.join(path)}: {param.name} has no help"
            )
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_console_script_answers_help():
    out = ok(run(None, "--help"))
    for name in ("init", "process", "serve", "status", "received", "mail"):
        assert name in out


# -- status --json ----------------------------------------------------------------------
@pytest.fixture
def reported(march: Deployment, tmp_path: Path) -> Deployment:
    """Tha Maka sent March (confirmed), Tha Muang saved a draft, Mueang's file was rejected."""
    drop(
        march,
        THA_MAKA,
        fill_month(
            march,
            THA_MAKA,
            "2558-03",
            tmp_path / "a" / "EOP-7105.xlsx",
            {"A101": 120},
            {"A101": 1500},
        ),
    )
    drop(
        march,
        "7106",
        fill_month(
            march, "7106", "2558-03", tmp_path / "b" / "EOP-7106.xlsx", {"A101": 80}, confirm="ร่าง"
        ),
    )
    drop(
        march,
        "7101",
        fill_month(march, "7101", "2558-03", tmp_path / "c" / "EOP-7101.xlsx", {"A101": "many"}),
    )
    report = process(march)
    assert sorted((v.office, v.status) for v in report.verdicts) == [
        ("7101", "rejected"),
        (THA_MAKA, "accepted"),
        ("7106", "accepted"),
    ]
    return march


def test_status_json_has_the_documented_shape(reported):
    out = ok(
        run(config_of(reported), "status", "--period", "2558-03", "--json", now="2015-03-25T10:05")
    )
    status = json.loads(out)
    assert set(status) == {"period", "offices"}
    assert status["period"] == "2558-03"
    assert [row["office"] for row in status["offices"]] == OFFICES
    for row in status["offices"]:
        assert set(row) == STATUS_KEYS, row
        assert isinstance(row["name"], str) and THAI.search(row["name"])
        assert row["kind"] == "monthly"
        assert row["state"] in {
            "missing",
            "recorded",
            "submitted",
            "approved",
            "returned",
            "confirmed",
            "locked",
        }
        assert (
            type(row["version"]) is int
            and type(row["late"]) is bool
            and type(row["rejected_attempts"]) is int
        )
        assert row["received_at"] is None or isinstance(row["received_at"], str)
    by_office = {row["office"]: row for row in status["offices"]}
    assert by_office[THA_MAKA] == {
        "office": THA_MAKA,
        "name": "สำนักงานปศุสัตว์อำเภอท่ามะกา",
        "kind": "monthly",
        "state": "submitted",
        "version": 1,
        "late": False,
        "rejected_attempts": 0,
        "received_at": "2015-03-25T10:00:00+07:00",
        "sections": {
            "71-S1": "pending",
            "71-S2": "pending",
            "71-S3": "pending",
            "71-S4": "pending",
            "71-S5": "pending",
        },
        "approved_at": None,
        "returned": [],
        "confirmed_at": None,
        "corrections": [],
    }
    assert (by_office["7106"]["state"], by_office["7106"]["version"]) == ("recorded", 1)
    assert {
        k: by_office["7101"][k] for k in ("state", "version", "rejected_attempts", "received_at")
    } == {"state": "missing", "version": 0, "rejected_attempts": 1, "received_at": None}
    missing = [o for o in OFFICES if o not in (THA_MAKA, "7106", "7101")]
    assert all(by_office[o]["state"] == "missing" and by_office[o]["version"] == 0 for o in missing)


def test_status_accepts_a_ce_period_and_defaults_to_the_clocks_month(reported):
    be = json.loads(
        ok(
            run(
                config_of(reported),
                "status",
                "--period",
                "2558-03",
                "--json",
                now="2015-03-25T10:05",
            )
        )
    )
    ce = json.loads(
        ok(
            run(
                config_of(reported),
                "status",
                "--period",
                "2015-03",
                "--json",
                now="2015-03-25T10:05",
            )
        )
    )
    default = json.loads(ok(run(config_of(reported), "status", "--json", now="2558-03-26T09:00")))
    assert be == ce == default


def test_status_as_a_table(reported):
    out = ok(run(config_of(reported), "status", "--period", "2558-03", now="2015-03-25T10:05"))
    assert "2558-03" in out and "7105" in out and "submitted" in out and "missing" in out


def test_tables_fit_80_columns_in_thai_and_english_with_be_moments(reported):
    """At 80 columns every district was cut to "สำนักงานปศุสัตว์อำเภอ…" and moments were CE ISO."""
    config = config_of(reported)
    status = ok(run(config, "status", "--period", "2558-03", now="2015-03-25T10:05", columns=80))
    assert "…" not in status
    assert all(cell_len(line) <= 80 for line in status.splitlines())
    for code in DISTRICTS:
        name = reported.config.office(code).name_th.removeprefix("สำนักงานปศุสัตว์อำเภอ")
        assert f"อ.{name}" in status, name
    for th, en in (("หน่วยงาน", "name"), ("สถานะ", "state"), ("ได้รับเมื่อ", "received")):
        assert th in status and en in status
    assert "25 มี.ค. 2558 10:00" in status and "2015-" not in status
    received = ok(run(config, "received", now="2015-03-25T10:05", columns=80))
    assert "…" not in received and "2015-" not in received
    assert "25 มี.ค. 2558" in received and "ไฟล์" in received and "file" in received


def test_report_help_names_every_report(reported):
    from jobs.reports import REPORTS

    shown = ok(run(None, "report", "--help", columns=200))
    assert all(code in shown for code in REPORTS), shown


def test_pdf_libraries_font_notes_stay_off_the_terminal():
    """WeasyPrint warns on every PDF where HarfBuzz-Subset is missing; a user cannot act on it."""
    import logging

    result = CliRunner().invoke(app, ["--config", "missing.yaml", "status"])
    assert result.exit_code != 0  # no config: but the callback ran and set up logging
    assert logging.getLogger("weasyprint").getEffectiveLevel() >= logging.ERROR


# -- received --json -----------------------------------------------------------------------
def test_received_json_has_the_documented_shape(reported):
    files = json.loads(ok(run(config_of(reported), "received", "--json", now="2015-03-25T10:05")))
    assert (
        isinstance(files, list) and len(files) == 4
    )  # the allocation in October, then March's three
    for row in files:
        assert set(row) == RECEIVED_KEYS, row
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha256"])
        assert row["result"] in {"accepted", "rejected", "duplicate", "pending"}
        assert row["received_at"].endswith("+07:00")
        for finding in row["findings"]:
            assert set(finding) == FINDING_KEYS, finding
            assert finding["severity"] in {"error", "warning"}
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", finding["code"])
            assert THAI.search(finding["message_th"]) and finding["message_en"]
    allocation = files[0]
    assert (
        allocation["office"],
        allocation["kind"],
        allocation["period"],
        allocation["result"],
    ) == ("71", "allocation", "2558", "accepted")
    assert allocation["received_at"] == "2014-10-02T10:00:00+07:00"
    by_office = {row["office"]: row for row in files[1:]}
    assert by_office[THA_MAKA]["file"] == "EOP-7105.xlsx"
    assert (
        by_office[THA_MAKA]["kind"],
        by_office[THA_MAKA]["period"],
        by_office[THA_MAKA]["result"],
    ) == ("monthly", "2558-03", "accepted")
    rejected = by_office["7101"]
    assert rejected["result"] == "rejected"
    assert any(
        f["severity"] == "error" and f["value"] == "many" and f["cell"].startswith("G")
        for f in rejected["findings"]
    )


def test_received_since_filters(reported):
    config = config_of(reported)
    since_march = json.loads(
        ok(run(config, "received", "--json", "--since", "2015-03-01", now="2015-03-25T10:05"))
    )
    assert sorted(row["office"] for row in since_march) == ["7101", THA_MAKA, "7106"]
    be = json.loads(
        ok(run(config, "received", "--json", "--since", "2558-03-25T10:00", now="2015-03-25T10:05"))
    )
    assert be == since_march  # a BE year is accepted; the bound is inclusive
    assert (
        json.loads(
            ok(
                run(
                    config,
                    "received",
                    "--json",
                    "--since",
                    "2015-03-25T10:01",
                    now="2015-03-25T10:05",
                )
            )
        )
        == []
    )


def test_received_since_a_bad_date_exits_2(reported):
    done = run(config_of(reported), "received", "--since", "yesterday", now="2015-03-25T10:05")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "yesterday" in done.stderr


# -- exit codes --------------------------------------------------------------------------
def test_a_bad_now_exits_2_in_thai_and_english(demo_config_path):
    done = run(demo_config_path, "status", now="notadate")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "notadate" in done.stderr and THAI.search(done.stderr) and "ISO" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("period", ["2558-13", "March"])
def test_a_bad_period_exits_2(demo_config_path, period):
    done = run(demo_config_path, "status", "--period", period, now="2015-03-25T10:00")
    assert done.returncode == 2, done.stdout + done.stderr
    assert THAI.search(done.stderr) and ("month" in done.stderr or "period" in done.stderr)
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unknown_command_or_option_exits_2(demo_config_path):
    assert run(demo_config_path, "frobnicate").returncode == 2
    assert run(demo_config_path, "status", "--colour").returncode == 2


def test_an_unknown_workbook_kind_exits_2(demo_config_path):
    done = run(demo_config_path, "issue", "review", "--office", "7105", now="2015-03-25T10:00")
    assert done.returncode == 2 and "monthly" in done.stderr and "Traceback" not in done.stderr


# -- init ------------------------------------------------------------------------------------
def test_init_creates_the_share_folders_and_the_ledger(demo_config_path, tmp_path):
    out = ok(run(demo_config_path, "init", now="2014-10-01T09:00"))
    root = tmp_path / "var"
    assert str(root) in out
    offices = {p.name for p in (root / "share").iterdir()}
    assert offices == {
        "71",
        *DISTRICTS,
        "71-S1",
        "71-S2",
        "71-S3",
        "71-S4",
        "71-S5",
    }  # 14 offices + 5 sections
    for office in offices:
        assert {p.name for p in (root / "share" / office).iterdir()} == {
            "drop",
            "returned",
            "evidence",
        }
    assert (root / "eop.sqlite3").is_file()
    for folder in ("archive", "outbox", "reports", "evidence"):
        assert (root / folder).is_dir()
    ok(run(demo_config_path, "init", now="2014-10-01T09:00"))  # again: nothing breaks


# -- process ---------------------------------------------------------------------------------
def test_process_prints_one_line_per_file(march, tmp_path):
    drop(
        march,
        THA_MAKA,
        fill_month(march, THA_MAKA, "2558-03", tmp_path / "a" / "march.xlsx", {"A101": 120}),
    )
    long_name = "EOP014-015_7106_2558-03 [final version, checked by the head of office].xlsx"
    drop(
        march,
        "7106",
        fill_month(march, "7106", "2558-03", tmp_path / "b" / "x.xlsx", {"A101": "lots"}),
        name=long_name,
    )
    out = ok(run(config_of(march), "process", now="2015-03-25T10:30"))
    lines = out.splitlines()
    files = [line for line in lines if re.match(r"^71\d\d ", line)]
    assert len(files) == 2, out
    assert re.fullmatch(
        r"7105 2558-03 monthly accepted in \d+\.\d\ds  \(march\.xlsx\)", files[0]
    ) or re.fullmatch(r"7105 2558-03 monthly accepted in \d+\.\d\ds  \(march\.xlsx\)", files[1]), (
        out
    )
    (rejected,) = [line for line in files if line.startswith("7106")]
    assert re.fullmatch(
        rf"7106 2558-03 monthly rejected in \d+\.\d\ds: \d+ findings  \({re.escape(long_name)}\)",
        rejected,
    ), rejected
    assert lines[-1].startswith("answered 2")


def test_process_with_nothing_to_do(march):
    out = ok(run(config_of(march), "process", now="2015-03-25T10:30"))
    assert not [line for line in out.splitlines() if re.match(r"^71\d\d ", line)]
    assert "answered 0" in out


# -- mail ----------------------------------------------------------------------------------------
def test_mail_list_shows_queued_and_sent_mail(march):
    config = config_of(march)
    ok(
        run(
            config, "issue", "targets", "--office", "71", "--period", "2558", now="2015-03-25T10:30"
        )
    )  # queued, not sent
    everything = ok(run(config, "mail", "list", now="2015-03-25T10:30"))
    assert "queued" in everything and "sent" in everything
    queued = ok(run(config, "mail", "list", "--state", "queued", now="2015-03-25T10:30"))
    assert "u71@" in queued and "workbook_issued" in queued
    assert " sent " not in queued and "│ sent" not in queued
    sent = ok(run(config, "mail", "list", "--state", "sent", now="2015-03-25T10:30"))
    assert "sent" in sent and "queued" not in sent
    assert "u7105@" in sent  # March's workbook went to Tha Maka
    ok(run(config, "mail", "send", now="2015-03-25T10:31"))
    after = ok(run(config, "mail", "list", "--state", "queued", now="2015-03-25T10:31"))
    assert "u71@" not in after


def test_a_job_that_fails_inside_a_pass_is_said_with_exit_1_and_how_to_run_it_again(
    deployment: Deployment, tmp_path: Path
):
    """The target memo cannot be written (a folder stands where its PDF goes): the pass still
    judges and answers the allocation, then says which job failed, in Thai and English, with
    the command that runs it again, and exits 1 so that a cron job is seen to fail."""
    from conftest import drop_allocation

    from intake.folders import returned_dir

    drop_allocation(deployment, tmp_path)
    memo = returned_dir(deployment.root, "71") / "หนังสือแจ้งเป้าหมาย_71_2558-v1-ร่าง.pdf"
    memo.mkdir(parents=True)
    config = deployment.config.source
    done = run(config, "process", now="2014-10-02T10:00")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "71 2558 allocation accepted" in done.stdout
    assert "answered 1, mail sent" in done.stdout
    failed = " ".join(done.stderr.split())
    assert "งาน target-letter (71|2558|v1) ไม่สำเร็จ" in failed
    assert "job target-letter (71|2558|v1) failed" in failed
    assert "eop jobs run target-letter --key '71|2558|v1' --again" in failed
    assert not [p for p in memo.parent.iterdir() if p.name.endswith(".part")]  # nothing half-made
    health = run(config, "health", now="2014-10-02T10:30")  # what cron mails the admin
    assert health.returncode == 1
    told = " ".join(health.stderr.split())
    assert "job target-letter (71|2558|v1) failed at" in told and "Is a directory" in told
    memo.rmdir()  # the cause fixed: the command it named drafts the memo
    again = run(
        config,
        "jobs",
        "run",
        "target-letter",
        "--key",
        "71|2558|v1",
        "--again",
        now="2014-10-02T11:00",
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert memo.is_file()
    healed = run(config, "health", now="2014-10-02T11:30")
    assert "target-letter" not in healed.stderr  # only the missing service is left to say
    assert "eop serve is not running" in healed.stderr
