"""Shared fixtures: a real deployment in a temporary folder (the demo's Kanchanaburi config),
a real ledger on disk, a frozen clock that tests move, real workbooks from our builders."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from eop.clock import BANGKOK, Clock
from eop.config import LEDGER_URL_ENV, load_config
from intake.folders import drop_dir, returned_dir
from jobs.deployment import Deployment, open_deployment
from jobs.issue import workbook_name
from ledger import records
from ledger.reference import targets_of
from service.process import PassReport, run_pass
from simulation.offices import fill_allocation, split_evenly

REPO = Path(__file__).resolve().parent.parent
DISTRICTS = [f"71{i:02d}" for i in range(1, 14)]
THA_MAKA = "7105"  # the district the tests speak for most


def at(year_ce: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year_ce, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def demo_config_path(tmp_path: Path) -> Path:
    """The demo deployment's config.yaml, copied so that its data root is inside tmp_path."""
    target = tmp_path / "config.yaml"
    shutil.copy(REPO / "eop" / "kanchanaburi.yaml", target)
    return target


# -- the ledger: SQLite, and PostgreSQL for the modules marked `ledgers` ----------------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator:
    """One PostgreSQL cluster for the session (tests/postgres.py), or the variant skipped."""
    import pg_cluster as postgres

    binaries = postgres.find_binaries()
    if binaries is None:
        pytest.skip(
            "PostgreSQL is not installed (Debian's postgresql package; `make test` installs it): "
            "the ledger's PostgreSQL variants were skipped"
        )
    server = postgres.start(binaries)
    yield server
    server.stop()


@pytest.fixture
def ledger_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """The ledger's URL for this test, as $EOP_LEDGER_URL (seen by every process the test
    starts too): None for the SQLite file under data_root, or a fresh PostgreSQL ledger."""
    if getattr(request, "param", "sqlite") == "sqlite":
        monkeypatch.delenv(LEDGER_URL_ENV, raising=False)
        yield None
        return
    server = request.getfixturevalue("postgres_server")
    name, url = server.ledger()
    monkeypatch.setenv(LEDGER_URL_ENV, url)
    yield url
    server.drop(name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of a module marked `ledgers` that use the ledger run on SQLite and on PostgreSQL.
    The PostgreSQL run is in the default suite for a representative few (the module marked
    `ledgers(default=True)`, or the test `postgresql_default`); the others' is a long variant
    (`slow`, run by `make test-slow`): each would double a slow module's time."""
    marker = metafunc.definition.get_closest_marker("ledgers")
    if marker is None or "ledger_url" not in metafunc.fixturenames:
        return
    by_default = marker.kwargs.get("default", False) or (
        metafunc.definition.get_closest_marker("postgresql_default") is not None
    )
    postgresql = pytest.param("postgresql", marks=[] if by_default else [pytest.mark.slow])
    metafunc.parametrize("ledger_url", ["sqlite", postgresql], indirect=True)


@pytest.fixture
def deployment(demo_config_path: Path, ledger_url: str | None) -> Deployment:
    """Kanchanaburi on 1 October 2557, targets in from config, nothing else yet."""
    return open_deployment(load_config(demo_config_path), Clock(at(2014, 10, 1, 9)))


def process(deployment: Deployment, when: datetime | None = None) -> PassReport:
    if when is not None:
        deployment.clock.set(when)
    return run_pass(deployment)


def drop(deployment: Deployment, office: str, source: Path, name: str | None = None) -> Path:
    """Put a file into an office's drop folder, as a person copying it there would."""
    target = drop_dir(deployment.root, office) / (name or source.name)
    shutil.copy(source, target)
    return target


def issued_path(deployment: Deployment, kind: str, office: str, period: str) -> Path:
    return returned_dir(deployment.root, office) / workbook_name(kind, office, period)


def even_shares(deployment: Deployment) -> dict:
    """Every province target split evenly over the province office and its 13 districts."""
    config = deployment.config
    offices = ["71", *DISTRICTS]
    whole = {a.code: a.whole for a in config.activities()}
    with deployment.ledger.atomic() as conn:
        province = targets_of(conn, config.fiscal_year, "province", "71")
    shares: dict = {"quantity": {}, "budget": {}}
    for (_, activity), (quantity, budget) in province.items():
        shares["quantity"][activity] = dict(
            zip(offices, split_evenly(quantity, len(offices), whole[activity]))
        )
        shares["budget"][activity] = dict(zip(offices, split_evenly(budget, len(offices), False)))
    return shares


def drop_allocation(deployment: Deployment, tmp_path: Path) -> Path:
    """The allocation workbook issued, filled evenly by the planner and dropped, not yet judged."""
    process(deployment)
    filled = fill_allocation(
        issued_path(deployment, "allocation", "71", "2558"),
        tmp_path / "EOP016-filled.xlsx",
        shares=even_shares(deployment),
    )
    return drop(deployment, "71", filled)


@pytest.fixture
def allocated(deployment: Deployment, tmp_path: Path) -> Deployment:
    """The allocation workbook issued, filled evenly by the planner and accepted."""
    drop_allocation(deployment, tmp_path)
    report = process(deployment, at(2014, 10, 2))
    assert [v.status for v in report.verdicts] == ["accepted"], report.verdicts
    return deployment


@pytest.fixture
def march(allocated: Deployment) -> Deployment:
    """25 March 2558, 10:00: March's workbooks issued to every office, nothing reported yet."""
    report = process(allocated, at(2015, 3, 25, 8))
    assert ("issue-monthly", "2558-03", 14) in report.jobs
    allocated.clock.set(at(2015, 3, 25, 10))
    return allocated


def findings_of(deployment: Deployment, file_id: int) -> list[dict]:
    with deployment.ledger.atomic() as conn:
        return records.findings_of(conn, file_id)


def codes(deployment: Deployment, report: PassReport) -> list[tuple[str | None, str]]:
    """(cell, code) of every finding of the pass's single file: the flat projection tests assert on."""
    (verdict,) = report.verdicts
    return [(f["cell"], f["code"]) for f in findings_of(deployment, verdict.file_id)]


def sent_mail(deployment: Deployment) -> list:
    """Every message the file transport delivered, parsed."""
    import email
    from email import policy

    folder = deployment.root / "outbox" / "sent"
    return (
        [
            email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]
        if folder.exists()
        else []
    )


def eop_year(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """`eop simulate-year` in a process of its own, as an operator runs it."""
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "eop"), "simulate-year", "--workdir", str(workdir), *args],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "COLUMNS": "160"},
    )


def fill_month(
    deployment: Deployment,
    office: str,
    period: str,
    out: Path,
    quantities: Mapping[str, object],
    spending: Mapping[str, object] | None = None,
    **kwargs,
) -> Path:
    from simulation.offices import fill_monthly

    return fill_monthly(
        issued_path(deployment, "monthly", office, period),
        out,
        quantities=quantities,
        spending=spending,
        **kwargs,
    )


# -- long variants: `@pytest.mark.slow`, run by `make test-slow` (pytest -m slow --run-slow) --
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the long variants marked slow (kill points, 1,000-file load)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="long variant: run with --run-slow (make test-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
