"""One mail builder: a kind, its recipients and context in; a rendered Draft out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from templates.mail import render_mail


@dataclass
class Draft:
    """A message ready to spool: rendered, addressed, its attachments named (read at queue time)."""

    kind: str
    to: list[str]
    subject: str
    text: str
    html: str
    attachments: list[Path] = field(default_factory=list)


def make_message(
    kind: str, to: Iterable[str], context: dict[str, Any], attachments: Iterable[Path] = ()
) -> Draft:
    """Render `templates/mail/<kind>.*` with `context`, e.g. make_message("receipt", ["u7105@…"], {...})."""
    subject, text, html = render_mail(kind, context)
    return Draft(kind, list(to), subject, text, html, [Path(a) for a in attachments])
