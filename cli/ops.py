"""Running as a service: health, backup, restore, moving the ledger into PostgreSQL."""

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


def move_ledger(
    ctx: typer.Context,
    to: Annotated[
        str, typer.Option("--to", help="the empty PostgreSQL ledger: postgresql+psycopg://…")
    ],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from", help="an SQLite ledger (default: the deployment's, data_root/eop.sqlite3)"
        ),
    ] = None,
) -> None:
    """The deployment's SQLite ledger copied into an EMPTY PostgreSQL ledger in one
    transaction and verified (rows and a digest of every table); the SQLite file is left as it
    was. A consistent snapshot is copied: run it with eop serve stopped for the final move.
    Example: eop move-ledger --to postgresql+psycopg://eop@db.example.go.th/eop"""
    from ledger.move import MoveRefused, move

    config = ctx.obj.config()
    path = source or _sqlite_ledger(config.ledger_location)
    try:
        moved = move(path, to, config.root)  # the snapshot where the service writes
    except MoveRefused as exc:
        raise Failure(str(exc)) from None
    _say_moved(path, to, moved)
    _still_serving(path, config.root if source is None else None, moved.counts)
    _say_next(to)


def _still_serving(path: Path, root: Path | None, counts: dict[str, int]) -> None:
    """What eop serve did meanwhile: still running (a rehearsal), or wrote since the snapshot."""
    from ledger.move import changed_since
    from service.health import serve_running

    if root is not None and serve_running(root):
        line(
            "eop serve ยังทำงานอยู่: ถือเป็นการซ้อม สิ่งที่บันทึกหลังจากนี้จะอยู่ใน SQLite เท่านั้น "
            "หยุด eop serve แล้วย้ายอีกครั้งลงฐานข้อมูลว่างก่อนเปลี่ยน ledger_url — eop serve is "
            "running: take this as a rehearsal; what it records from now on stays in SQLite only. "
            "Stop it and move again into an empty target before switching ledger_url"
        )
    if changed := changed_since(path, counts):
        raise Failure(
            f"ระหว่างย้าย eop serve บันทึกเพิ่มใน {', '.join(changed)} ซึ่งไม่ได้ย้ายไปด้วย อย่าเพิ่งเปลี่ยน "
            "ledger_url: หยุด eop serve ล้างฐานข้อมูลปลายทาง แล้วย้ายใหม่ — the SQLite ledger changed "
            f"during the move ({', '.join(changed)}): what was written after the snapshot is not in "
            "PostgreSQL. Do not switch ledger_url yet: stop eop serve, empty the target, move again"
        )


def _sqlite_ledger(location: str) -> Path:
    """The SQLite file of the deployment's ledger; refused when it is on PostgreSQL already."""
    from sqlalchemy import make_url

    url = make_url(location)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise Failure(
            "ฐานข้อมูลของ config นี้อยู่บน PostgreSQL แล้ว (ดู ledger_url และ EOP_LEDGER_URL) — "
            "this deployment's ledger is on PostgreSQL already (see ledger_url and EOP_LEDGER_URL); "
            "--from names an SQLite ledger to move"
        )
    return Path(url.database)


def _say_moved(path: Path, to: str, moved) -> None:
    from ledger.move import config_url

    line(f"ย้ายฐานข้อมูลแล้ว / ledger moved: {path} → {config_url(to)[0]} in {moved.seconds:.1f}s")
    if moved.upgraded:
        line(
            "สำเนาถูกปรับเป็นรุ่นนี้ก่อนย้าย (ไฟล์ SQLite เดิมไม่ถูกแก้) — the snapshot was brought to "
            f"this release first (the SQLite file itself is untouched): {'; '.join(moved.upgraded)}"
        )
    width = max(len(name) for name in moved.counts)
    line(f"{'ตาราง / table':<{width}}  แถว / rows")
    for name, rows in moved.counts.items():
        line(f"{name:<{width}}  {rows}")
    line(
        f"ตรวจแล้ว ตรงกันทุกตาราง: จำนวนแถวและ digest ของทุกแถว ({sum(moved.counts.values())} แถว) — "
        f"verified: every table holds the same rows on both sides, by count and by a digest of "
        f"every row ({sum(moved.counts.values())} rows in all)"
    )


def _say_next(to: str) -> None:
    from ledger.move import config_url

    url, had_password = config_url(to)
    line(
        "ต่อไป: ใส่บรรทัดนี้ใน config.yaml แล้วเริ่ม eop serve — next: put this line in config.yaml, then start eop serve:"
    )
    line(f"    ledger_url: {url}")
    line(f"หรือ / or: EOP_LEDGER_URL={url}")
    if had_password:
        line(
            "รหัสผ่านไม่แสดง ใส่ไว้ใน ~/.pgpass หรือ PGPASSWORD — the password is left out: "
            "keep it in ~/.pgpass or PGPASSWORD, not in config.yaml"
        )


def register(app: typer.Typer) -> None:
    app.command()(health)
    app.command()(backup)
    app.command()(restore)
    app.command("move-ledger")(move_ledger)
