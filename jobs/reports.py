"""The RPT reports (DESIGN §7): read the period's figures from the ledger once, build a
report's data model from its spec and render it with `templates.reports` to XLSX, PDF and HTML.

A report is named by its code (`RPT111`: the ledger's reports, `jobs.report_bodies.REPORTS`) or
handed as a `ReportSpec`: a room above jobs/ builds its own this way (kpi/ gives RPT311), and
the command line passes the whole catalogue it knows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from eop.periods import Period
from eop.thai import date_en, datetime_th
from jobs.consolidate import Inputs, read_inputs, timeliness_of
from jobs.deployment import Deployment
from jobs.report_bodies import PACKAGE, REPORTS
from jobs.report_spec import Body, Context, ReportError, ReportSpec
from ledger.reference import ActivityRow, activity_rows
from ledger.reports import SubmissionFacts, submission_facts
from templates.reports import ReportData, render_html, render_pdf
from templates.reports.seal import figures_digest, seal, unchanged

__all__ = [  # the reports' vocabulary, for callers that build or name reports
    "PACKAGE",
    "REPORTS",
    "Body",
    "Context",
    "ReportError",
    "ReportSpec",
]

FORMATS = ("xlsx", "pdf", "html")
Report = str | ReportSpec  # a code of `REPORTS`, or a spec handed in


# -- building and rendering ------------------------------------------------------


def report_code(text: str, catalogue: Mapping[str, ReportSpec] = REPORTS) -> str:
    """`RPT111`, `rpt111` or `111` → `RPT111`; one not in `catalogue` is a ReportError."""
    code = text.strip().upper()
    code = code if code.startswith("RPT") else f"RPT{code}"
    if code not in catalogue:
        raise ReportError(
            f"ไม่มีรายงาน {text!r} (มี {', '.join(catalogue)}) — "
            f"no report {text!r}; the reports are {', '.join(catalogue)}"
        )
    return code


def spec_of(report: Report) -> ReportSpec:
    """The spec handed in, or the ledger report's of that code."""
    return report if isinstance(report, ReportSpec) else REPORTS[report_code(report)]


def check_office(deployment: Deployment, office: str) -> None:
    known = [o.code for o in deployment.config.offices]
    if office not in known:
        listed = ", ".join(known) if len(known) <= 20 else f"{len(known)} offices in config.yaml"
        raise ReportError(
            f"ไม่มีหน่วยงานรหัส {office!r} (มี {listed}) — no office {office!r}; known: {listed}"
        )


def default_office(deployment: Deployment) -> str:
    """The deployment's province (the demo's is 71), else the top of the hierarchy."""
    provinces = deployment.config.provinces()
    return (provinces[0] if provinces else deployment.config.offices[0]).code


@dataclass(frozen=True)
class Source:
    """What the reports of one period read from the ledger: read once for as many reports
    and offices as wanted (a country's is 316,000 result rows)."""

    period: Period
    inputs: Inputs
    catalogue: dict[str, ActivityRow]
    facts: dict[str, SubmissionFacts]


def read_source(
    deployment: Deployment, period: Period | str, among: Collection[str] | None = None
) -> Source:
    """The period's figures for the reports: every office's, or those `among` (the offices of
    the provinces whose reports are drawn)."""
    month = Period.parse(period)
    with deployment.ledger.reading() as conn:  # one snapshot, and no lock held
        return Source(
            month,
            read_inputs(conn, month, among),
            {a.code: a for a in activity_rows(conn, month.fiscal_year)},
            submission_facts(conn, "monthly", str(month)),
        )


def build_report(
    deployment: Deployment,
    report: Report,
    period: Period | str,
    office: str,
    source: Source | None = None,
) -> ReportData:
    """`report`: a code of `REPORTS` or a spec (RPT311 from kpi/); `source`: the period's
    figures when already read (read_source), else read here."""
    spec = spec_of(report)
    check_office(deployment, office)
    month = Period.parse(period)
    config = deployment.config
    if source is None or source.period != month:
        source = read_source(deployment, month)
    offices = timeliness_of(config, office, source.facts)
    body = spec.build(Context(deployment, office, month, source.inputs, source.catalogue, offices))
    here, now = config.office(office), deployment.now()
    return ReportData(
        code=spec.code,
        kind=spec.kind,
        title_th=spec.title_th,
        title_en=spec.title_en,
        office=office,
        office_th=here.name_th,
        office_en=here.name_en,
        period=str(month),
        period_th=month.name_th,
        period_en=month.name_en,
        fiscal_year=month.fiscal_year,
        generated_at=now,
        generated_th=datetime_th(now),
        generated_en=f"{date_en(now)}, {now:%H:%M}",
        columns=body.columns,
        rows=body.rows,
        totals=body.totals,
        chart=body.chart,
        notes=body.notes,
        thai_numerals=config.thai_numerals,
    )


def write(data: ReportData, fmt: str, out: Path, *, keep_unchanged: bool = False) -> Path:
    """The report at `out`. keep_unchanged: a report already there from the same figures (but
    the moment it was made) is left as it is (templates.reports.seal)."""
    if not keep_unchanged:
        return _write(data, fmt, out)
    digest = figures_digest(data, fmt)
    if not unchanged(out, digest):
        seal(_write(data, fmt, out), digest)
    return out


def _write(data: ReportData, fmt: str, out: Path) -> Path:
    if fmt == "pdf":
        return render_pdf(data, out)
    if fmt == "xlsx":
        from templates.reports.xlsx import render_xlsx  # openpyxl: when an XLSX is written

        return render_xlsx(data, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data), encoding="utf-8")
    return out


def report_path(
    deployment: Deployment,
    code: str,
    period: Period | str,
    office: str,
    fmt: str,
    out_dir: Path | None = None,
) -> Path:
    folder = out_dir or deployment.root / "reports" / str(Period.parse(period)) / office
    return folder / f"{code}.{fmt}"


def render_report(
    deployment: Deployment,
    report: Report,
    period: Period | str,
    office: str,
    fmt: str,
    out_dir: Path | None = None,
) -> Path:
    """Build one report and write it, by default to var/reports/<period>/<office>/RPTnnn.<fmt>."""
    if fmt not in FORMATS:
        raise ReportError(
            f"ไม่รู้จักรูปแบบ {fmt!r} (ใช้ {', '.join(FORMATS)}) — unknown format {fmt!r}; use {', '.join(FORMATS)}"
        )
    return render_reports(deployment, [report], period, [office], [fmt], out_dir)[0]


def render_reports(
    deployment: Deployment,
    reports: Iterable[Report],
    period: Period | str,
    offices: Iterable[str],
    formats: Iterable[str],
    out_dir: Path | None = None,
    *,
    keep_unchanged: bool = False,
    source: Source | None = None,
) -> list[Path]:
    """Reports of one period for several offices (every province, for the centre): the ledger
    read once (or `source`, read already), each report built once and written in each format.
    Into `out_dir` when given (a folder per office there when there are several);
    keep_unchanged: see write."""
    source, specs, formats, offices = (
        source if source is not None else read_source(deployment, period),
        [spec_of(r) for r in reports],
        tuple(formats),
        list(offices),
    )
    written = []
    for office in offices:
        folder = out_dir / office if out_dir is not None and len(offices) > 1 else out_dir
        for spec in specs:
            data = build_report(deployment, spec, period, office, source)
            written += [
                write(
                    data,
                    fmt,
                    report_path(deployment, data.code, period, office, fmt, folder),
                    keep_unchanged=keep_unchanged,
                )
                for fmt in formats
            ]
    return written


def render_package(
    deployment: Deployment,
    period: Period | str,
    office: str,
    reports: Iterable[Report] = PACKAGE,
    formats: Iterable[str] = ("xlsx", "pdf"),
    source: Source | None = None,
) -> list[Path]:
    """The strategy group's package on the 1st, and the same reports to the centre once the
    planner confirms (left as they are if their figures have not changed since)."""
    return render_reports(
        deployment, reports, period, [office], tuple(formats), keep_unchanged=True, source=source
    )
