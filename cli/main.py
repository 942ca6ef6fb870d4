"""`eop`: the command line, a thin face over intake and jobs.

Errors become exit codes only here: 0 ok, 1 failure, 2 usage or config error. Tracebacks
only with --debug.

The commands live in cli.app (typer, which loads pydantic to read any option): imported
when a command runs, after the one shortcut that needs neither, an idle `eop process`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from cli.common import Failure, errors
from eop.clock import BadMoment
from eop.errors import ConfigError, LedgerUnavailable
from eop.periods import BadPeriod

IDLE_ANSWER = "answered 0, mail sent 0"  # what `eop process` prints when it did nothing


def __getattr__(name: str) -> Any:
    """`cli.main.app` and the rest of cli.app, loaded when asked for (tests, the benchmark)."""
    if name.startswith("__"):  # the import system asks for __path__ and such: not ours
        raise AttributeError(name)
    from cli import app

    return getattr(app, name)


def idle_shortcut(argv: list[str]) -> bool:
    """`eop [--config X] [--now T] [--debug] process` when the last pass found nothing to do
    and nothing changed since (service.quiet): answered as that pass would, before the command
    line library loads. Anything else, or any doubt, is False: the command runs as usual."""
    config, now, rest = os.environ.get("EOP_CONFIG") or "config.yaml", None, list(argv)
    while rest and rest[0] != "process":
        name, equals, value = rest.pop(0).partition("=")
        if name == "--debug" and not equals:
            continue
        if name not in ("--config", "--now") or (not equals and not rest):
            return False
        value = value if equals else rest.pop(0)
        config, now = (value, now) if name == "--config" else (config, value)
    if rest != ["process"]:
        return False
    from eop.clock import Clock
    from service.quiet import is_quiet  # the standard library and a few stat calls

    try:
        moment = Clock.from_option(now).now()
    except BadMoment:
        return False
    if not is_quiet(Path(config), moment):
        return False
    print(IDLE_ANSWER, flush=True)
    return True


def main() -> None:
    """Entry point: turn known errors into exit codes and clear messages."""
    if idle_shortcut(sys.argv[1:]):
        return
    import typer

    from cli.app import app

    try:
        app(standalone_mode=False)
    except ConfigError as exc:
        errors.print(str(exc), markup=False)
        sys.exit(2)
    except (BadPeriod, BadMoment, typer.BadParameter) as exc:
        errors.print(str(exc), markup=False)
        sys.exit(2)
    except (Failure, LedgerUnavailable) as exc:
        errors.print(str(exc), markup=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected
        # Click's own errors (no such command, a missing option) know how to show themselves
        # and carry their exit code (2 for usage). Recognised by that, not by class: typer
        # has depended on click and, since 0.2x, vendors it, so `import click` may fail.
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        if os.environ.get("EOP_DEBUG") or "--debug" in sys.argv:
            raise
        errors.print(
            f"ข้อผิดพลาดภายใน / internal error: {exc!r} (run with --debug for details)", markup=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
