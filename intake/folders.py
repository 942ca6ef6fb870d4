"""The share folders of each office, and which dropped files are ready to be read.

root/share/<office>/drop       an office drops its workbooks here
root/share/<office>/returned   what the service gives back
root/share/<office>/evidence   KPI evidence documents (province offices)

A file is ready when its size and mtime have been quiet for `stable_seconds` (a copy
over a network share can take a while) and, for a zip (xlsx), when its end record is
there. Office lock files and temporary files are ignored. A directory or a symlink
dropped into drop/ is reported (never followed) so that intake can answer it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["file", "directory", "symlink"]

ZIP_MAGIC = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
ZIP_END_SIZE = 22
ZIP_TAIL = 65535 + ZIP_END_SIZE  # the end record plus the longest zip comment

TEMP_SUFFIXES = (".tmp", ".crdownload", ".part", ".partial", ".swp", ".swx")
# Written by Windows Explorer into shared folders; nobody drops them on purpose.
SYSTEM_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})

# A zip that never completes is still answered ("the file is truncated") after this long.
TRUNCATED_AFTER_SECONDS = 300.0


def share_dir(root: Path, office: str) -> Path:
    return root / "share" / office


def drop_dir(root: Path, office: str) -> Path:
    return share_dir(root, office) / "drop"


def returned_dir(root: Path, office: str) -> Path:
    return share_dir(root, office) / "returned"


def evidence_dir(root: Path, office: str) -> Path:
    return share_dir(root, office) / "evidence"


def ensure_share(root: Path, offices: Iterable[str]) -> None:
    for office in offices:
        for folder in (
            drop_dir(root, office),
            returned_dir(root, office),
            evidence_dir(root, office),
        ):
            folder.mkdir(parents=True, exist_ok=True)


def is_ignored_name(name: str) -> bool:
    """Lock files, temporary files and hidden files: never an office's submission."""
    lower = name.lower()
    return (
        name.startswith(("~$", "."))  # Office owner files; hidden files, LibreOffice's .~lock.*#
        or name.endswith("~")  # editor backups
        or lower.endswith(TEMP_SUFFIXES)  # also Office's ~WRL1234.tmp, browsers' downloads
        or lower in SYSTEM_NAMES
    )


def is_ignored(path: Path) -> bool:
    """True for names never read (see is_ignored_name) and for FIFOs, sockets, devices
    (opening a FIFO would block the service) or a path that is gone. Directories and
    symlinks are not ignored: they are reported so that intake can answer them."""
    if is_ignored_name(path.name):
        return True
    try:
        mode = path.lstat().st_mode
    except OSError:
        return True
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode))


@dataclass(frozen=True)
class Waiting:
    """A dropped entry ready for intake. `complete` is False for a zip whose end record
    never arrived (a truncated copy), reported once it has been quiet for a long time."""

    office: str
    path: Path
    size: int
    mtime: float
    kind: Kind = "file"
    complete: bool = True


def kind_of(mode: int) -> Kind:
    if stat.S_ISLNK(mode):
        return "symlink"
    return "directory" if stat.S_ISDIR(mode) else "file"


def zip_end_present(path: Path) -> bool:
    """False only for a file that starts like a zip and has no end record yet.

    A half-copied xlsx starts with the zip magic but lacks its end of central directory,
    which is written last and sits in the last 64 KiB (after it only the zip comment)."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != ZIP_MAGIC:
                return True
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - ZIP_TAIL))
            tail = handle.read()
    except OSError:
        return True  # unreadable: intake answers it
    at = tail.rfind(ZIP_END)
    return at >= 0 and len(tail) - at >= ZIP_END_SIZE


class StabilityTracker:
    """Remembers (size, mtime, first seen unchanged) per path between scans.

    Times are the tracker's own clock (time.monotonic by default), never the business
    clock, which tests and the demo freeze."""

    def __init__(self) -> None:
        self._seen: dict[
            Path, dict[Path, tuple[int, float, float]]
        ] = {}  # by folder: a country has 956

    def quiet_for(self, path: Path, size: int, mtime: float, now: float) -> float:
        """Seconds for which (size, mtime) have been unchanged; 0.0 when just seen or changed."""
        seen = self._seen.setdefault(path.parent, {})
        known = seen.get(path)
        if known is None or known[:2] != (size, mtime):
            seen[path] = (size, mtime, now)
            return 0.0
        return now - known[2]

    def forget_missing(self, folder: Path, present: set[Path]) -> None:
        """Drop what left `folder` so that a file dropped again under the same name waits again."""
        seen = self._seen.get(folder, {})
        for path in [p for p in seen if p not in present]:
            del seen[path]
        if not seen:
            self._seen.pop(folder, None)

    def tracks(self, folder: Path) -> bool:
        return folder in self._seen

    def tracked(self) -> int:
        return sum(len(seen) for seen in self._seen.values())


class DropScanner:
    """Scans the drop folders of `offices`; `waiting()` returns what is ready, oldest first."""

    def __init__(
        self,
        root: Path,
        offices: Iterable[str],
        stable_seconds: float,
        tracker: StabilityTracker | None = None,
    ) -> None:
        self.root = root
        self.offices = list(offices)
        self.stable_seconds = stable_seconds
        self.tracker = tracker if tracker is not None else StabilityTracker()
        self.pending = 0  # entries seen but not ready yet, after the last scan
        self._folders: tuple[tuple[str, ...], list[tuple[str, Path]]] = ((), [])

    def waiting(
        self, now: float | None = None, hinted: Collection[Path] | None = None
    ) -> list[Waiting]:
        """hinted: look only in these drop folders (a watcher's events) and in those holding a
        file still settling; None looks in every one (a country has about 960)."""
        now = time.monotonic() if now is None else now
        ready: list[Waiting] = []
        self.pending = 0
        for office, folder in self._drop_dirs():
            if hinted is None or folder in hinted or self.tracker.tracks(folder):
                ready.extend(self._scan(office, now, folder))
        return sorted(ready, key=lambda w: (w.mtime, w.path.name))

    def _drop_dirs(self) -> list[tuple[str, Path]]:
        """(office, drop folder), worked out once: a national deployment has about 960."""
        if self._folders[0] != tuple(self.offices):
            self._folders = (
                tuple(self.offices),
                [(office, drop_dir(self.root, office)) for office in self.offices],
            )
        return self._folders[1]

    def _scan(self, office: str, now: float, folder: Path | None = None) -> list[Waiting]:
        folder = drop_dir(self.root, office) if folder is None else folder
        try:
            entries = list(os.scandir(folder))
        except OSError:  # not created yet, or a share briefly unreachable: next pass
            return []
        if not entries and not self.tracker.tracks(folder):
            return []
        present: set[Path] = set()
        ready: list[Waiting] = []
        for entry in entries:
            path = Path(entry.path)
            if is_ignored_name(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone between listing and stat
            if not (
                stat.S_ISREG(info.st_mode)
                or stat.S_ISDIR(info.st_mode)
                or stat.S_ISLNK(info.st_mode)
            ):
                continue
            present.add(path)
            item = self._ready(office, path, info, now)
            if item is None:
                self.pending += 1
            else:
                ready.append(item)
        self.tracker.forget_missing(folder, present)
        return ready

    def _ready(self, office: str, path: Path, info: os.stat_result, now: float) -> Waiting | None:
        quiet = self.tracker.quiet_for(path, info.st_size, info.st_mtime, now)
        if quiet < self.stable_seconds:
            return None
        kind = kind_of(info.st_mode)
        complete = kind != "file" or zip_end_present(path)
        # Quiet since the tracker first saw it, or by its own mtime: a one-shot `eop process`
        # (a fresh tracker every run) must still answer a copy that never completed.
        untouched = max(quiet, time.time() - info.st_mtime)
        if not complete and untouched < max(TRUNCATED_AFTER_SECONDS, self.stable_seconds):
            return None
        return Waiting(office, path, info.st_size, info.st_mtime, kind, complete)


_default_tracker = StabilityTracker()


def waiting_files(
    root: Path,
    offices: Iterable[str],
    *,
    stable_seconds: float,
    now: float | None = None,
    tracker: StabilityTracker | None = None,
) -> list[Waiting]:
    """One scan; stability is remembered in `tracker` (a module-wide one by default).
    A long-running service should hold a DropScanner instead."""
    scanner = DropScanner(
        root, offices, stable_seconds, tracker if tracker is not None else _default_tracker
    )
    return scanner.waiting(now)
