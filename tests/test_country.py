"""The country on one ledger (issue 12): provinces shaped like Kanchanaburi, each with its own
sections of five kinds, one activity catalogue naming the kinds. A district's figures are
reviewed by its own province's section of the activity's kind, and a configuration that
leaves a province without one is answered with the office and the kind.

The default run plays October for two provinces (Buri Ram, 23 districts, and Kanchanaburi);
the whole year of two provinces is a long variant, and the whole country's (77 provinces,
878 districts) is `eop simulate-year --country 0`, whose figures the README quotes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import at, eop_year
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import select

from eop.clock import Clock
from eop.config import ConfigError, load_config
from eop.layout import REVIEW_DECISIONS
from eop.periods import Period
from intake.folders import returned_dir
from jobs.confirm import send_package
from jobs.deployment import Deployment, open_deployment
from jobs.issue import workbook_name
from ledger.schema import events
from ledger.views import period_status
from simulation.country import country_config, write_country_config
from simulation.year import check, run_year

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL as a long variant
OCTOBER = "2557-10"
BURI_RAM = "31"


def _write(folder: Path, raw: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_country_config_has_every_province_and_its_sections(tmp_path: Path) -> None:
    config = load_config(write_country_config(tmp_path))
    provinces = config.provinces()
    assert len(provinces) == 77
    assert sum(o.level == "district" for o in config.offices) == 878
    assert len(config.sections) == 77 * 5
    assert {a.section for a in config.activities()} <= {"S1", "S2", "S3", "S4", "S5"}
    assert config.office("7105").name_th == "สำนักงานปศุสัตว์อำเภอท่ามะกา"  # the demo's own


def test_a_province_without_a_section_of_a_kind_is_named(tmp_path: Path) -> None:
    raw = country_config(2)
    raw["sections"] = [s for s in raw["sections"] if s["code"] != f"{BURI_RAM}-S3"]
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path / "missing", raw))
    message = str(caught.value)
    assert "ค่าตั้งค่าไม่ถูกต้อง" in message and "invalid configuration" in message
    assert f"office '{BURI_RAM}' has 0 sections of kind 'S3'" in message
    raw = country_config(2)
    raw["plans"][0]["outputs"][0]["activities"][0]["section"] = "S9"
    with pytest.raises(ConfigError, match="'S9' is not a section or a section's kind"):
        load_config(_write(tmp_path / "unknown", raw))
    raw = country_config(2)  # the demo's catalogue, naming Kanchanaburi's animal health group
    raw["plans"][0]["outputs"][0]["activities"][0]["section"] = "71-S3"
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path / "one-province", raw))
    assert (
        f"sections.71-S3: reviews the districts of '71' alone: those of '{BURI_RAM}' would have"
        " no section to approve its activities"
    ) in str(caught.value)


def test_october_of_two_provinces_each_reviewed_by_its_own_sections(
    tmp_path: Path, ledger_url: str | None
) -> None:
    done = eop_year(tmp_path / "year", "--months", "1", "--country", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "✗" not in done.stdout and "✓ every province's packet built" in done.stdout
    deployment = open_deployment(
        load_config(tmp_path / "year" / "config.yaml"), Clock(at(2014, 11, 20))
    )
    rows = _status(deployment)
    assert {row["state"] for row in rows.values()} == {"locked"}
    assert len([row for row in rows.values() if row["late"]]) == 2  # one a province
    for office, row in rows.items():
        province = office[:2]
        assert row["sections"], office
        assert all(section.startswith(f"{province}-S") for section in row["sections"]), row
    returned = _returns(deployment)
    assert sorted(section for section, _ in returned) == [f"{BURI_RAM}-S3", "71-S3"]
    assert all(office[:2] == section[:2] for section, office in returned)
    assert _reviewed_in(deployment, f"{BURI_RAM}-S3") == {
        o.code for o in deployment.config.children(BURI_RAM) if o.level == "district"
    }


def _status(deployment: Deployment) -> dict[str, dict]:
    offices = [(o.code, o.name_th) for o in deployment.config.offices if o.level == "district"]
    with deployment.ledger.atomic() as conn:
        return {row["office"]: row for row in period_status(conn, offices, "monthly", OCTOBER)}


def _returns(deployment: Deployment) -> list[tuple[str, str]]:
    """(section, district) of every return the ledger recorded."""
    with deployment.ledger.reading() as conn:
        found = conn.execute(
            select(events.c.detail, events.c.office).where(events.c.event == "section-returned")
        ).all()
    return [(json.loads(detail)["section"], office) for detail, office in found]


def _reviewed_in(deployment: Deployment, section: str) -> set[str]:
    """The districts listed in the section's review workbook as issued."""
    book = load_workbook(
        returned_dir(deployment.root, section) / workbook_name("review", section, OCTOBER),
        read_only=True,
    )
    sheet = book[REVIEW_DECISIONS.name]
    codes = {
        str(row[1]) for row in sheet.iter_rows(min_row=REVIEW_DECISIONS.first_row, values_only=True)
    }
    book.close()
    return {code for code in codes if code.isdigit()}


def test_the_packages_drawn_side_by_side_and_one_failing_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 1st of November: both provinces' packages drawn in two worker processes. Buri
    Ram's report folder cannot be made (a file stands there): that is said, naming it, and its
    mail goes without reports; Kanchanaburi's goes with its five reports in both formats."""
    monkeypatch.setenv("EOP_WORKERS", "2")
    config = load_config(write_country_config(tmp_path, 2))
    deployment = open_deployment(config, Clock(at(2014, 11, 1, 9)))
    blocked = deployment.root / "reports" / OCTOBER / BURI_RAM
    blocked.parent.mkdir(parents=True)
    blocked.write_text("a file where the province's reports go", encoding="utf-8")
    assert send_package(deployment, OCTOBER) == 2
    assert [line.split(":")[0] for line in deployment.failures] == [
        f"package-reports {BURI_RAM} {OCTOBER}"
    ]
    with deployment.ledger.reading() as conn:
        sent = conn.execute(
            select(events.c.office, events.c.detail).where(events.c.event == "package-sent")
        ).all()
    reports = {office: json.loads(detail)["reports"] for office, detail in sent}
    assert reports[BURI_RAM] == []
    assert sorted(reports["71"]) == sorted(
        f"RPT{n}.{fmt}" for n in (111, 112, 113, 211, 212) for fmt in ("xlsx", "pdf")
    )


@pytest.mark.slow
def test_the_year_of_two_provinces(tmp_path: Path, ledger_url: str | None) -> None:
    year = run_year(tmp_path / "year", Console(file=io.StringIO()), months=12, country=2)
    checks = check(year)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert year.packets.keys() == {"1/2558", "2/2558"}
    assert all(m.rejected == 2 for m in year.months)  # each province's typo, fixed next day
    assert Period.parse(year.months[-1].period) == Period(2558, 9)
