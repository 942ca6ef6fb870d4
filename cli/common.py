"""What every command group shares: the consoles, the options object, the failure that
becomes exit code 1, and the small helpers for periods and progress lines.

Imports inside functions here and in every cli module are for speed: `eop --help` and an
idle `eop process` must start in a blink, so rich, the config's pydantic models and the
rooms below are loaded by the commands that use them, when they run."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eop.clock import BANGKOK, Clock, parse_moment
from eop.periods import Period
from eop.thai import date_th

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from eop.config import Config


class LazyConsole:
    """A rich Console made on first use (importing rich costs what a whole idle pass may)."""

    def __init__(self, **options: Any) -> None:
        self._options: dict[str, Any] = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console = LazyConsole()
# messages keep their lines: a path is never folded
errors = LazyConsole(stderr=True, soft_wrap=True)


@dataclass
class Options:
    config_path: Path
    now: str | None
    debug: bool

    def config(self) -> Config:
        from eop.config import load_config

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


def table(title: str, heads: list[tuple[str, str]], wrap: dict[str, int] | None = None) -> Table:
    """A table that fits 80 columns: Thai over English in each header, no side borders; the
    columns named in `wrap` (English head → narrowest width, a Thai word's) go onto more
    lines, never cut to "…"; the others keep their width."""
    from rich import box
    from rich.table import Table

    wrap = wrap or {}
    shown = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    for th, en in heads:
        folds = en in wrap
        shown.add_column(
            f"{th}\n{en}",
            overflow="fold" if folds else "ellipsis",
            no_wrap=not folds,
            min_width=wrap.get(en),
        )
    return shown


def moment(iso: str | None) -> str:
    """`2015-03-25T10:00:00+07:00` → `25 มี.ค. 2558 10:00`: a moment as a person reads it (BE)."""
    if not iso:
        return ""
    at = parse_moment(iso).astimezone(BANGKOK) if "T" in iso else date.fromisoformat(iso[:10])
    return date_th(at, short=True) + (f" {at:%H:%M}" if isinstance(at, datetime) else "")


def line(text: str) -> None:
    """A line of progress as it is: never folded at the terminal's width, and a file name
    with brackets is not taken for rich markup."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


def plain_line(text: str) -> None:
    """A line of progress without loading rich (the idle pass prints only this)."""
    print(text, file=sys.stdout, flush=True)
