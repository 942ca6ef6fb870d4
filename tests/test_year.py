"""`eop simulate-year`: the fiscal year played with a moving clock, its invariants checked.

The default run plays October alone (its mistakes, the late office, the return, the lock and
a correction under a memo), on SQLite: about a minute, most of it the province's PDF
reports. The whole year (twelve months, both KPI rounds' packets) and the PostgreSQL
variants are long (`make test-slow`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import at, eop_year
from openpyxl import load_workbook
from rich.console import Console

from eop.clock import Clock
from eop.config import load_config
from eop.layout import PERFORMANCE
from eop.periods import Period
from jobs.deployment import Deployment, open_deployment
from ledger import workflow
from ledger.views import period_status
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
