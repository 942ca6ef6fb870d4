"""The injectable clock: every "now" of the service comes from here.

`--now` or the environment variable `EOP_NOW` freeze it, so that tests and the demo can
live through a whole round in seconds. Naive times are Asia/Bangkok.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")


class BadMoment(ValueError):
    """A --now / EOP_NOW value that is not an ISO date-time."""


def parse_moment(text: str) -> datetime:
    """ISO date or date-time; naive means Asia/Bangkok. A BE year (≥ 2400) is accepted."""
    raw = text.strip()
    try:
        year = int(raw[:4])
        if year >= 2400:
            raw = f"{year - 543}{raw[4:]}"
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise BadMoment(
            f"เวลา {text!r} ไม่ใช่รูปแบบ ISO เช่น 2015-03-25T10:00 — "
            f"{text!r} is not an ISO date-time such as 2015-03-25T10:00"
        ) from exc
    return as_bangkok(moment)


def as_bangkok(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BANGKOK)
    return moment.astimezone(BANGKOK)


class Clock:
    """Real time, or a fixed moment that can be moved (tests and the demo)."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed = as_bangkok(fixed) if fixed else None

    @classmethod
    def from_option(cls, now: str | None) -> Clock:
        text = now or os.environ.get("EOP_NOW")
        return cls(parse_moment(text) if text else None)

    @property
    def frozen(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        return self._fixed or datetime.now(BANGKOK)

    def set(self, moment: datetime) -> None:
        self._fixed = as_bangkok(moment)

    def running(self) -> Clock:
        """A clock that runs: from the frozen moment on, or real time. A long-running
        service needs time to pass (mail back-off, a dead sender's lease), even when it was
        started `--now` for a test or a demo."""
        return RunningClock(self._fixed) if self._fixed else Clock()


class RunningClock(Clock):
    """Starts at `start` and runs at the speed of real time."""

    def __init__(self, start: datetime) -> None:
        super().__init__(None)
        self._offset = as_bangkok(start) - datetime.now(BANGKOK)

    def now(self) -> datetime:
        return datetime.now(BANGKOK) + self._offset
