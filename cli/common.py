"""What every command group shares: the consoles, the options object, the failure that
becomes exit code 1, and the small helpers for periods and progress lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from eop.clock import Clock
from eop.config import Config, load_config
from eop.periods import Period

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # messages keep their lines: a path is never folded


@dataclass
class Options:
    config_path: Path
    now: str | None
    debug: bool

    def config(self) -> Config:
        return load_config(self.config_path)

    def clock(self) -> Clock:
        return Clock.from_option(self.now)

    def deployment(self):
        from jobs.deployment import open_deployment

        return open_deployment(self.config(), self.clock())


class Failure(Exception):
    """A command could not do its work; exit code 1."""


def period_or_now(text: str | None, clock: Clock) -> Period:
    if text:
        return Period.parse(text)
    moment = clock.now()
    return Period.of(moment.year, moment.month)


def verdict_line(v) -> str:
    """One line per file: `7105 2558-03 monthly accepted in 0.08s  (name as dropped)`."""
    tail = f": {v.findings} findings" if v.findings else ""
    return f"{v.office} {v.period or '-'} {v.kind or '-'} {v.status} in {v.seconds:.2f}s{tail}  ({v.name})"


def line(text: str) -> None:
    """A line of progress as it is: never folded at the terminal's width, and a file name
    with brackets is not taken for rich markup."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)
