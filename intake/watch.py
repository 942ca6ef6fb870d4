"""Waking up when something lands in a drop folder, and the service's main loop.

An event is only a hint to rescan: inotify misses writes from other machines on a
network share, PollingObserver reports files still growing, a rename from the same
filesystem shows only as Created. DropScanner decides what is ready; this module only
decides when to look again.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Literal

from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(__name__)

# Only what a writer does. Our own reads (Opened, ClosedNoWrite) and our own removals
# (Deleted) must not wake us, or each pass would trigger the next.
HINTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    DirCreatedEvent,
    FileModifiedEvent,
    FileAttribEvent,  # `cp -p` and robocopy set the mtime after the last write
    FileClosedEvent,
    FileMovedEvent,
    DirMovedEvent,
]

# How often the loop looks at should_stop while waiting: a signal does not end a wait.
STOP_CHECK_SECONDS = 0.25


class _Hint(FileSystemEventHandler):
    """Wakes the loop and remembers the folders the events were in (watches are not
    recursive: an event's path is a drop folder's entry, or the folder itself)."""

    def __init__(self, changed: threading.Event) -> None:
        self.changed = changed
        self.folders: set[Path] = set()
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        with self.lock:
            for path in (os.fsdecode(p) for p in paths if p):
                self.folders.update((Path(path), Path(path).parent))
        self.changed.set()

    def take(self) -> set[Path]:
        with self.lock:
            folders, self.folders = self.folders, set()
        return folders

    def add(self, folder: Path) -> None:
        """As if an event came from `folder`: the next pass looks in it."""
        with self.lock:
            self.folders.add(folder)
        self.changed.set()


class DropWatcher:
    """Watches `dirs` (not recursively); `wait()` says whether anything changed since the last call."""

    def __init__(
        self,
        dirs: list[Path],
        mode: Literal["inotify", "polling"] = "inotify",
        poll_seconds: float = 2.0,
    ) -> None:
        self.dirs = list(dirs)
        self.mode = mode
        self.poll_seconds = poll_seconds
        self._changed = threading.Event()
        self._hint = _Hint(self._changed)
        self._observer: BaseObserver | None = None

    def _make_observer(self) -> BaseObserver:
        if self.mode == "polling":
            return PollingObserver(timeout=self.poll_seconds)
        if self.mode == "inotify":
            return Observer()
        raise ValueError(f"watch mode {self.mode!r}: expected 'inotify' or 'polling'")

    def __enter__(self) -> DropWatcher:
        observer = self._make_observer()
        for folder in self.dirs:
            observer.schedule(self._hint, str(folder), recursive=False, event_filter=HINTS)
        observer.start()
        self._observer = observer
        return self

    def watch(self, dirs: list[Path]) -> None:
        """Watch these folders too, while running (an office a setup workbook added). One
        that cannot be watched is said and left to the tick's look at every folder. A new
        folder is looked in at once: a file may have come between its making and its watch."""
        known = set(self.dirs)
        for folder in (d for d in dirs if d not in known):
            self._hint.add(folder)
            try:
                if self._observer is not None:
                    self._observer.schedule(
                        self._hint, str(folder), recursive=False, event_filter=HINTS
                    )
            except OSError as exc:
                log.warning(
                    "เฝ้าโฟลเดอร์ %s ไม่ได้ จะดูทุกรอบปฏิทินแทน — cannot watch %s (%s); "
                    "it is looked at every tick instead",
                    folder,
                    folder,
                    exc,
                )
            self.dirs.append(folder)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    @property
    def alive(self) -> bool:
        """The observer thread runs (the health check reports a dead watcher)."""
        return self._observer is not None and self._observer.is_alive()

    def wait(self, timeout: float) -> bool:
        """True if something changed since the last call (events are coalesced), False on timeout.

        The flag is cleared before returning, so a change made during the rescan that
        follows wakes the next wait."""
        changed = self._changed.wait(timeout)
        self._changed.clear()
        return changed

    def hinted(self) -> set[Path]:
        """The folders events came from since the last call. Only a hint: a network share
        may send none, so the service still looks at every folder once a tick."""
        return self._hint.take()

    def poke(self) -> None:
        """Wake a waiting loop, e.g. after a command queued work."""
        self._changed.set()


def serve_loop(
    run_pass: Callable[[], int],
    watcher: DropWatcher,
    *,
    tick_seconds: float,
    should_stop: Callable[[], bool],
    settle_seconds: float = 0.5,
) -> None:
    """Run a pass at start, then on every hint from the watcher or every `tick_seconds`
    (scheduled jobs need ticks), until should_stop(). `run_pass` returns how many files
    are still settling; while some are, the next look comes after `settle_seconds`, since
    a file that goes quiet raises no event.

    A stop request lets the current pass finish. A pass that raises is logged and the
    loop goes on at the next tick: one bad file must not stop the service. A passing fault
    (a full or read-only disk, the ledger locked: an OSError or an error whose `permanent`
    is False) is said in one line, in Thai and English, without a traceback."""
    while not should_stop():
        settling = 0
        try:
            settling = run_pass()
        except Exception as exc:
            if isinstance(exc, OSError) or getattr(exc, "permanent", None) is False:
                log.error(
                    "%s — รอบนี้ไม่สำเร็จ ไฟล์ที่ส่งมาอยู่ที่เดิม จะลองใหม่ใน %.0f วินาที / this pass could not finish, "
                    "dropped files stay where they are; trying again in %.0fs",
                    exc,
                    tick_seconds,
                    tick_seconds,
                )
            else:
                log.exception("pass failed; next attempt in %.0fs", tick_seconds)
        _sleep_until_hint(
            watcher, min(tick_seconds, settle_seconds) if settling else tick_seconds, should_stop
        )


def _sleep_until_hint(
    watcher: DropWatcher, tick_seconds: float, should_stop: Callable[[], bool]
) -> None:
    deadline = time.monotonic() + tick_seconds
    while not should_stop():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or watcher.wait(min(remaining, STOP_CHECK_SECONDS)):
            return


def install_stop_signals() -> Callable[[], bool]:
    """On SIGTERM or SIGINT set a flag that the loop reads between passes; a second
    signal gets the default behaviour (a second Ctrl-C really stops). Main thread only."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: stopping after the current pass", signal.Signals(signum).name)
        stop.set()
        signal.signal(
            signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
        )

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop.is_set
