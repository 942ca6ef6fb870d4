"""`eop serve` as a person runs it: a real process watching the drop folders (inotify, then
polling), a workbook dropped by copy or by rename, an answer within seconds, SIGTERM stops
it cleanly. DESIGN §10, §12."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import THA_MAKA, at, fill_month, sent_mail

from intake.folders import drop_dir
from jobs.deployment import Deployment

EOP = Path(sys.executable).parent / "eop"
NOW = "2015-03-25T10:00"
ANSWER_WITHIN = 20.0


def configure(deployment: Deployment, **watch: object) -> Path:
    """Change the `watch` section of the deployment's config file (the serve process reads it)."""
    path = deployment.config.source
    assert path is not None
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["watch"] = {**raw["watch"], **watch}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


class Served:
    """`eop serve` in the background; its output collected line by line as it comes."""

    def __init__(self, config: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [str(EOP), "--config", str(config), "--now", NOW, "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(config.parent),
            cwd=config.parent,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, into), daemon=True)
            for stream, into in ((self.process.stdout, self.out), (self.process.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.out) + "\n--- stderr ---\n" + "\n".join(self.err)

    def wait_for_line(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.out if text in line]
            if found:
                return found[0]
            assert self.process.poll() is None, f"serve ended early:\n{self.output()}"
            time.sleep(0.05)
        raise AssertionError(f"serve never printed {text!r} in {timeout}s:\n{self.output()}")

    def stop(self, timeout: float = 15) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def serve():
    started: list[Served] = []

    def start(config: Path, *args: str) -> Served:
        served = Served(config, *args)
        started.append(served)
        return served

    yield start
    for served in started:  # a failed test never leaves a service behind
        served.kill()


def received(config: Path) -> list[dict]:
    done = subprocess.run(
        [str(EOP), "--config", str(config), "--now", NOW, "received", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env(config.parent),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def receipts_to_tha_maka(deployment: Deployment) -> list:
    return [m for m in sent_mail(deployment) if "u7105@" in m["To"] and "รับข้อมูล" in m["Subject"]]


def wait_until_answered(
    deployment: Deployment, config: Path, name: str, served: Served, timeout: float = ANSWER_WITHIN
) -> dict:
    """Poll `eop received --json` until the file is accepted and its receipt has gone out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert served.process.poll() is None, f"serve ended early:\n{served.output()}"
        mine = [row for row in received(config) if row["file"] == name]
        if mine and mine[0]["result"] != "pending" and receipts_to_tha_maka(deployment):
            return mine[0]
        time.sleep(0.2)
    raise AssertionError(f"{name} not answered within {timeout}s:\n{served.output()}")


def assert_stops_cleanly(served: Served) -> None:
    code = served.stop()
    assert code == 0, served.output()
    assert any("stopped" in line for line in served.out), served.output()
    assert "Traceback" not in served.output()


@pytest.fixture
def filled(march: Deployment, tmp_path: Path) -> Path:
    return fill_month(
        march,
        THA_MAKA,
        "2558-03",
        tmp_path / "work" / "EOP014-015_7105_2558-03.xlsx",
        {"A101": 120, "A204": "2.5"},
        {"A101": 1500},
    )


def test_serve_answers_a_copied_workbook_and_stops_on_sigterm(march, filled, serve):
    config = configure(march, mode="inotify", stable_seconds=0.2)
    served = serve(config, "--tick", "1")
    served.wait_for_line("watching", timeout=20)
    assert receipts_to_tha_maka(march) == []

    shutil.copy(filled, drop_dir(march.root, THA_MAKA) / "march.xlsx")
    row = wait_until_answered(march, config, "march.xlsx", served)

    assert (row["office"], row["kind"], row["period"], row["result"]) == (
        THA_MAKA,
        "monthly",
        "2558-03",
        "accepted",
    )
    assert len(receipts_to_tha_maka(march)) == 1
    served.wait_for_line("7105 2558-03 monthly accepted in", timeout=5)
    assert not any(drop_dir(march.root, THA_MAKA).iterdir())  # the drop folder is emptied
    assert_stops_cleanly(served)


def test_serve_polling_sees_a_renamed_workbook(march, filled, serve, tmp_path):
    config = configure(march, mode="polling", poll_seconds=0.2, stable_seconds=0.2)
    served = serve(config, "--tick", "1")
    assert "polling" in served.wait_for_line("watching", timeout=20)

    staged = (
        drop_dir(march.root, THA_MAKA).parent / "staging.xlsx"
    )  # same filesystem: rename is atomic
    shutil.copy(filled, staged)
    os.rename(staged, drop_dir(march.root, THA_MAKA) / "renamed.xlsx")
    row = wait_until_answered(march, config, "renamed.xlsx", served)

    assert (row["office"], row["result"]) == (THA_MAKA, "accepted")
    assert len(receipts_to_tha_maka(march)) == 1
    assert_stops_cleanly(served)


def test_a_file_settling_after_the_last_event_is_taken_without_waiting_for_the_tick(
    march, filled, serve
):
    """No event fires when a copied file goes quiet: serve must look again once it may be
    stable, not at the next calendar tick (here a minute away)."""
    config = configure(march, mode="inotify", stable_seconds=0.5)
    served = serve(config, "--tick", "60")
    served.wait_for_line("watching", timeout=20)
    time.sleep(0.3)  # the first pass has run; the loop now sleeps for the tick

    started = time.monotonic()
    shutil.copy(filled, drop_dir(march.root, THA_MAKA) / "march.xlsx")
    row = wait_until_answered(march, config, "march.xlsx", served, timeout=15)
    assert row["result"] == "accepted"
    assert time.monotonic() - started < 15

    stopping = time.monotonic()
    assert_stops_cleanly(served)
    assert time.monotonic() - stopping < 5  # SIGTERM does not wait for the tick either


def test_a_duplicate_dropped_while_serving_is_answered_as_such(march, filled, serve):
    config = configure(march, mode="inotify", stable_seconds=0.2)
    served = serve(config, "--tick", "1")
    served.wait_for_line("watching", timeout=20)
    shutil.copy(filled, drop_dir(march.root, THA_MAKA) / "first.xlsx")
    wait_until_answered(march, config, "first.xlsx", served)
    shutil.copy(filled, drop_dir(march.root, THA_MAKA) / "again.xlsx")
    deadline = time.monotonic() + ANSWER_WITHIN
    while time.monotonic() < deadline:
        again = [row for row in received(config) if row["file"] == "again.xlsx"]
        if again and again[0]["result"] != "pending":
            break
        time.sleep(0.2)
    assert again and again[0]["result"] == "duplicate", served.output()
    assert_stops_cleanly(served)


def test_the_calendar_is_read_once_a_tick_and_a_files_jobs_at_every_pass(allocated):
    """Between ticks a pass judges the files and runs what they make due, not the calendar's
    time-keyed jobs (every province's folders read); the first pass after a tick does."""
    from service.process import paced_passes, scanner_for

    allocated.clock.set(at(2015, 3, 24, 10))
    hourly = paced_passes(allocated, scanner_for(allocated, stable_seconds=0), 3600)
    hourly()  # the calendar read: whatever was due by the 24th
    allocated.clock.set(at(2015, 3, 25, 8))  # March's entry window opens
    assert ("issue-monthly", "2558-03", 14) not in hourly().jobs
    every_pass = paced_passes(allocated, scanner_for(allocated, stable_seconds=0), 0)
    assert ("issue-monthly", "2558-03", 14) in every_pass().jobs


def test_between_ticks_a_pass_looks_in_the_folders_hinted_and_the_tick_in_every_one(march, filled):
    """A watcher names the folders its events came from; a file whose event was lost (a
    network share) waits for the tick's look at every folder, never longer."""
    from intake.folders import drop_dir
    from service.process import paced_passes, scanner_for

    hints: set = set()
    passes = paced_passes(march, scanner_for(march, stable_seconds=0), 3600, hints.copy)
    passes()  # the tick's pass
    shutil.copy(filled, drop_dir(march.root, THA_MAKA) / "monthly.xlsx")
    assert passes().verdicts == []  # no event named Tha Maka's folder
    hints.add(drop_dir(march.root, THA_MAKA))
    [verdict] = passes().verdicts
    assert (verdict.office, verdict.status) == (THA_MAKA, "accepted")


def test_an_office_added_by_a_setup_workbook_is_served_without_a_restart(
    march, filled, serve, tmp_path
):
    """The setup workbook adding a district is applied by the service's first pass; the new
    office's drop folder is made and watched at once, and looked in as soon as it is watched:
    a file dropped there the moment it appears is answered long before the next calendar
    tick (a minute away)."""
    from openpyxl import load_workbook

    from eop.setup_layout import OFFICES, PEOPLE
    from jobs.setup import issue_setup
    from jobs.setup_folder import setup_dir

    path = issue_setup(
        tmp_path / "setup.xlsx",
        kind="setup",
        config=march.config,
        fiscal_year=2558,
        now=march.now(),
    )
    book = load_workbook(path)
    append_like(book[OFFICES.name], "B", "7113", {"B": "7114", "E": "อำเภอทดลอง", "F": "Trial"})
    append_like(
        book[PEOPLE.name], "E", "7113", {"B": "U7114", "D": "u7114@example.go.th", "E": "7114"}
    )
    book.save(path)
    placed = shutil.copy(path, setup_dir(march.root, "71") / "ตั้งค่า.xlsx")
    os.utime(placed, (1_426_000_000, 1_426_000_000))  # quiet for long: ready to take
    config = configure(march, mode="inotify", stable_seconds=0.2)
    served = serve(config, "--tick", "60")
    served.wait_for_line("watching", timeout=20)
    new_drop = drop_dir(march.root, "7114")
    deadline = time.monotonic() + ANSWER_WITHIN
    while not new_drop.is_dir():  # the first pass applies the workbook
        assert time.monotonic() < deadline, served.output()
        time.sleep(0.1)
    # dropped at once, while the pass that made the folder may still run (not yet watched)
    started = time.monotonic()
    shutil.copy(filled, new_drop / "ลองส่ง.xlsx")
    while (
        not (mine := [r for r in received(config) if r["file"] == "ลองส่ง.xlsx"])
        or mine[0]["result"] == "pending"
    ):
        assert time.monotonic() - started < 30, served.output()
        time.sleep(0.2)
    assert mine[0]["office"] == "7114"
    assert not any(new_drop.iterdir())
    assert_stops_cleanly(served)


def append_like(sheet, column: str, value: str, changes: dict[str, str]) -> None:
    """A row copied below the last filled one from the row whose `column` holds `value`, changed."""
    rows = range(5, sheet.max_row + 1)
    model = next(r for r in rows if str(sheet[f"{column}{r}"].value) == value)
    last = max(r for r in rows if sheet[f"C{r}"].value)
    for cell in sheet[model]:
        sheet.cell(last + 1, cell.column, cell.value)
    for letter, text in changes.items():
        sheet[f"{letter}{last + 1}"].value = text
