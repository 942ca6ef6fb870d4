"""`eop simulate-year`: the fiscal year played with a moving clock, its invariants checked.

The default run plays October alone (its mistakes, the late office, the return, the lock and
a correction under a memo), on SQLite: about a minute, most of it the province's PDF
reports; and a year of two months killed mid-November and resumed from its checkpoint, on
both ledgers. The whole year (twelve months, both KPI rounds' packets) and the other
PostgreSQL variants are long (`make test-slow`)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO, at, eop_year
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import select

from eop.clock import Clock
from eop.config import load_config
from eop.layout import PERFORMANCE
from eop.periods import Period
from jobs.deployment import Deployment, open_deployment
from ledger import workflow
from ledger.db import Ledger
from ledger.schema import files
from ledger.views import period_status
from simulation.checkpoint import mirror
from simulation.year import check, run_year
from simulation.year_check import accepted_workbooks, check_year

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL as a long variant
OCTOBER = Period(2557, 10)


def _reopen(workdir: Path) -> Deployment:
    return open_deployment(load_config(workdir / "config.yaml"), Clock(at(2014, 11, 20)))


def test_a_month_of_the_year_played_and_checked(tmp_path: Path, ledger_url: str | None) -> None:
    """October: every check holds, as printed; what the ledger shows afterwards; and the
    check can fail: a figure changed in an archived workbook breaks the totals."""
    done = eop_year(tmp_path / "year", "--months", "1")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for line in CHECKS:
        assert f"✓ {line}" in done.stdout, done.stdout[-3000:]
    assert "✗" not in done.stdout
    assert "wall time:" in done.stdout and "ledger size:" in done.stdout
    assert "a month's passes: 2557-10" in done.stdout
    deployment = _reopen(tmp_path / "year")
    offices = [
        (o.code, o.name_th)
        for o in deployment.config.offices
        if o.level in ("province", "district")
    ]
    with deployment.ledger.atomic() as conn:
        rows = period_status(conn, offices, "monthly", str(OCTOBER))
        corrections = workflow.list_corrections(conn)
    assert {row["state"] for row in rows} == {"locked"}
    assert all(row["confirmed_at"] for row in rows)
    assert len([row for row in rows if row["late"]]) == 1
    assert [(c["period"], c["memo_number"]) for c in corrections] == [("2557-10", "กจ 0008/0001")]
    _tamper(next(iter(accepted_workbooks(deployment, OCTOBER).values())))
    checks = {c.name.split(" / ")[0]: c for c in check_year(deployment, [OCTOBER])}
    assert not checks[TOTALS].ok and "2557-10" in checks[TOTALS].detail
    assert checks["no mail twice"].ok


CHECKS = (
    "every file recorded once",
    "every file answered once",
    "every job once per key",
    "province totals = the archive's workbooks",
    "no mail twice",
    "no job failed",
)
TOTALS = CHECKS[3]


def _tamper(archived: Path) -> None:
    book = load_workbook(archived)
    book[PERFORMANCE.name][PERFORMANCE.cell("quantity", PERFORMANCE.first_row)] = 999_999
    book.save(archived)


@pytest.mark.slow
def test_the_whole_fiscal_year(tmp_path: Path, ledger_url: str | None) -> None:
    year = run_year(tmp_path / "year", Console(file=io.StringIO()), months=12)
    periods = [Period.parse(m.period) for m in year.months]
    assert periods[0] == OCTOBER and periods[-1] == Period(2558, 9)
    checks = check(year)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert year.packets.keys() == {"1/2558", "2/2558"}
    assert all(m.rejected == 1 for m in year.months)  # each month's typo, fixed the next day
    assert len(year.corrections) == 5  # November, February, May, August, and September's


# -- stopped and resumed ---------------------------------------------------------------
NOVEMBER_TAKEN = "2557-11: หน่วยงานส่งรายงาน"  # the pass that took November's workbooks


@pytest.mark.postgresql_default
def test_a_year_killed_mid_month_goes_on_from_its_checkpoint(
    tmp_path: Path, ledger_url: str | None
) -> None:
    """Two months; the process killed (SIGKILL) once November's workbooks are taken. With
    --resume the ledger and the data root are put back as October's end left them and
    November is played again from its start: every check holds, and no office's report is
    taken twice (without the rollback, November's first reports would be there twice)."""
    workdir = tmp_path / "year"
    _killed_after(workdir, NOVEMBER_TAKEN, "--months", "2")
    assert _files_taken(workdir, ledger_url, "2557-11") > 0  # November's first try is recorded

    done = eop_year(workdir, "--resume")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "resumed from the checkpoint after 2557-10" in done.stdout
    for line in CHECKS:
        assert f"✓ {line}" in done.stdout, done.stdout[-3000:]
    assert "stopped and resumed 1×" in done.stdout
    assert "a month's passes: 2557-10" in done.stdout and "· 2557-11" in done.stdout
    with Ledger(ledger_url or workdir / "var" / "eop.sqlite3", migrations=False).reading() as conn:
        taken = Counter(conn.execute(select(files.c.office, files.c.name)).all())
    reports = {key: n for key, n in taken.items() if key[1].startswith("รายงาน-")}
    assert len(reports) > 28 and set(reports.values()) == {1}, reports  # each office's, once


def test_resume_without_a_checkpoint_or_on_another_ledger_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Said in Thai and English, nothing made: no checkpoint in the workdir; a checkpoint of
    another ledger than $EOP_LEDGER_URL names."""
    none = eop_year(tmp_path / "nothing", "--resume")
    assert none.returncode == 1
    assert "ไม่มีจุดพัก" in none.stderr and "no checkpoint in" in none.stderr
    assert not (tmp_path / "nothing" / "var").exists()

    workdir = tmp_path / "year"
    _killed_after(workdir, "= 2557-10", "--months", "2")  # October kept, then stopped
    monkeypatch.setenv("EOP_LEDGER_URL", f"sqlite:///{tmp_path / 'another.sqlite3'}")
    other = eop_year(workdir, "--resume")
    assert other.returncode == 1
    assert (
        "จุดพักนี้เป็นของฐานข้อมูล" in other.stderr and "this checkpoint is of the ledger" in other.stderr
    )
    assert not (tmp_path / "another.sqlite3").exists()


def test_mirror_copies_what_changed_and_removes_what_went(tmp_path: Path) -> None:
    """A checkpoint's files: new and changed files copied, removed ones removed (folders too),
    the SQLite ledger's files at the top left alone on both sides."""
    root, copy = tmp_path / "var", tmp_path / "copy"
    (root / "archive" / "ab").mkdir(parents=True)
    (root / "archive" / "ab" / "one.xlsx").write_bytes(b"one")
    (root / "outbox" / "queue").mkdir(parents=True)
    (root / "outbox" / "queue" / "m.eml").write_bytes(b"mail")
    (root / "eop.sqlite3").write_bytes(b"the live ledger")
    assert mirror(root, copy) == 2
    assert not (copy / "eop.sqlite3").exists()

    (root / "outbox" / "queue" / "m.eml").rename(root / "outbox" / "m.eml")
    (root / "outbox" / "queue").rmdir()
    (root / "archive" / "ab" / "one.xlsx").write_bytes(b"one, longer")
    (copy / "eop.sqlite3").write_bytes(b"the checkpoint's ledger")
    assert mirror(root, copy) == 2  # the moved mail and the changed workbook
    assert mirror(root, copy) == 0  # nothing changed since
    assert (copy / "archive" / "ab" / "one.xlsx").read_bytes() == b"one, longer"
    assert (copy / "outbox" / "m.eml").is_file() and not (copy / "outbox" / "queue").exists()
    assert (copy / "eop.sqlite3").read_bytes() == b"the checkpoint's ledger"


def _killed_after(workdir: Path, line: str, *args: str) -> None:
    """`eop simulate-year` killed with SIGKILL as soon as it prints `line`."""
    command = [str(REPO / ".venv" / "bin" / "eop"), "simulate-year", "--workdir", str(workdir)]
    year = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
        start_new_session=True,
    )
    assert year.stdout is not None
    try:
        printed = next((text for text in year.stdout if line in text), None)
    finally:
        os.killpg(year.pid, signal.SIGKILL)  # the process and its pool workers at once
        year.wait(timeout=60)
    assert printed, f"the year ended before printing {line!r}"


def _files_taken(workdir: Path, ledger_url: str | None, period: str) -> int:
    with Ledger(ledger_url or workdir / "var" / "eop.sqlite3", migrations=False).reading() as conn:
        return sum(period in name for name in conn.scalars(select(files.c.name)))
