"""The archive: every received file copied under its content hash and made durable (fsync
of file and folder, or one sync of the filesystem for a batch) before the ledger records it.
Used for the workbooks dropped (intake.take) and for the evidence documents."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from eop.config import Config
from eop.durable import fsync_path, sync_filesystem

CHUNK = 1 << 20


class ArchiveUnavailable(Exception):
    """The archive cannot be written (disk full, read-only): files wait in drop/; try again later."""

    permanent = False

    def __init__(self, folder: Path, exc: OSError) -> None:
        why = exc.strerror or str(exc)
        super().__init__(
            f"เขียนที่เก็บไฟล์ {folder} ไม่ได้ ({why}) ไฟล์ที่ส่งมายังอยู่ในโฟลเดอร์ drop และจะรับเข้าเมื่อแก้ไขแล้ว — "
            f"the archive {folder} cannot be written ({why}): the dropped files stay in drop/ "
            "and are taken once it is fixed"
        )


class UnreadableDrop(OSError):
    """A dropped file that cannot be read now (permissions, a share's I/O error): it waits in drop/."""


def archive_dir(config: Config) -> Path:
    return config.root / "archive"


def sync_archive(folder: Path, stored: list[Path]) -> None:
    """Make a batch of copies durable: one syncfs(2) of the archive's filesystem (files and
    folders alike), or an fsync of each file and folder where syncfs is not available."""
    if sync_filesystem(folder):
        return
    for path in stored:
        fsync_path(path)
    for parent in {path.parent for path in stored}:
        fsync_path(parent)


def _open_dropped(source: Path) -> BinaryIO:
    """The dropped file opened to read, never through a symlink; gone → FileNotFoundError
    (the caller's to skip), unreadable now → UnreadableDrop (it waits in drop/)."""
    try:
        return os.fdopen(os.open(source, os.O_RDONLY | os.O_NOFOLLOW), "rb")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableDrop(
            exc.errno,
            f"อ่านไฟล์ {source} ไม่ได้ ({exc.strerror}) จะลองใหม่รอบถัดไป — "
            f"cannot read the dropped file {source} ({exc.strerror}); tried again next pass",
        ) from exc


def archive_copy(source: Path, folder: Path, *, sync: bool = True) -> tuple[str, Path]:
    """Copy into the archive under its content hash; fsync file and folder (or leave that to
    the caller, who syncs a whole batch at once). A symlink put in the file's place since the
    scan is not followed (O_NOFOLLOW): it is answered as a link on the next pass."""
    reader = _open_dropped(source)
    partial = (
        folder / f".incoming-{os.getpid()}-{source.name[:40].encode('utf-8', 'replace').hex()[:40]}"
    )
    digest = hashlib.sha256()
    try:
        with reader:
            folder.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as writer:
                while chunk := reader.read(CHUNK):
                    digest.update(chunk)
                    writer.write(chunk)
                writer.flush()
                if sync:
                    os.fsync(writer.fileno())
        sha256 = digest.hexdigest()
        suffix = "".join(ch for ch in source.suffix.lower()[:8] if ch.isalnum() or ch == ".")
        target = folder / sha256[:2] / f"{sha256}{suffix}"
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            partial.unlink()
        else:
            os.replace(partial, target)
    except BaseException:  # a full or read-only archive leaves no half-written copy behind
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    if sync:
        fsync_path(target.parent)
    return sha256, target
