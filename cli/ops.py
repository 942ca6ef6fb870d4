"""Running as a service: health, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import Failure, line


def health(ctx: typer.Context) -> None:
    """Exit 0 when eop serve, its watcher, its passes and the outbox are alive and nothing is
    stuck; otherwise one line per problem and exit 1.  Example: eop --config /srv/eop/config.yaml health"""
    from ledger import Ledger
    from service.health import problems

    config = ctx.obj.config()
    ledger = Ledger(config.ledger_location, migrations=False)
    try:
        found = problems(config.root, ledger, ctx.obj.clock().now())
    finally:
        ledger.close()
    if found:
        raise Failure("\n".join(found))
    line("ok: eop serve ทำงานปกติ — watcher, passes and outbox alive, nothing stuck")


def backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="a folder (on another disk); made if missing")],
) -> None:
    """The ledger (SQLite online backup) and the archive, outbox, reports and evidence folders
    into DEST, while eop serve runs; into the same DEST again copies only what is new.
    Example: eop backup /mnt/backup/eop"""
    from ledger.backup import backup as run_backup

    config = ctx.obj.config()
    if not config.ledger_location.startswith("sqlite"):
        raise Failure(
            "ฐานข้อมูลอยู่บน PostgreSQL สำรองด้วย pg_dump (เช่น pg_dump -Fc eop > eop.dump) "
            "แล้วใช้ eop backup สำรองเฉพาะโฟลเดอร์ไม่ได้ — the ledger is on PostgreSQL: back it up "
            "with pg_dump (e.g. pg_dump -Fc eop > eop.dump); the archive and the other folders "
            "are files, copied as usual"
        )
    if not (config.root / "eop.sqlite3").exists():
        raise Failure(f"ไม่มีฐานข้อมูลที่ {config.root} — no ledger in {config.root}")
    done = run_backup(config.root, dest, config.source)
    line(
        f"สำรองแล้ว / backed up: {done.ledger}; {done.files} file(s) copied, {done.kept} already there"
    )


def restore(
    ctx: typer.Context,
    src: Annotated[Path, typer.Argument(help="a folder written by eop backup")],
    force: Annotated[bool, typer.Option(help="replace a ledger already there")] = False,
) -> None:
    """A backup back into the deployment's data root (stop eop serve first).
    Example: eop --config /srv/eop/config.yaml restore /mnt/backup/eop"""
    from ledger.backup import restore as run_restore
    from service.health import serve_running

    config = ctx.obj.config()
    if not config.ledger_location.startswith("sqlite"):
        raise Failure(
            "ฐานข้อมูลอยู่บน PostgreSQL กู้คืนด้วย pg_restore — the ledger is on PostgreSQL: "
            "restore it with pg_restore (e.g. pg_restore -d eop eop.dump)"
        )
    ledger = config.root / "eop.sqlite3"
    if ledger.exists() and not force:
        raise Failure(
            f"มีฐานข้อมูลอยู่แล้วที่ {ledger} (ใช้ --force เพื่อแทนที่) — a ledger is already at {ledger}; "
            "use --force to replace it"
        )
    if serve_running(config.root):
        raise Failure("eop serve ยังทำงานอยู่ หยุดก่อน — eop serve is running; stop it first")
    try:
        done = run_restore(src, config.root)
    except FileNotFoundError as exc:
        raise Failure(f"ไม่พบข้อมูลสำรอง {exc} — no backup at {src}") from None
    line(f"กู้คืนแล้ว / restored: {done.ledger}; {done.files} file(s) copied")
    line(f"ต่อไป / next: eop --config {config.source} serve")


def register(app: typer.Typer) -> None:
    app.command()(health)
    app.command()(backup)
    app.command()(restore)
