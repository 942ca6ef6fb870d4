"""What a report is (DESIGN §7): its spec (code, kind, titles, the function building its body),
the context a builder reads and the body it returns.

The reports' bodies are in `jobs.report_bodies`, reading and rendering in `jobs.reports`; a
room above jobs/ (kpi/: RPT311) writes its own spec and hands it to `jobs.reports`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from eop.periods import Period
from jobs.consolidate import Inputs, Timeliness
from jobs.deployment import Deployment
from ledger.reference import ActivityRow
from templates.reports import Chart, Column, Row, Text


class ReportError(ValueError):
    """A report that cannot be made: an unknown report code, office or format."""

    permanent = True


@dataclass(frozen=True)
class Context:
    """What a report's builder reads: the ledger's figures for the period, read once."""

    deployment: Deployment
    office: str
    period: Period
    inputs: Inputs
    catalogue: dict[str, ActivityRow]
    offices: list[Timeliness]


@dataclass(frozen=True)
class Body:
    columns: list[Column]
    rows: list[Row]
    totals: Row | None = None
    chart: Chart | None = None
    notes: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSpec:
    """A report: `RPTnnn` (odd leading digit performance, even budget), its titles and the
    function that builds its body from a `Context`."""

    code: str
    kind: Literal["performance", "budget"]
    title_th: str
    title_en: str
    build: Callable[[Context], Body]
