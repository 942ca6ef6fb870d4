"""What judging a workbook returns, and the steps every kind starts with.

Each kind is `judge(raw, context) -> Verdict`: the findings and, when the file may be taken,
a payload that a store function of the ledger (ledger.submissions) writes later, in the
taking code's transaction. Judging only reads.

The shared prelude (DESIGN §6): the period (a month, or the current fiscal year) → the issued
workbook it claims to be (else `unknown-issue`) → the lock (taken only under an open
correction, and then exactly one version) → the window (late: flagged or rejected, by the
config's policy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Connection

from eop.calendar import MonthCalendar
from eop.config import Config
from eop.findings import Finding, has_errors
from eop.periods import BadPeriod, Period, parse_fiscal_year
from eop.thai import date_en, date_th
from intake.read import RawWorkbook
from ledger import records, workflow
from ledger.submissions import Payload
from validators.catalogue import finding
from validators.monthly import MonthlyInput


@dataclass(frozen=True)
class Context:
    """Where a workbook is judged: a read snapshot of the ledger, for `office`, at `now`."""

    conn: Connection
    config: Config
    office: str
    now: datetime


@dataclass(frozen=True)
class Pending:
    """A monthly workbook's value checks, left to run with a batch (one pandera run for many);
    intake.judge_monthly.complete finishes the verdict."""

    checking: MonthlyInput
    sheets: dict[str, list[list[object]]]  # the workbook's sheets, in order: to place findings
    office: str


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...] = ()
    payload: Payload | None = None  # what to store when the file is taken
    kind: str | None = None
    period: str | None = None
    template_version: str | None = None
    late: bool = False
    fresh: bool = False  # answer with a fresh workbook of the current version attached
    correction_id: int | None = None  # a locked period taken under this open correction
    pending: Pending | None = None

    @property
    def accepted(self) -> bool:
        return self.payload is not None and not has_errors(list(self.findings))

    def rejected(self, *found: Finding, fresh: bool = False) -> Verdict:
        """This verdict with `found` instead of what it found so far (and nothing to store)."""
        return replace(self, findings=tuple(found), payload=None, fresh=fresh)

    def adding(self, found: list[Finding] | tuple[Finding, ...]) -> Verdict:
        return replace(self, findings=(*self.findings, *found))


@dataclass(frozen=True)
class Opened:
    """A workbook past the prelude: its period, the issued snapshot, and the verdict so far
    (a warning for a late file or one taken under a correction)."""

    period: str
    snapshot: dict
    verdict: Verdict
    month: MonthCalendar | None = None
    year: int | None = None


Due = Callable[[Context, MonthCalendar], date | None]  # the window's last day, when past it


def prelude(
    ctx: Context, raw: RawWorkbook, kind: str, *, due: Due | None = None
) -> Opened | Verdict:
    """Period → the issued workbook → the lock → the window; a Verdict when the file stops here."""
    meta = raw.meta or {}
    base = Verdict(
        kind=kind,
        template_version=meta.get("template_version") or None,
        period=meta.get("period") or meta.get("fiscal_year") or None,
    )
    month, year, period = _period(ctx.config, meta, kind)
    if period is None:
        base = base if year is None else replace(base, period=str(year))
        return base.rejected(*_bad_period(ctx.config, meta, kind, year))
    base = replace(base, period=period)
    snapshot = records.issued_snapshot(ctx.conn, meta.get("digest", ""))
    if not snapshot or (snapshot["kind"], snapshot["office"], snapshot["period"]) != (
        kind,
        ctx.office,
        period,
    ):
        return base.rejected(finding("unknown-issue", value=meta.get("digest", "?")))
    verdict = base if month is None else _window(ctx, month, base, due)
    if has_errors(list(verdict.findings)):
        return verdict
    return Opened(period, snapshot, verdict, month, year)


def _period(
    config: Config, meta: dict, kind: str
) -> tuple[MonthCalendar | None, int | None, str | None]:
    if kind in ("allocation", "targets"):
        try:
            year = parse_fiscal_year(meta.get("fiscal_year", ""))
        except BadPeriod:
            return None, None, None
        return None, year, str(year) if year == config.fiscal_year else None
    try:
        period = Period.parse(meta["period"])
    except (BadPeriod, KeyError):
        return None, None, None
    return MonthCalendar(period, config.calendar.rules), None, str(period)


def _bad_period(config: Config, meta: dict, kind: str, year: int | None) -> list[Finding]:
    if year is not None:
        return [finding("wrong-fiscal-year", value=year, expected=config.fiscal_year)]
    key = "fiscal_year" if kind in ("allocation", "targets") else "period"
    return [finding("bad-period", value=meta.get(key, ""))]


def _window(ctx: Context, month: MonthCalendar, verdict: Verdict, due: Due | None) -> Verdict:
    """Locked → rejected with the correction procedure, unless a correction is open (then
    taken, once); before the lock but past the window → late, flagged or rejected by policy."""
    period = str(month.period)
    if month.is_locked(ctx.now):
        opened = workflow.open_correction_for(ctx.conn, ctx.office, period)
        if opened is None:
            last = month.strategy.last
            expected = f"{date_th(last)} / {date_en(last)}"
            return verdict.rejected(finding("period-locked", value=period, expected=expected))
        memo = f"{opened.memo_number} ({opened.memo_date}, {opened.approved_by})"
        applied = finding("correction-applied", value=period, expected=memo)
        return replace(verdict.adding([applied]), correction_id=opened.id)
    last_day = due(ctx, month) if due is not None else None
    if last_day is None:
        return verdict
    expected = f"{date_th(last_day)} / {date_en(last_day)}"
    if ctx.config.calendar.late_policy == "reject":
        return verdict.rejected(finding("late-rejected", value=period, expected=expected))
    return replace(verdict.adding([finding("late", value=period, expected=expected)]), late=True)
