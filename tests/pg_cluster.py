"""A real PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster made by
initdb in a temporary folder, listening on a Unix socket only, stopped at the end.

PostgreSQL refuses to run as root; as root (CI) the cluster belongs to `nobody`. Without the
binaries, `find_binaries` returns None and the PostgreSQL variants are skipped (they say so).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

USER = "eop"  # the cluster's superuser, trusted on the socket
DATABASE = "ledgers"  # every test's ledger is a schema of it
SETTINGS = {  # a test cluster: nothing needs to survive a power cut
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
}


def find_binaries() -> Path | None:
    """The folder of initdb and pg_ctl (on PATH, or Debian's /usr/lib/postgresql/N/bin)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


@dataclass
class Server:
    """A running cluster; `database()` makes a fresh database and returns its URL."""

    bin: Path
    folder: Path
    as_user: list[str]
    names: itertools.count = field(default_factory=itertools.count)

    @property
    def socket(self) -> Path:
        return self.folder / "socket"

    def url(self, schema: str) -> str:
        return (
            f"postgresql+psycopg://{USER}@/{DATABASE}?host={self.socket}"
            f"&options=-csearch_path%3D{schema}"
        )

    def admin(self, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(dbname=dbname, user=USER, host=str(self.socket), autocommit=True)

    def ledger(self) -> tuple[str, str]:
        """A fresh, empty ledger (a schema of the test database: made and dropped at once,
        where a database each would cost a checkpoint to drop); its name and URL."""
        name = f"ledger_{next(self.names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return name, self.url(name)

    def drop(self, name: str) -> None:
        """The ledger's schema dropped, and every connection a test left open closed (the
        engines of its deployments are not disposed of; one test runs at a time)."""
        with self.admin() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (DATABASE,),
            )
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.folder / "data"), "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )


def start(bin: Path) -> Server:
    """initdb + pg_ctl start in a fresh folder (owned by `nobody` when we are root)."""
    folder = Path(tempfile.mkdtemp(prefix="eop-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    server = Server(bin, folder, as_user)
    subprocess.run([*as_user, "mkdir", str(server.socket)], check=True)
    server._run(
        "initdb",
        "-D",
        str(folder / "data"),
        "-U",
        USER,
        "--auth=trust",
        "--no-locale",  # C collation: text sorts by code point, as on SQLite
        "-E",
        "UTF8",
        "--no-sync",
    )
    options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
    server._run(
        "pg_ctl",
        "start",
        "-w",
        "-D",
        str(folder / "data"),
        "-l",
        str(folder / "server.log"),
        "-o",
        f"-k {server.socket} {options}",
    )
    with server.admin("postgres") as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return server
