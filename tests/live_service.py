"""`eop serve` as a real process for the fault tests: started in its own process group (so
that a SIGKILL takes its forked workers too, as systemd's would), its output collected, its
ledger read from outside with plain sqlite3, its memory sampled from /proc."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from conftest import DISTRICTS, REPO, at, even_shares, fill_month, issued_path, process
from conftest import drop as drop_file

from eop.clock import Clock
from eop.config import LEDGER_URL_ENV, load_config
from intake.folders import drop_dir
from jobs.deployment import open_deployment
from simulation.offices import fill_allocation

EOP = Path(sys.executable).parent / "eop"
NOW = "2015-03-25T10:00"
OFFICES = ["71", *DISTRICTS]


def set_config(path: Path, **sections: dict) -> Path:
    """Merge `sections` (watch=..., mail=..., limits=...) into a config file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, values in sections.items():
        raw[key] = {**(raw.get(key) or {}), **values}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def smtp_to(path: Path, port: int) -> Path:
    """Mail through the loopback SMTP server on `port`, retried quickly."""
    return set_config(
        path,
        mail={
            "transport": "smtp",
            "backoff_seconds": [1, 2],
            "max_attempts": 100,
            "smtp": {
                "host": "127.0.0.1",
                "port": port,
                "tls": "none",
                "user": None,
                "timeout_seconds": 5,
            },
        },
    )


def base_env(home: Path, **extra: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


class Service:
    """`eop serve` in the background, in a process group of its own."""

    def __init__(
        self, config: Path, *args: str, env: dict[str, str] | None = None, now: str = NOW
    ) -> None:
        self.config = config
        self.process = subprocess.Popen(
            [str(EOP), "--config", str(config), "--now", now, "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=base_env(config.parent, **(env or {})),
            cwd=config.parent,
            start_new_session=True,
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

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return "\n".join(self.out[-60:]) + "\n--- stderr ---\n" + "\n".join(self.err[-60:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_line(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.out if text in line]
            if found:
                return found[0]
            assert self.alive(), f"serve ended early:\n{self.output()}"
            time.sleep(0.05)
        raise AssertionError(f"serve never printed {text!r} in {timeout}s:\n{self.output()}")

    def wait_for_stderr(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.err if text in line]
            if found:
                return found[0]
            assert self.alive(), f"serve ended early:\n{self.output()}"
            time.sleep(0.05)
        raise AssertionError(f"serve never said {text!r} in {timeout}s:\n{self.output()}")

    def wait_for_death(self, timeout: float) -> int:
        """The process died by itself (a fault point): its exit code; its workers are killed too."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"serve did not die within {timeout}s:\n{self.output()}") from None
        self.kill_group()
        self._join()
        return code

    def kill_group(self) -> None:
        """SIGKILL to the service and every process it forked."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            time.sleep(0.02)

    def stop(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self._join()
        return code

    def _join(self) -> None:
        for reader in self._readers:
            reader.join(timeout=5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


# -- the ledger, read from outside ------------------------------------------------------
def query(root: Path, sql: str, *params: object) -> list[tuple]:
    """Read the ledger as another process would (WAL: a consistent snapshot, no lock held);
    the PostgreSQL ledger instead when $EOP_LEDGER_URL names one."""
    if os.environ.get(LEDGER_URL_ENV):
        return _query_postgresql(os.environ[LEDGER_URL_ENV], sql, params)
    conn = sqlite3.connect(f"file:{root / 'eop.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _query_postgresql(url: str, sql: str, params: tuple) -> list[tuple]:
    import psycopg
    from sqlalchemy import make_url

    where = make_url(url)
    host, options = where.query["host"], where.query.get("options", "")
    with psycopg.connect(
        dbname=where.database,
        user=where.username,
        host=str(host),
        options=str(options),
    ) as conn:
        return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    service: Service | None = None,
    poll: float = 0.2,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if service is not None:
            assert service.alive(), f"serve ended while waiting for {what}:\n{service.output()}"
        time.sleep(poll)
    raise AssertionError(
        f"{what}: not within {timeout}s" + (f"\n{service.output()}" if service else "")
    )


@dataclass
class Ledgered:
    """What the ledger says about files dropped under known names."""

    files: list[tuple]  # (id, name, office, status, answered_at, sha256, archive_path)
    answers: list[tuple]  # (file_id, state, message_id, dedupe_key)


def ledgered(root: Path, names: set[str]) -> Ledgered:
    rows = [
        r
        for r in query(
            root,
            "SELECT id, name, office, status, answered_at, sha256, archive_path FROM files ORDER BY id",
        )
        if r[1] in names
    ]
    ids = {r[0] for r in rows}
    answers = [
        r
        for r in query(
            root,
            "SELECT file_id, state, message_id, dedupe_key FROM outbox WHERE file_id IS NOT NULL",
        )
        if r[0] in ids
    ]
    return Ledgered(rows, answers)


def all_answered_and_sent(root: Path, names: set[str]) -> bool:
    try:
        seen = ledgered(root, names)
    except sqlite3.OperationalError:  # the ledger is being created or migrated
        return False
    return (
        len(seen.files) >= len(names)
        and all(r[3] != "received" and r[4] for r in seen.files)
        and len(seen.answers) >= len(seen.files)
        and all(a[1] == "sent" for a in seen.answers)
    )


def assert_nothing_lost(root: Path, names: set[str], drops: list[Path]) -> Ledgered:
    """One record per dropped file, judged and answered; one answer each, sent; every archived
    copy present with its hash; drop folders empty; no message spooled twice."""
    seen = ledgered(root, names)
    by_name: dict[str, int] = {}
    for row in seen.files:
        by_name[row[1]] = by_name.get(row[1], 0) + 1
    assert by_name == {name: 1 for name in names}, {
        n: c for n, c in by_name.items() if c != 1
    } or names - set(by_name)
    assert all(r[3] in ("accepted", "rejected", "duplicate") for r in seen.files), [
        r for r in seen.files if r[3] == "received"
    ]
    assert all(r[4] for r in seen.files), [r[1] for r in seen.files if not r[4]]
    per_file: dict[int, int] = {}
    for answer in seen.answers:
        per_file[answer[0]] = per_file.get(answer[0], 0) + 1
    assert per_file == {r[0]: 1 for r in seen.files}, (
        "each file has exactly one answer in the outbox"
    )
    assert all(a[1] == "sent" for a in seen.answers), [a for a in seen.answers if a[1] != "sent"]
    keys = [k for (k,) in query(root, "SELECT dedupe_key FROM outbox")]
    assert len(keys) == len(set(keys))
    ids = [m for (m,) in query(root, "SELECT message_id FROM outbox")]
    assert len(ids) == len(set(ids))
    for row in seen.files:
        if row[5]:  # a file (not a folder or a link kept aside)
            stored = root / row[6]
            assert stored.is_file(), f"{row[1]}: archived copy {stored} missing"
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == row[5], (
                f"{row[1]}: archived copy differs"
            )
    for folder in drops:
        assert not [p for p in folder.iterdir() if not p.name.startswith(".")], (
            f"{folder} still holds files"
        )
    return seen


# -- memory --------------------------------------------------------------------------
def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, now (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(p) for p in handle.read().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process tree every 50 ms; `.peak` in bytes."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._halt.wait(0.05)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


# -- a deployment on 25 March 2558 and a batch of files, made once per module -------------
@dataclass
class Template:
    base: Path  # config.yaml + var/ as the march fixture leaves them
    files: list[tuple[str, str, Path]]  # (office, name to drop under, source)


def build_march(base: Path) -> Path:
    """The conftest `march` deployment, built outside a test (its fixtures are per test)."""
    config_path = base / "config.yaml"
    shutil.copy(REPO / "eop" / "kanchanaburi.yaml", config_path)
    deployment = open_deployment(load_config(config_path), Clock(at(2014, 10, 1, 9)))
    process(deployment)
    filled = fill_allocation(
        issued_path(deployment, "allocation", "71", "2558"),
        base / "EOP016-filled.xlsx",
        shares=even_shares(deployment),
    )
    drop_file(deployment, "71", filled)
    assert [v.status for v in process(deployment, at(2014, 10, 2)).verdicts] == ["accepted"]
    assert ("issue-monthly", "2558-03", 14) in process(deployment, at(2015, 3, 25, 8)).jobs
    deployment.clock.set(at(2015, 3, 25, 10))
    deployment.ledger.close()
    return config_path


def batch_files(base: Path) -> list[tuple[str, str, Path]]:
    """26 files (enough for the forked workers): every office's March workbook, seven second
    versions, a workbook with a mistake, two duplicates and two files that are not workbooks."""
    config = load_config(base / "config.yaml")
    deployment = open_deployment(config, Clock(at(2015, 3, 25, 10)))
    made = base / "made"
    files: list[tuple[str, str, Path]] = []
    for n, office in enumerate(OFFICES):
        path = fill_month(
            deployment,
            office,
            "2558-03",
            made / f"{office}-v1.xlsx",
            {"A101": 100 + n, "A204": f"{n}.5"},
            {"A101": 1000 + 10 * n},
        )
        files.append((office, f"มีนาคม-{office}.xlsx", path))
    for n, office in enumerate(DISTRICTS[:7]):
        path = fill_month(
            deployment,
            office,
            "2558-03",
            made / f"{office}-v2.xlsx",
            {"A101": 200 + n, "A204": "3"},
            {"A101": 2000 + n},
        )
        files.append((office, f"มีนาคม-{office}-แก้ไข.xlsx", path))
    bad = fill_month(deployment, "7110", "2558-03", made / "7110-bad.xlsx", {"A101": "12,5O0"})
    files.append(("7110", "ผิด-7110.xlsx", bad))
    files.append(("7101", "ซ้ำ-7101.xlsx", files[1][2]))
    files.append(("7102", "ซ้ำ-7102.xlsx", files[2][2]))
    junk = made / "junk.xlsx"
    junk.write_bytes(random.Random(7).randbytes(5000))
    files.append(("7111", "junk.xlsx", junk))
    text = made / "notes.xlsx"
    text.write_text("activity,quantity\nA101,5\n", encoding="utf-8")
    files.append(("7112", "notes.xlsx", text))
    deployment.ledger.close()
    return files


def deploy(template: Template, where: Path, port: int) -> Path:
    shutil.copytree(template.base / "var", where / "var")
    config = where / "config.yaml"
    shutil.copy(template.base / "config.yaml", config)
    smtp_to(config, port)
    return set_config(config, watch={"mode": "inotify", "stable_seconds": 0.2})


def drop_batch(template: Template, root: Path) -> set[str]:
    """Every file at once, in a fixed order of modification times (versions in order)."""
    stamp = 1_426_000_000
    for n, (office, name, source) in enumerate(template.files):
        target = drop_dir(root, office) / name
        shutil.copy(source, target)
        os.utime(target, (stamp + n, stamp + n))
    return {name for _, name, _ in template.files}
