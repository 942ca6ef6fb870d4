"""Crash points for the fault tests (tests/test_faults.py); inert in production.

`EOP_FAULT_AT=<point>:<n>` (read once, at import) makes the service die the n-th time it
reaches `checkpoint("<point>")`, as abruptly as a SIGKILL: no cleanup, no flush, no
rollback beyond what SQLite does itself. In a forked worker the whole service dies (the
worker kills the process that forked it, then itself). Unset, `checkpoint` is one
comparison. Points: after-archive, after-record, before-judge, after-judge-write,
after-spool, after-answer, after-claim, after-send, after-mark-sent.
"""

from __future__ import annotations

import os
import signal

_point, _, _nth = os.environ.get("EOP_FAULT_AT", "").partition(":")
_left = int(_nth or 1) if _point else 0
_service = os.getpid()


def checkpoint(name: str) -> None:
    """Die here if EOP_FAULT_AT names this point and this is its n-th arrival (per process)."""
    global _left
    if name != _point:
        return
    _left -= 1
    if _left == 0:
        if os.getpid() != _service:
            os.kill(_service, signal.SIGKILL)
        os._exit(137)
