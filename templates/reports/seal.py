"""A report left as it is while its figures stay the same.

A province's package is written on the 1st and the same reports again for the centre once the
planner confirms; when nothing changed in between, the second writing would only redraw the
same tables (a PDF costs WeasyPrint about a second a province). Beside each report written
this way lies a seal, `.RPT111.pdf.figures`: a digest of everything the report shows but the
moment it was made, of the templates and code that draw it, and of the file as written
(size and mtime, so that a file changed or replaced since is written again).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from functools import cache
from importlib.metadata import version
from pathlib import Path

from templates.reports.model import ReportData

HERE = Path(__file__).resolve().parent
DRAWN_BY = [*sorted(HERE.glob("*.py")), HERE / "report.html", HERE / "report.css"]
UNSTAMPED = datetime(2000, 1, 1)


def figures_digest(data: ReportData, fmt: str) -> str:
    unstamped = replace(data, generated_at=UNSTAMPED, generated_th="", generated_en="")
    return hashlib.sha256(f"{renderer()}|{fmt}|{unstamped!r}".encode()).hexdigest()


@cache
def renderer() -> str:
    """The templates, code and font that draw a report (an upgrade draws it again)."""
    digest = hashlib.sha256(f"{version('weasyprint')} {version('fontpkg-sarabun')}".encode())
    for path in [*DRAWN_BY, HERE.parent / "pdf.py", HERE.parent / "pdf_text.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _seal(out: Path) -> Path:
    return out.with_name(f".{out.name}.figures")


def _stamp(out: Path, digest: str) -> str:
    found = out.stat()
    return f"{digest} {found.st_size} {found.st_mtime_ns}"


def unchanged(out: Path, digest: str) -> bool:
    """The report at `out` was written from these figures and has not been touched since."""
    try:
        return _seal(out).read_text(encoding="ascii") == _stamp(out, digest)
    except (OSError, UnicodeDecodeError):
        return False


def seal(out: Path, digest: str) -> None:
    """Remember the figures `out` was just written from (after it is whole: a crash in
    between leaves an old seal, and the report is written again)."""
    _seal(out).write_text(_stamp(out, digest), encoding="ascii")
