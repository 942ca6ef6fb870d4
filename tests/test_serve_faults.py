"""The running service under passing faults (DESIGN §9, §12): the SMTP server down for a
while, the archive or the ledger read-only or full mid-run, a file copied slowly over a
share or through a rename, SIGTERM in the middle of a batch. Each time: the service says what
is wrong, keeps the dropped files where they are, and finishes once the fault ends —
every file recorded once, answered once, every message delivered once.

Read-only uses `chattr +i` (immutable stops root too); full uses a small tmpfs. Both need
root (CAP_LINUX_IMMUTABLE, CAP_SYS_ADMIN): without it those tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_service import (
    OFFICES,
    Service,
    Template,
    all_answered_and_sent,
    assert_nothing_lost,
    batch_files,
    build_march,
    deploy,
    drop_batch,
    ledgered,
    query,
    set_config,
    wait_until,
)
from smtp_server import Recorder, free_port, smtp_server

from intake.folders import drop_dir

TICK = ("--tick", "1")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    base = tmp_path_factory.mktemp("march-template")
    build_march(base)
    return Template(base, batch_files(base))


@pytest.fixture
def served() -> Iterator[list[Service]]:
    """Services started by a test; whatever happens, none is left running."""
    started: list[Service] = []
    yield started
    for service in started:
        service.kill_group()


def start(served: list[Service], config: Path, *args: str, **kwargs) -> Service:
    service = Service(config, *args, **kwargs)
    served.append(service)
    service.wait_for_line("watching", timeout=60)
    return service


def drop_some(template: Template, root: Path, count: int, start_at: int = 0) -> set[str]:
    """The first workbook of `count` offices, dropped the way a person copies them."""
    names = set()
    for office, name, source in template.files[start_at : start_at + count]:
        shutil.copy(source, drop_dir(root, office) / name)
        names.add(name)
    return names


def drops_of(root: Path) -> list[Path]:
    return [drop_dir(root, office) for office in OFFICES]


def waiting_in_drop(root: Path) -> set[str]:
    return {p.name for folder in drops_of(root) for p in folder.iterdir()}


def finish(service: Service, root: Path, names: set[str], timeout: float = 120) -> None:
    wait_until(
        lambda: all_answered_and_sent(root, names) and not waiting_in_drop(root),
        timeout,
        "every file answered and its mail sent",
        service,
    )
    assert service.stop() == 0, service.output()
    assert "Traceback" not in service.output(), service.output()


def assert_delivered_once(server: Recorder, root: Path, names: set[str]) -> None:
    seen = assert_nothing_lost(root, names, drops_of(root))
    received = Counter(server.message_ids())
    assert {a[2] for a in seen.answers} <= set(received)
    assert max(received.values()) == 1, received.most_common(3)


# -- SMTP -------------------------------------------------------------------------------
def test_smtp_down_for_a_while_mail_waits_then_goes_once(template, tmp_path, served):
    port = free_port()
    config = deploy(template, tmp_path, port)
    root = tmp_path / "var"
    service = start(served, config, *TICK)

    with smtp_server(port) as server:  # up: the first files are answered at once
        first = drop_some(template, root, 3)
        wait_until(lambda: all_answered_and_sent(root, first), 60, "first answers sent", service)
    assert len(server.accepted) == 3

    later = drop_some(template, root, 6, start_at=3)  # the server is down now

    def tried_twice() -> bool:
        attempts = [a for (a,) in query(root, "SELECT attempts FROM outbox WHERE state = 'queued'")]
        return len(ledgered(root, later).answers) == 6 and len(attempts) == 6 and min(attempts) >= 2

    wait_until(tried_twice, 60, "answers queued, tried at least twice", service)
    queued = query(root, "SELECT spool_path, last_error FROM outbox WHERE state = 'queued'")
    assert len(queued) == 6
    assert all((root / spool).is_file() and "SMTP" in error for spool, error in queued)

    with smtp_server(port, Recorder()) as again:
        again.reply = "451 4.3.0 greylisted, try again later"  # up but refusing for a moment
        wait_until(lambda: again.tries >= 3, 30, "the server was tried while refusing", service)
        assert again.accepted == []
        again.reply = "250 OK"
        finish(service, root, first | later)
    seen = assert_nothing_lost(root, first | later, drops_of(root))
    received = Counter(server.message_ids() + again.message_ids())
    assert sorted(received) == sorted(a[2] for a in seen.answers)  # every answer, nothing else
    assert set(received.values()) == {1}  # each once


# -- disks -----------------------------------------------------------------------------
def chattr(flag: str, *paths: Path) -> None:
    subprocess.run(["chattr", flag, *map(str, paths)], check=True, capture_output=True)


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths made immutable by the test, always made writable again."""
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"eop-chattr-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        chattr("+i", probe)
        chattr("-i", probe)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("chattr +i is not available here (needs root on ext4/xfs/btrfs)")
    finally:
        probe.rmdir()
    frozen: list[Path] = []
    yield frozen
    for path in frozen:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


@pytest.fixture
def tmpfs() -> Iterator[list[Path]]:
    """Mount points of small tmpfs disks made by the test, always unmounted."""
    mounted: list[Path] = []
    yield mounted
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def mount_small_disk(mounted: list[Path], folder: Path, size: str) -> None:
    """`folder` moved onto a tmpfs of `size` (its content kept)."""
    aside = folder.with_name(folder.name + ".aside")
    folder.rename(aside)
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        folder.rmdir()
        aside.rename(folder)
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    mounted.append(folder)
    shutil.copytree(aside, folder, dirs_exist_ok=True)
    shutil.rmtree(aside)


def fill_disk(folder: Path) -> Path:
    ballast = folder / "ballast"
    # unbuffered: a write the disk cannot take raises at once, and closing has nothing
    # left to flush (a buffered file raises ENOSPC again from close)
    with open(ballast, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return ballast


def test_archive_read_only_mid_run_then_writable(template, tmp_path, served, immutable):
    port = free_port()
    config = deploy(template, tmp_path, port)
    root = tmp_path / "var"
    with smtp_server(port) as server:
        service = start(served, config, *TICK)
        first = drop_some(template, root, 2)
        wait_until(lambda: all_answered_and_sent(root, first), 60, "first answers", service)

        chattr("+i", root / "archive")
        immutable.append(root / "archive")
        later = drop_some(template, root, 4, start_at=2)
        line = service.wait_for_stderr("cannot be written", timeout=30)
        assert "the archive" in line and "เขียนที่เก็บไฟล์" in line and "drop" in line, line
        time.sleep(2)  # several passes while the fault lasts
        assert waiting_in_drop(root) == later  # nothing taken, nothing lost
        assert len(ledgered(root, later).files) == 0
        assert not list((root / "archive").glob(".incoming-*"))

        chattr("-i", root / "archive")
        finish(service, root, first | later)
        assert_delivered_once(server, root, first | later)


def test_archive_full_mid_run_then_freed(template, tmp_path, served, tmpfs):
    port = free_port()
    config = deploy(template, tmp_path, port)
    root = tmp_path / "var"
    mount_small_disk(tmpfs, root / "archive", "2m")
    with smtp_server(port) as server:
        service = start(served, config, *TICK)
        first = drop_some(template, root, 2)
        wait_until(lambda: all_answered_and_sent(root, first), 60, "first answers", service)

        ballast = fill_disk(root / "archive")
        later = drop_some(template, root, 4, start_at=2)
        line = service.wait_for_stderr("cannot be written", timeout=30)
        assert "No space left on device" in line and "the archive" in line, line
        time.sleep(2)
        assert waiting_in_drop(root) == later
        assert len(ledgered(root, later).files) == 0
        assert not list((root / "archive").glob(".incoming-*"))  # no half copy left behind

        ballast.unlink()
        finish(service, root, first | later)
        assert_delivered_once(server, root, first | later)


def test_ledger_read_only_mid_run_then_writable(template, tmp_path, served, immutable):
    port = free_port()
    config = deploy(template, tmp_path, port)
    root = tmp_path / "var"
    with smtp_server(port) as server:
        service = start(served, config, *TICK)
        first = drop_some(template, root, 2)
        wait_until(lambda: all_answered_and_sent(root, first), 60, "first answers", service)

        ledger_files = [root / "eop.sqlite3", root / "eop.sqlite3-wal"]
        chattr("+i", *ledger_files)
        immutable.extend(ledger_files)
        later = drop_some(template, root, 4, start_at=2)
        line = service.wait_for_stderr("cannot be written", timeout=30)
        assert "the ledger" in line and "บันทึกลงฐานข้อมูล" in line, line
        time.sleep(2)
        assert waiting_in_drop(root) == later

        chattr("-i", *ledger_files)
        finish(service, root, first | later)
        assert_delivered_once(server, root, first | later)


def test_ledger_disk_full_mid_run_then_freed(template, tmp_path, served, tmpfs):
    """The ledger (and the outbox beside it) on a small disk that fills up; the shares and
    the archive elsewhere, as on a server with a data disk of its own."""
    port = free_port()
    config = deploy(template, tmp_path, port)
    root = tmp_path / "var"
    for elsewhere in ("share", "archive"):  # kept off the small disk
        (root / elsewhere).rename(tmp_path / elsewhere)
    mount_small_disk(tmpfs, root, "16m")
    for elsewhere in ("share", "archive"):
        (root / elsewhere).symlink_to(tmp_path / elsewhere)
    with smtp_server(port) as server:
        service = start(served, config, *TICK)
        first = drop_some(template, root, 2)
        wait_until(lambda: all_answered_and_sent(root, first), 60, "first answers", service)

        with sqlite3.connect(
            root / "eop.sqlite3"
        ) as conn:  # the log must grow to take anything new
            assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        ballast = fill_disk(root)
        later = drop_some(template, root, 4, start_at=2)
        line = service.wait_for_stderr("full", timeout=30)
        assert "the ledger" in line and "database or disk is full" in line, line
        time.sleep(2)
        assert waiting_in_drop(root) == later
        assert len(ledgered(root, later).files) == 0

        ballast.unlink()
        finish(service, root, first | later)
        assert_delivered_once(server, root, first | later)


# -- copies that take their time ----------------------------------------------------------
def slow_copy(
    source: Path,
    target: Path,
    pieces: int = 8,
    pause: float = 0.4,
    stall_after: int = 4,
    stall: float = 2.0,
) -> None:
    """A copy over a slow share: pieces with pauses, and one stall longer than the quiet time."""
    data = source.read_bytes()
    size = -(-len(data) // pieces)
    with open(target, "wb") as handle:
        for n in range(pieces):
            handle.write(data[n * size : (n + 1) * size])
            handle.flush()
            os.fsync(handle.fileno())
            time.sleep(stall if n == stall_after else pause)


@pytest.mark.parametrize(
    ("mode", "how"),
    [
        ("inotify", "in-place"),
        ("polling", "temp-then-rename"),
        pytest.param("polling", "in-place", marks=pytest.mark.slow),
        pytest.param("inotify", "temp-then-rename", marks=pytest.mark.slow),
    ],
)
def test_a_slow_copy_is_read_once_when_complete(template, tmp_path, served, mode, how):
    port = free_port()
    config = deploy(template, tmp_path, port)
    set_config(config, watch={"mode": mode, "poll_seconds": 0.3, "stable_seconds": 1.0})
    root = tmp_path / "var"
    office, _, source = template.files[5]
    name = "ส่งช้า.xlsx"
    with smtp_server(port) as server:
        service = start(served, config, *TICK)
        target = drop_dir(root, office) / name
        if how == "in-place":
            slow_copy(source, target)
        else:  # Office and many copy tools write a temporary name, then rename it
            partial = target.with_name(name + ".part")
            slow_copy(source, partial)
            os.rename(partial, target)
        finish(service, root, {name})
        assert_delivered_once(server, root, {name})
    (row,) = ledgered(root, {name}).files
    assert row[3] == "accepted", row
    assert query(root, "SELECT size FROM files WHERE id = ?", row[0]) == [(source.stat().st_size,)]
    assert query(root, "SELECT count(*) FROM events WHERE event = 'received'") == [
        (2,)
    ]  # the allocation, and this


# -- SIGTERM ----------------------------------------------------------------------------
def test_sigterm_in_the_middle_of_a_batch_finishes_what_it_took_and_exits_0(
    template, tmp_path, served
):
    port = free_port()
    config = deploy(template, tmp_path, port)
    root = tmp_path / "var"
    names = drop_batch(template, root)
    with smtp_server(port) as server:
        service = Service(config, *TICK)
        served.append(service)
        wait_until(
            lambda: bool(
                query(
                    root,
                    f"SELECT 1 FROM files WHERE name IN ({','.join('?' * len(names))})",
                    *names,
                )
            ),
            60,
            "the batch taken",
            service,
            poll=0.02,
        )
        stopping = time.monotonic()
        assert service.stop(timeout=120) == 0, service.output()
        assert "stopped" in service.out[-1], service.output()
        assert time.monotonic() - stopping < 60
        taken = ledgered(root, names).files
        assert taken and all(r[3] != "received" and r[4] for r in taken), (
            "what it took is judged and answered"
        )
        assert {r[1] for r in taken} | waiting_in_drop(root) == names  # the rest waits in drop/

        service = start(served, config, *TICK)
        finish(service, root, names)
        assert_delivered_once(server, root, names)
