"""config.yaml: the demo deployment loads, and a wrong value is answered with its key, the
value seen and what is allowed — by load_config (ConfigError) and by the CLI (exit 2, no
traceback). DESIGN §2, §3, §10; STYLE example 11."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import DISTRICTS, REPO

from eop.config import LEDGER_URL_ENV, ConfigError, Role, load_config

THAI = re.compile(r"[\u0E00-\u0E7F]")
EOP = Path(sys.executable).parent / "eop"


def demo_raw() -> dict:
    return yaml.safe_load((REPO / "eop" / "kanchanaburi.yaml").read_text(encoding="utf-8"))


def write_config(folder: Path, raw: object, name: str = "config.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- the demo deployment -----------------------------------------------------------
def test_the_demo_config_loads(demo_config_path):
    config = load_config(demo_config_path)
    assert config.fiscal_year == 2558
    codes = [o.code for o in config.offices]
    assert len(codes) == 15 and len(set(codes)) == 15
    assert config.office("DLD").level == "department"
    assert config.office("71").level == "province" and config.office("71").parent == "DLD"
    assert [o.code for o in config.provinces()] == ["71"]


def test_the_demo_has_the_13_districts_of_kanchanaburi_with_thai_names(demo_config_path):
    config = load_config(demo_config_path)
    districts = [o for o in config.offices if o.level == "district"]
    assert [o.code for o in districts] == DISTRICTS == [f"{7100 + i}" for i in range(1, 14)]
    assert all(o.parent == "71" for o in districts)
    assert all(o.name_th.startswith("สำนักงานปศุสัตว์อำเภอ") for o in districts)
    assert all(o.name_en for o in districts)
    assert config.office("7105").name_th == "สำนักงานปศุสัตว์อำเภอท่ามะกา"
    assert [o.code for o in config.children("71")] == DISTRICTS


def test_the_demo_has_sections_and_every_role(demo_config_path):
    config = load_config(demo_config_path)
    assert len(config.sections) >= 5
    assert all(s.office == "71" and THAI.search(s.name_th) for s in config.sections)
    assert {p.role for p in config.people} == set(Role)
    assert {r.value for r in Role} == {
        "district",
        "province_recorder",
        "province_planner",
        "section_reviewer",
        "coordinator",
        "centre",
    }
    # every district has its own account; every section a reviewer
    assert {p.office for p in config.people if p.role is Role.DISTRICT} == set(DISTRICTS)
    assert {p.section for p in config.people if p.role is Role.SECTION_REVIEWER} == {
        s.code for s in config.sections
    }
    assert config.people_of("7105", Role.DISTRICT)[0].email.startswith("u7105@")


def test_the_demo_activity_catalogue(demo_config_path):
    config = load_config(demo_config_path)
    activities = list(config.activities())
    assert 15 <= len(activities) <= 25
    assert len({a.code for a in activities}) == len(activities)
    sections = {s.code for s in config.sections}
    assert all(a.section in sections for a in activities)
    assert all(isinstance(a.whole, bool) and THAI.search(a.name_th) and a.unit for a in activities)
    assert {a.whole for a in activities} == {
        True,
        False,
    }  # countable units and others (rai, tonnes)


def test_the_demo_targets_say_they_are_made_up(demo_config_path):
    config = load_config(demo_config_path)
    (targets,) = config.targets
    assert targets.fiscal_year == 2558 and targets.office == "71"
    assert "made up" in targets.note.lower()
    assert {r.activity for r in targets.rows} == {a.code for a in config.activities()}
    assert all(r.quantity > 0 and r.budget > 0 for r in targets.rows)
    assert "MADE UP" in demo_config_path.read_text(encoding="utf-8")


def test_the_demo_calendar_is_the_seeds(demo_config_path):
    calendar = load_config(demo_config_path).calendar
    assert (calendar.cutoff_day, calendar.entry, calendar.review, calendar.strategy) == (
        20,
        (25, 27),
        (28, 30),
        (1, 3),
    )
    assert calendar.late_policy == "accept-flagged"


# -- wrong values ------------------------------------------------------------------
def _set(*keys_then_value: object) -> Callable[[dict], None]:
    *keys, last, value = keys_then_value

    def change(raw: dict) -> None:
        node = raw
        for key in keys:
            node = node[key]
        node[last] = value

    return change


def _rename(old: str, new: str) -> Callable[[dict], None]:
    def change(raw: dict) -> None:
        raw[new] = raw.pop(old)

    return change


WRONG = {
    "bad role": (_set("people", 0, "role", "boss"), "people.0.role", "'boss'"),
    "late policy": (_set("calendar", "late_policy", "maybe"), "calendar.late_policy", "'maybe'"),
    "entry reversed": (_set("calendar", "entry", [27, 25]), "calendar.entry", "[27, 25]"),
    "person's office": (_set("people", 0, "office", "7199"), "people.0.office", "'7199'"),
    "typo in a key": (_rename("calendar", "calender"), "calender", "calendar"),
    "typo in a nested key": (_set("mail", "transprt", "smtp"), "mail.transprt", "transport"),
    "watch mode": (_set("watch", "mode", "inotfy"), "watch.mode", "'inotfy'"),
    "cut-off day": (_set("calendar", "cutoff_day", 31), "calendar.cutoff_day", "31"),
    "whole flag": (
        _set("plans", 0, "outputs", 0, "activities", 0, "whole", "perhaps"),
        "plans.0.outputs.0.activities.0.whole",
        "'perhaps'",
    ),
}


@pytest.mark.parametrize("case", WRONG, ids=list(WRONG))
def test_a_wrong_value_names_the_key_and_the_value(tmp_path, case):
    change, key, value = WRONG[case]
    raw = demo_raw()
    change(raw)
    path = write_config(tmp_path, raw)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert key in message, message
    assert value in message, message
    assert str(path) in message
    assert THAI.search(message)


def test_the_allowed_values_are_listed(tmp_path):
    raw = demo_raw()
    raw["calendar"]["late_policy"] = "maybe"
    with pytest.raises(ConfigError, match="accept-flagged.*reject"):
        load_config(write_config(tmp_path, raw))


def test_every_problem_is_reported_at_once(tmp_path):
    raw = demo_raw()
    raw["calendar"]["late_policy"] = "maybe"
    raw["watch"]["mode"] = "sometimes"
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, raw))
    assert "calendar.late_policy" in str(caught.value) and "watch.mode" in str(caught.value)


def test_a_file_that_is_not_a_mapping(tmp_path):
    path = write_config(tmp_path, ["offices", "people"])
    with pytest.raises(ConfigError, match="mapping") as caught:
        load_config(path)
    assert str(path) in str(caught.value) and THAI.search(str(caught.value))


def test_invalid_yaml(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("offices: [\n  {code: 71\nfiscal_year: : 2558\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML") as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_an_empty_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(path)


def test_a_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "config.yaml"
    with pytest.raises(ConfigError, match="not found") as caught:
        load_config(path)
    assert str(path) in str(caught.value) and THAI.search(str(caught.value))


# -- the CLI answers a bad config with exit code 2 and no traceback ----------------
def run_eop(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EOP), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8", "COLUMNS": "80", **env},
    )


@pytest.mark.parametrize(
    "case", ["late policy", "person's office", "typo in a key", "entry reversed"]
)
def test_the_cli_exits_2_naming_the_key(tmp_path, case):
    change, key, value = WRONG[case]
    raw = demo_raw()
    change(raw)
    path = write_config(tmp_path, raw)
    done = run_eop("--config", str(path), "status", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert key in done.stderr and value in done.stderr, done.stderr
    assert str(path) in done.stderr  # never folded across lines
    assert "Traceback" not in output
    assert not (tmp_path / "var").exists()  # nothing created from a config that was refused


@pytest.mark.parametrize("content", ["- just\n- a list\n", "offices: [\n", ""])
def test_the_cli_exits_2_on_an_unreadable_config(tmp_path, content):
    path = tmp_path / "config.yaml"
    path.write_text(content, encoding="utf-8")
    done = run_eop("--config", str(path), "status", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert str(path) in done.stderr


def test_the_cli_exits_2_on_a_missing_config(tmp_path):
    done = run_eop("status", cwd=tmp_path)  # ./config.yaml by default
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert "config.yaml" in done.stderr and "not found" in done.stderr


# -- paths -------------------------------------------------------------------------
def test_a_relative_data_root_is_relative_to_the_config_file(tmp_path, monkeypatch):
    raw = demo_raw()
    raw["data_root"] = "data/eop"
    (tmp_path / "etc").mkdir()
    path = write_config(tmp_path / "etc", raw)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(path).root == (tmp_path / "etc" / "data" / "eop").resolve()
    assert (
        load_config(Path("..") / "etc" / "config.yaml").root
        == (tmp_path / "etc" / "data" / "eop").resolve()
    )


def test_an_absolute_data_root_is_kept(tmp_path):
    raw = demo_raw()
    raw["data_root"] = str(tmp_path / "srv" / "eop")
    assert load_config(write_config(tmp_path, raw)).root == tmp_path / "srv" / "eop"


def test_the_demo_fixture_keeps_its_data_inside_tmp_path(demo_config_path, tmp_path):
    assert load_config(demo_config_path).root == (tmp_path / "var").resolve()


# -- the ledger's URL ----------------------------------------------------------------
def test_the_ledger_is_the_sqlite_file_under_data_root_unless_told(tmp_path, monkeypatch):
    monkeypatch.delenv(LEDGER_URL_ENV, raising=False)
    raw = demo_raw()
    config = load_config(write_config(tmp_path, raw))
    assert config.ledger_location == f"sqlite:///{tmp_path / 'var' / 'eop.sqlite3'}"
    raw["ledger_url"] = "postgresql+psycopg://eop@db.example.go.th/eop"
    config = load_config(write_config(tmp_path, raw))
    assert config.ledger_location == raw["ledger_url"]
    monkeypatch.setenv(LEDGER_URL_ENV, f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert config.ledger_location == f"sqlite:///{tmp_path / 'other.sqlite3'}"  # env wins


def test_a_ledger_url_of_another_engine_names_the_key(tmp_path):
    raw = demo_raw()
    raw["ledger_url"] = "mysql://eop@db/eop"
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, raw))
    assert "ledger_url" in str(caught.value) and "mysql://eop@db/eop" in str(caught.value)


def test_the_cli_exits_2_on_a_wrong_eop_ledger_url(tmp_path):
    path = write_config(tmp_path, demo_raw())
    done = run_eop("--config", str(path), "status", cwd=tmp_path, EOP_LEDGER_URL="mysql://db/eop")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "EOP_LEDGER_URL" in done.stderr and "mysql://db/eop" in done.stderr
    assert THAI.search(done.stderr) and "postgresql+psycopg://" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "var").exists()


def test_a_postgresql_ledger_out_of_reach_is_said_without_its_password(tmp_path):
    path = write_config(tmp_path, demo_raw())
    url = f"postgresql+psycopg://eop:s3cret@/eop?host={tmp_path / 'no-server'}"
    done = run_eop("--config", str(path), "status", cwd=tmp_path, EOP_LEDGER_URL=url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the ledger postgresql+psycopg://eop:***@/eop" in done.stderr
    assert "cannot be written" in done.stderr and THAI.search(done.stderr)
    assert "s3cret" not in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_backup_of_a_postgresql_ledger_points_to_pg_dump(tmp_path):
    path = write_config(tmp_path, demo_raw())
    url = f"postgresql+psycopg://eop@/eop?host={tmp_path / 'no-server'}"
    done = run_eop(
        "--config", str(path), "backup", str(tmp_path / "b"), cwd=tmp_path, EOP_LEDGER_URL=url
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pg_dump" in done.stderr and THAI.search(done.stderr)
    assert "Traceback" not in done.stderr and not (tmp_path / "b").exists()
