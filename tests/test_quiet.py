"""Fixed costs out of the way (issue 11): `eop --help` and an idle `eop process` load only what
they need, and a pass that found nothing to do is not done again while nothing it read has
changed (service.quiet). Whatever changes (a file dropped, another command writing the
ledger, config touched, a new day) makes the next pass whole. Commands run as the installed
console script on the fixtures' deployment, with a frozen clock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import THA_MAKA, drop, fill_month

from jobs.deployment import Deployment
from ledger import records
from ledger.records import received_since
from service.quiet import note_path

EOP = Path(sys.executable).parent / "eop"
HEAVY = ("sqlalchemy", "pydantic", "pandas", "openpyxl", "rich", "jinja2")


def run(config: Path, *args: str, now: str) -> str:
    done = subprocess.run(
        [str(EOP), "--config", str(config), "--now", now, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def loaded(*args: str) -> set[str]:
    """The top-level packages `eop <args>` imports (python -X importtime, as the script runs)."""
    return loaded_and_said(*args)[0]


def loaded_and_said(*args: str) -> tuple[set[str], str]:
    """loaded, and what the command printed."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cli.main", *args],
        cwd="/",  # the installed package, not the source tree (-m puts the folder on the path)
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", done.stderr, re.M)
    assert names, done.stderr[-2000:]
    return {name.split(".")[0] for name in names}, done.stdout


def settled(deployment: Deployment) -> Path:
    deployment.ledger.close()  # the test's own connection: closed as a finished command's is
    assert deployment.config.source is not None
    return deployment.config.source


def test_help_loads_no_models_no_ledger():
    assert not loaded("--help") & set(HEAVY)


def test_an_idle_process_is_answered_from_the_last_pass_note(march):
    config = settled(march)
    first = run(config, "process", now="2015-03-25T10:30")  # whole: finds nothing, notes it
    assert first.splitlines()[-1] == "answered 0, mail sent 0"
    assert note_path(config).is_file()
    again = run(config, "process", now="2015-03-25T11:00")
    assert again == first
    assert not loaded("--config", str(config), "--now", "2015-03-25T11:00", "process") & set(HEAVY)


def test_whatever_changes_makes_the_next_pass_whole(march, tmp_path):
    config = settled(march)
    run(config, "process", now="2015-03-25T10:30")  # noted
    # another command writes the ledger: the workbook it queued goes out with the next pass
    run(config, "issue", "targets", "--office", "71", "--period", "2558", now="2015-03-25T10:35")
    out = run(config, "process", now="2015-03-25T10:40")
    assert out.splitlines()[-1] == "answered 0, mail sent 1"
    assert not note_path(config).exists()  # that pass did something: the next one is whole
    run(config, "process", now="2015-03-25T10:41")  # noted again
    # a file dropped
    drop(
        march,
        THA_MAKA,
        fill_month(march, THA_MAKA, "2558-03", tmp_path / "march.xlsx", {"A101": 120}),
    )
    settled(march)
    out = run(config, "process", now="2015-03-25T10:45")
    assert re.search(r"^7105 2558-03 monthly accepted in", out, re.M), out
    assert out.splitlines()[-1] == "answered 1, mail sent 1"
    run(config, "process", now="2015-03-25T10:46")  # noted again
    # config touched
    stamp = os.stat(config)
    os.utime(config, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
    at = ("--config", str(config), "--now", "2015-03-25T10:50", "process")
    assert {"sqlalchemy", "pydantic"} <= loaded(*at)  # whole again, and noted again
    assert not loaded(*at) & set(HEAVY)
    # a new day: the entry window's last day, whose reminder falls due at midnight
    out = run(config, "process", now="2015-03-27T09:00")
    assert "job remind-missing 2558-03" in out, out


def test_a_pass_over_clean_workbooks_loads_no_frames_and_a_failed_rule_is_named_as_before(
    march, tmp_path
):
    """A clean monthly workbook's rules are decided in plain Python (validators.monthly_rules):
    its pass loads neither pandas nor pandera nor openpyxl. A workbook breaking a rule loads
    pandera, whose schemas name the failure on its cell."""
    config = settled(march)
    frames = {"pandas", "pandera", "numpy", "openpyxl"}
    clean = fill_month(march, THA_MAKA, "2558-03", tmp_path / "clean.xlsx", {"A101": 12})
    drop(march, THA_MAKA, clean)
    names, said = loaded_and_said("--config", str(config), "--now", "2015-03-25T10:45", "process")
    assert re.search(r"^7105 2558-03 monthly accepted in", said, re.M), said
    assert not names & frames
    assert "yagmail" not in names  # the file transport: SMTP's client is loaded to connect
    negative = fill_month(march, THA_MAKA, "2558-03", tmp_path / "negative.xlsx", {"A101": -5})
    drop(march, THA_MAKA, negative)
    names, said = loaded_and_said("--config", str(config), "--now", "2015-03-25T10:50", "process")
    assert re.search(r"^7105 2558-03 monthly rejected in", said, re.M), said
    assert {"pandas", "pandera"} <= names
    with march.ledger.atomic() as conn:
        (last,) = received_since(conn, None)[-1:]
        findings = records.findings_of(conn, last.id)
    assert [(f["code"], f["cell"]) for f in findings] == [("negative", "G9")], findings
