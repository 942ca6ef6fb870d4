"""Drop folders with real files: what is ready, what is ignored, what wakes the watcher."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from intake.folders import (
    TRUNCATED_AFTER_SECONDS,
    DropScanner,
    StabilityTracker,
    drop_dir,
    ensure_share,
    evidence_dir,
    is_ignored,
    returned_dir,
    waiting_files,
)
from intake.watch import DropWatcher, install_stop_signals, serve_loop

THA_MAKA = "7105"  # the Tha Maka district office
ANIMAL_HEALTH = "71-AH"  # a province section


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "var"
    ensure_share(root, [THA_MAKA, ANIMAL_HEALTH])
    return root


@pytest.fixture
def drop(root: Path) -> Path:
    return drop_dir(root, THA_MAKA)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "monthly.xlsx"
    path.parent.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in range(1, 200):
        sheet.append([row, f"กิจกรรม {row}", row * 1.5])
    book.save(path)
    return path


def names(items: list) -> list[str]:
    return [w.path.name for w in items]


# -- folders ----------------------------------------------------------------------------


def test_ensure_share_creates_the_three_folders(root: Path) -> None:
    for office in (THA_MAKA, ANIMAL_HEALTH):
        for folder in (
            drop_dir(root, office),
            returned_dir(root, office),
            evidence_dir(root, office),
        ):
            assert folder.is_dir()
    assert drop_dir(root, THA_MAKA) == root / "share" / THA_MAKA / "drop"
    ensure_share(root, [THA_MAKA])  # twice is fine


def test_a_copied_file_is_returned_once_stable(root: Path, drop: Path, workbook: Path) -> None:
    shutil.copy(workbook, drop / "monthly.xlsx")
    scanner = DropScanner(root, [THA_MAKA, ANIMAL_HEALTH], stable_seconds=1.0)
    assert scanner.waiting(now=100.0) == []
    assert scanner.pending == 1
    assert scanner.waiting(now=100.5) == []
    [item] = scanner.waiting(now=101.0)
    assert (item.office, item.path, item.size, item.kind, item.complete) == (
        THA_MAKA,
        drop / "monthly.xlsx",
        workbook.stat().st_size,
        "file",
        True,
    )


def test_a_hinted_look_reads_the_folders_named_and_those_where_files_settle(
    root: Path, drop: Path
) -> None:
    (drop / "a.xlsx").write_bytes(b"first")
    (drop_dir(root, ANIMAL_HEALTH) / "b.xlsx").write_bytes(b"second")
    scanner = DropScanner(root, [THA_MAKA, ANIMAL_HEALTH], stable_seconds=1.0)
    assert scanner.waiting(now=0.0, hinted={drop}) == []
    assert scanner.pending == 1  # a.xlsx settling; the section's folder not looked at
    # a.xlsx is looked at again though no event names its folder: a settling file raises none
    assert names(scanner.waiting(now=2.0, hinted=set())) == ["a.xlsx"]
    assert scanner.pending == 0
    assert names(scanner.waiting(now=3.0)) == ["a.xlsx"]
    assert scanner.pending == 1  # the full look found b.xlsx, settling


def test_stable_seconds_zero_returns_at_once(root: Path, drop: Path) -> None:
    (drop / "a.xlsx").write_bytes(b"not a zip at all")
    assert names(DropScanner(root, [THA_MAKA], stable_seconds=0).waiting()) == ["a.xlsx"]


def test_a_growing_file_waits_until_quiet(root: Path, drop: Path) -> None:
    target = drop / "slow.xlsx"

    def write_in_chunks() -> None:
        with target.open("wb") as out:
            for _ in range(15):  # ~1.5 s, never quiet for 0.5 s
                out.write(b"x" * 1000)
                out.flush()
                time.sleep(0.1)

    writer = threading.Thread(target=write_in_chunks)
    scanner = DropScanner(root, [THA_MAKA], stable_seconds=0.5)
    writer.start()
    while writer.is_alive():
        assert scanner.waiting() == []
        time.sleep(0.05)
    deadline = time.monotonic() + 3
    while not (ready := scanner.waiting()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(w.path.name, w.size) for w in ready] == [("slow.xlsx", 15000)]


def test_a_half_copied_xlsx_is_not_ready(root: Path, drop: Path, workbook: Path) -> None:
    data = workbook.read_bytes()
    target = drop / "monthly.xlsx"
    target.write_bytes(data[: len(data) // 2])
    scanner = DropScanner(root, [THA_MAKA], stable_seconds=0)
    assert scanner.waiting(now=0.0) == []
    assert scanner.pending == 1
    target.write_bytes(data)
    assert names(scanner.waiting(now=1.0)) == ["monthly.xlsx"]


def test_a_zip_that_never_completes_is_reported_truncated(
    root: Path, drop: Path, workbook: Path
) -> None:
    data = workbook.read_bytes()
    (drop / "cut.xlsx").write_bytes(data[: len(data) // 2])
    scanner = DropScanner(root, [THA_MAKA], stable_seconds=1)
    assert scanner.waiting(now=0.0) == []
    assert scanner.waiting(now=TRUNCATED_AFTER_SECONDS - 1) == []
    [item] = scanner.waiting(now=TRUNCATED_AFTER_SECONDS)
    assert (item.path.name, item.complete) == ("cut.xlsx", False)


@pytest.mark.parametrize(
    "name",
    [
        "~$book.xlsx",
        ".~lock.book.xlsx#",
        "x.tmp",
        "~WRL0001.tmp",
        "X.TMP",
        ".hidden",
        "book.xlsx~",
        "get.crdownload",
        "a.part",
        ".a.swp",
        "Thumbs.db",
    ],
)
def test_lock_temp_and_hidden_files_are_ignored(root: Path, drop: Path, name: str) -> None:
    (drop / name).write_bytes(b"lock")
    (drop / "real.xlsx").write_bytes(b"data")
    assert is_ignored(drop / name)
    assert not is_ignored(drop / "real.xlsx")
    assert names(DropScanner(root, [THA_MAKA], stable_seconds=0).waiting()) == ["real.xlsx"]


def test_a_fifo_is_ignored_never_opened(root: Path, drop: Path) -> None:
    os.mkfifo(drop / "pipe.xlsx")
    assert is_ignored(drop / "pipe.xlsx")
    assert DropScanner(root, [THA_MAKA], stable_seconds=0).waiting() == []


def test_symlinks_and_directories_are_reported_not_followed(
    root: Path, drop: Path, workbook: Path
) -> None:
    (drop / "link.xlsx").symlink_to(workbook)
    (drop / "folder").mkdir()
    (drop / "folder" / "inside.xlsx").write_bytes(b"data")
    ready = DropScanner(root, [THA_MAKA], stable_seconds=0).waiting()
    assert sorted((w.path.name, w.kind) for w in ready) == [
        ("folder", "directory"),
        ("link.xlsx", "symlink"),
    ]
    assert not is_ignored(drop / "link.xlsx") and not is_ignored(drop / "folder")


def test_odd_names_are_still_returned(root: Path, drop: Path) -> None:
    long_name = ("รายงานผลการปฏิบัติงานประจำเดือน" * 3)[:83] + ".xlsx"  # 88 characters
    assert len(long_name.encode()) == 254  # Thai is 3 bytes a character; the limit is 255
    odd = [long_name, "bell\x07line\nbreak.xlsx", "a..b.xlsx", "x..", " .xlsx"]
    for name in odd:
        (drop / name).write_bytes(b"data")
    assert sorted(names(DropScanner(root, [THA_MAKA], stable_seconds=0).waiting())) == sorted(odd)


def test_oldest_first_across_offices(root: Path, drop: Path) -> None:
    other = drop_dir(root, ANIMAL_HEALTH)
    for folder, name, mtime in [
        (drop, "b.xlsx", 300),
        (other, "c.xlsx", 100),
        (drop, "a.xlsx", 300),
    ]:
        (folder / name).write_bytes(b"data")
        os.utime(folder / name, (mtime, mtime))
    ready = DropScanner(root, [THA_MAKA, ANIMAL_HEALTH], stable_seconds=0).waiting()
    assert [(w.office, w.path.name) for w in ready] == [
        (ANIMAL_HEALTH, "c.xlsx"),
        (THA_MAKA, "a.xlsx"),
        (THA_MAKA, "b.xlsx"),
    ]


def test_a_file_dropped_again_waits_again(root: Path, drop: Path) -> None:
    tracker = StabilityTracker()
    (drop / "a.xlsx").write_bytes(b"data")
    assert waiting_files(root, [THA_MAKA], stable_seconds=1, now=0, tracker=tracker) == []
    assert names(waiting_files(root, [THA_MAKA], stable_seconds=1, now=1, tracker=tracker)) == [
        "a.xlsx"
    ]
    (drop / "a.xlsx").unlink()
    assert waiting_files(root, [THA_MAKA], stable_seconds=1, now=2, tracker=tracker) == []
    assert tracker.tracked() == 0
    (drop / "a.xlsx").write_bytes(b"data")
    assert waiting_files(root, [THA_MAKA], stable_seconds=1, now=3, tracker=tracker) == []


def test_a_missing_drop_folder_is_skipped(tmp_path: Path) -> None:
    assert DropScanner(tmp_path, ["nowhere"], stable_seconds=0).waiting() == []


# -- watcher -----------------------------------------------------------------------------


@pytest.fixture(params=["inotify", "polling"])
def watcher(request: pytest.FixtureRequest, root: Path) -> Iterator[DropWatcher]:
    dirs = [drop_dir(root, THA_MAKA), drop_dir(root, ANIMAL_HEALTH)]
    with DropWatcher(dirs, mode=request.param, poll_seconds=0.2) as watcher:
        yield watcher


def drained(watcher: DropWatcher) -> DropWatcher:
    while watcher.wait(0.5):
        pass
    return watcher


def test_watcher_times_out_when_nothing_happens(watcher: DropWatcher) -> None:
    started = time.monotonic()
    assert not watcher.wait(0.3)
    assert time.monotonic() - started >= 0.29


def test_watcher_wakes_on_a_copy(watcher: DropWatcher, drop: Path, workbook: Path) -> None:
    shutil.copy(workbook, drop / "monthly.xlsx")
    assert watcher.wait(3)


def test_watcher_wakes_on_a_rename_from_outside(
    watcher: DropWatcher, root: Path, workbook: Path
) -> None:
    os.rename(workbook, drop_dir(root, ANIMAL_HEALTH) / "monthly.xlsx")
    assert watcher.wait(3)


def test_watcher_wakes_on_temp_then_rename(watcher: DropWatcher, drop: Path) -> None:
    (drop / "~upload.tmp").write_bytes(b"data")
    drained(watcher)
    os.rename(drop / "~upload.tmp", drop / "monthly.xlsx")
    assert watcher.wait(3)


def test_watcher_names_the_folders_that_changed(
    watcher: DropWatcher, root: Path, workbook: Path
) -> None:
    drained(watcher).hinted()
    os.rename(workbook, drop_dir(root, ANIMAL_HEALTH) / "monthly.xlsx")
    assert watcher.wait(3)
    deadline = time.monotonic() + 3  # polling may report the entry a moment after waking
    while drop_dir(root, ANIMAL_HEALTH) not in (hinted := watcher.hinted()):
        assert time.monotonic() < deadline, hinted
        time.sleep(0.05)
    assert drop_dir(root, THA_MAKA) not in hinted
    assert drop_dir(root, THA_MAKA) not in watcher.hinted()  # each hint is handed out once


def test_a_folder_added_while_watching_wakes_the_watcher(
    watcher: DropWatcher, root: Path, tmp_path: Path, caplog
) -> None:
    ensure_share(root, ["7114"])
    added = drop_dir(root, "7114")
    watcher.watch([added, tmp_path / "nowhere"])  # the second cannot be watched: said, not raised
    drained(watcher).hinted()
    (added / "monthly.xlsx").write_bytes(b"data")
    assert watcher.wait(3)
    deadline = time.monotonic() + 3
    while added not in watcher.hinted():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "nowhere" in caplog.text


def test_watcher_ignores_our_own_reads(watcher: DropWatcher, drop: Path) -> None:
    (drop / "monthly.xlsx").write_bytes(b"data")
    drained(watcher)
    assert (drop / "monthly.xlsx").read_bytes() == b"data"
    assert not watcher.wait(0.6)


def test_unknown_mode_is_refused(drop: Path) -> None:
    with pytest.raises(ValueError, match="watch mode"):
        DropWatcher([drop], mode="fsevents", poll_seconds=1).__enter__()  # type: ignore[arg-type]


# -- serve loop ---------------------------------------------------------------------------


def test_serve_loop_runs_a_pass_on_a_change(drop: Path) -> None:
    calls: list[float] = []
    started = time.monotonic()

    def run_pass() -> int:
        calls.append(time.monotonic() - started)
        return 0

    dropper = threading.Timer(0.3, lambda: (drop / "monthly.xlsx").write_bytes(b"data"))
    with DropWatcher([drop], mode="inotify", poll_seconds=1) as watcher:
        dropper.start()
        serve_loop(
            run_pass,
            watcher,
            tick_seconds=30,
            should_stop=lambda: len(calls) >= 2 or time.monotonic() - started > 5,
        )
    assert len(calls) == 2 and calls[1] < 3  # woken by the file, not by the 30 s tick


def test_serve_loop_ticks_and_survives_a_failing_pass(drop: Path) -> None:
    calls: list[int] = []

    def run_pass() -> int:
        calls.append(1)
        raise RuntimeError("a bad pass")

    with DropWatcher([drop], mode="polling", poll_seconds=1) as watcher:
        serve_loop(run_pass, watcher, tick_seconds=0.1, should_stop=lambda: len(calls) >= 3)
    assert len(calls) == 3


def test_serve_loop_stops_promptly_while_waiting(drop: Path) -> None:
    stop = threading.Event()
    calls: list[int] = []
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    with DropWatcher([drop], mode="inotify", poll_seconds=1) as watcher:
        serve_loop(lambda: calls.append(1) or 0, watcher, tick_seconds=60, should_stop=stop.is_set)
    assert calls == [1] and time.monotonic() - started < 1.5


def test_sigterm_asks_the_loop_to_stop() -> None:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        should_stop = install_stop_signals()
        assert not should_stop()
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 2
        while not should_stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert should_stop()
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # a second one really stops
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
