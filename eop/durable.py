"""Making what we wrote survive a crash or a power cut (the archive, the mail spool).

One file: fsync it, then fsync its folder once it is renamed into place. A batch: one
syncfs(2) of the filesystem instead of an fsync per file, where the kernel offers it.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file, or a folder (so that a rename into it is durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_filesystem(folder: Path) -> bool:
    """Everything written on `folder`'s filesystem made durable by one syncfs(2); False where
    syncfs is not available (the caller then fsyncs what it wrote, one by one)."""
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)
