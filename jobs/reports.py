"""The RPT reports (DESIGN §7): one data model per report, built from the ledger and
rendered by `templates.reports` to XLSX, PDF and HTML.

Reports are numbered as the seed says: an odd leading digit is a performance report, an
even one a budget report (RPT1xx performance, RPT2xx budget); `REPORTS` is the catalogue
and a test holds it to that rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from eop.calendar import MonthCalendar
from eop.periods import Period
from eop.states import STATE_NAMES
from eop.thai import date_en, date_th, datetime_th
from jobs.consolidate import (
    Figures,
    Inputs,
    Timeliness,
    own,
    read_inputs,
    rollup,
    timeliness_of,
    year_to_date,
)
from jobs.deployment import Deployment
from ledger.reference import ActivityRow, activity_rows
from ledger.reports import SubmissionFacts, submission_facts
from templates.reports import (
    Bar,
    Chart,
    Column,
    ReportData,
    Row,
    Text,
    render_html,
    render_pdf,
    render_xlsx,
)

FORMATS = ("xlsx", "pdf", "html")
PACKAGE = (
    "RPT111",
    "RPT112",
    "RPT113",
    "RPT211",
    "RPT212",
)  # the strategy group's package on the 1st


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
    kind: Literal["performance", "budget"]
    title_th: str
    title_en: str
    build: Callable[[Context], Body]


# -- columns ---------------------------------------------------------------------

ACTIVITY = [
    Column("รหัส", "Code", "code", 8),
    Column("กิจกรรม", "Activity", "text", 48),
    Column("หน่วยนับ", "Unit", "text", 10),
]
OFFICE = [Column("รหัส", "Code", "code", 8), Column("หน่วยงาน", "Office", "text", 48)]
PERFORMANCE = [
    Column("เป้าหมายทั้งปี", "Annual target", "quantity", 14),
    Column("ผลเดือนนี้", "This month", "quantity", 13),
    Column("ผลสะสม", "Cumulative (FY to date)", "quantity", 14),
    Column("ร้อยละของเป้าหมาย", "% of target", "percent", 12),
]
BUDGET = [
    Column("งบประมาณที่ได้รับจัดสรร", "Allocated budget (baht)", "money", 17),
    Column("เบิกจ่ายเดือนนี้", "Spent this month (baht)", "money", 16),
    Column("เบิกจ่ายสะสม", "Spent to date (baht)", "money", 16),
    Column("ร้อยละการเบิกจ่าย", "% disbursed", "percent", 12),
    Column("คงเหลือ", "Remaining (baht)", "money", 16),
]
TIMELINESS = [
    Column("รหัส", "Code", "code", 8),
    Column("หน่วยงาน", "Office", "text", 44),
    Column("สถานะ", "State", "text", 18),
    Column("ไฟล์ที่ได้รับ", "Files received", "count", 10),
    Column("ฉบับที่รับไว้", "Versions accepted", "count", 10),
    Column("ไฟล์ที่ตีกลับ", "Rejected attempts", "count", 10),
    Column("ยืนยันส่ง", "Confirmed", "flag", 9),
    Column("อนุมัติ", "Approved", "flag", 9),
    Column("ล่าช้า", "Late", "flag", 9),
    Column("ได้รับครั้งแรก", "First received", "moment", 19),
    Column("รับฉบับล่าสุด", "Latest version accepted", "moment", 19),
]
STATES = {state: Text(th, en) for state, (th, en) in STATE_NAMES.items()}  # eop.states' table


# Sums of floats carry noise (32304.800000000003); a report shows baht to the satang.
def performance_cells(f: Figures) -> tuple:
    return round(f.target_qty, 4), round(f.month_qty, 4), round(f.cum_qty, 4), f.pct_achieved


def budget_cells(f: Figures) -> tuple:
    return (
        round(f.budget, 2),
        round(f.month_spent, 2),
        round(f.cum_spent, 2),
        f.pct_disbursed,
        round(f.remaining, 2),
    )


# -- pieces shared by the reports ------------------------------------------------


def activity_label(ctx: Context, code: str) -> tuple[Text, Text]:
    """(name, unit) of an activity, Thai with English beneath."""
    row = ctx.catalogue.get(code)
    if row is None:  # results on an activity no longer in the catalogue still count
        return Text(code), Text("")
    return Text(row.name_th, row.name_en), Text(row.unit, row.unit_en)


def by_output(ctx: Context) -> list[tuple[Text, list[str]]]:
    """The activities grouped under their output (ผลผลิต), in catalogue order."""
    names = {
        o.code: Text(o.name_th, o.name_en)
        for plan in ctx.deployment.config.plans
        for o in plan.outputs
    }
    groups: dict[str, list[str]] = {}
    for code in ctx.inputs.activities:
        row = ctx.catalogue.get(code)
        groups.setdefault(row.output if row else "", []).append(code)
    return [(names.get(output, Text("อื่น ๆ", "other")), codes) for output, codes in groups.items()]


def expected_percent(period: Period) -> float:
    """Where an even pace would be by this period: months of the fiscal year elapsed / 12."""
    return len(year_to_date(period)) / 12 * 100


def common_notes(ctx: Context) -> list[Text]:
    first, last = year_to_date(ctx.period)[0], ctx.period
    return [
        Text(
            f"ผลสะสม: {first.name_th} – {last.name_th} (ปีงบประมาณ {last.fiscal_year})",
            f"Cumulative: {first.name_en} – {last.name_en}, fiscal year {last.fiscal_year} BE",
        ),
        Text(
            "นับเฉพาะฉบับล่าสุดที่รับไว้ของแต่ละหน่วยงานในแต่ละงวด",
            "Only the latest accepted version of each office's workbook for each period counts.",
        ),
    ]


def by_activity(ctx: Context, cells: Callable[[Figures], tuple]) -> list[Row]:
    """One row per activity of the office's consolidated figures, grouped by output."""
    figures = rollup(ctx.inputs, ctx.deployment.config, ctx.office)
    rows = []
    for label, codes in by_output(ctx):
        rows.append(Row((label,), "group"))
        for code in codes:
            rows.append(Row((code, *activity_label(ctx, code), *cells(figures[code]))))
    return rows


def lines(ctx: Context) -> list[tuple[Text, str, dict[str, Figures]]]:
    """(label, code, activity → figures) of the office's own line, if it reports, and of
    each office under it (a district, or a province under a region)."""
    config = ctx.deployment.config
    here = config.office(ctx.office)
    found = []
    if here.level in ("province", "district") and config.children(ctx.office):
        found.append(
            (
                Text(f"{here.name_th} (ผลงานของสำนักงานเอง — own results)"),
                here.code,
                own(ctx.inputs, here.code),
            )
        )
    # Thai names only: the office repeats in every activity's group, one line each keeps it short
    for child in config.children(ctx.office):
        found.append((Text(child.name_th), child.code, rollup(ctx.inputs, config, child.code)))
    if not found:  # a district: its own line is the whole report
        found.append((Text(here.name_th), here.code, rollup(ctx.inputs, config, here.code)))
    return found


def by_office_and_activity(
    ctx: Context, cells: Callable[[Figures], tuple], amount: Callable[[Figures], float]
) -> list[Row]:
    """Per activity: a group row, one row per office, and the office's total."""
    each = lines(ctx)
    total = rollup(ctx.inputs, ctx.deployment.config, ctx.office)
    here = ctx.deployment.config.office(ctx.office)
    rows = []
    for code in ctx.inputs.activities:
        if not any(amount(figures[code]) for _, _, figures in each) and not amount(total[code]):
            continue  # an activity with no target and no results anywhere: nothing to show
        name, unit = activity_label(ctx, code)
        rows.append(
            Row(
                (
                    Text(
                        f"{code} {name.th} ({unit.th})", f"{name.en} ({unit.en})" if name.en else ""
                    ),
                ),
                "group",
            )
        )
        for label, office, figures in each:
            rows.append(Row((office, label, *cells(figures[code]))))
        rows.append(
            Row(
                ("", Text(f"รวม {here.name_th}", f"total, {here.name_en}"), *cells(total[code])),
                "subtotal",
            )
        )
    return rows


def performance_amount(f: Figures) -> float:
    return f.target_qty + f.cum_qty


def budget_amount(f: Figures) -> float:
    return f.budget + f.cum_spent


# -- the reports -----------------------------------------------------------------


def rpt111(ctx: Context) -> Body:
    figures = rollup(ctx.inputs, ctx.deployment.config, ctx.office)
    measured = [f.pct_achieved for f in figures.values() if f.pct_achieved is not None]
    average = sum(measured) / len(measured) if measured else None
    expected = expected_percent(ctx.period)
    chart = Chart(
        "ร้อยละของเป้าหมายทั้งปี จำแนกตามกิจกรรม (ผลสะสม)",
        "% of the annual target achieved, by activity (cumulative)",
        [
            Bar(code, activity_label(ctx, code)[0].th, figures[code].pct_achieved)
            for code in ctx.inputs.activities
        ],
        expected,
        f"เส้นประ: ควรได้ร้อยละ {expected:.0f} ถ้าทำงานสม่ำเสมอตลอดปี",
        f"dashed line: {expected:.0f}% expected at an even pace",
    )
    totals = Row(
        ("", Text("เฉลี่ยร้อยละของเป้าหมาย", "average % of target"), "", "", "", "", average), "total"
    )
    notes = [
        Text(
            "เป้าหมายจังหวัดตามเอกสารงบประมาณ; ผลงานรวมผลงานของสำนักงานปศุสัตว์จังหวัดเอง",
            "Province targets from the budget document; results include the province office's own.",
        )
    ]
    return Body(
        ACTIVITY + PERFORMANCE,
        by_activity(ctx, performance_cells),
        totals,
        chart,
        notes + common_notes(ctx),
    )


def rpt211(ctx: Context) -> Body:
    figures = rollup(ctx.inputs, ctx.deployment.config, ctx.office)
    budget, month, spent = (
        sum(getattr(f, name) for f in figures.values())
        for name in ("budget", "month_spent", "cum_spent")
    )
    expected = expected_percent(ctx.period)
    chart = Chart(
        "ร้อยละการเบิกจ่ายงบประมาณ จำแนกตามกิจกรรม (สะสม)",
        "% of the budget disbursed, by activity (to date)",
        [
            Bar(code, activity_label(ctx, code)[0].th, figures[code].pct_disbursed)
            for code in ctx.inputs.activities
        ],
        expected,
        f"เส้นประ: ควรเบิกจ่ายร้อยละ {expected:.0f} ถ้าเบิกจ่ายสม่ำเสมอตลอดปี",
        f"dashed line: {expected:.0f}% expected at an even pace",
    )
    totals = Row(
        (
            "",
            Text("รวมทุกกิจกรรม", "all activities"),
            "",
            round(budget, 2),
            round(month, 2),
            round(spent, 2),
            spent / budget * 100 if budget else None,
            round(budget - spent, 2),
        ),
        "total",
    )
    return Body(ACTIVITY + BUDGET, by_activity(ctx, budget_cells), totals, chart, common_notes(ctx))


def rpt112(ctx: Context) -> Body:
    notes = [
        Text(
            "กลุ่มละหนึ่งกิจกรรม: ผลงานแต่ละหน่วยงาน (เทียบเป้าหมายที่ได้รับจัดสรร) และผลรวม (เทียบเป้าหมายจังหวัด)",
            "One group per activity: each office against its allocated target, and the total against the province target.",
        )
    ]
    return Body(
        OFFICE + PERFORMANCE,
        by_office_and_activity(ctx, performance_cells, performance_amount),
        None,
        None,
        notes + common_notes(ctx),
    )


def rpt212(ctx: Context) -> Body:
    rows = by_office_and_activity(ctx, budget_cells, budget_amount)
    total = rollup(ctx.inputs, ctx.deployment.config, ctx.office).values()
    budget, month, spent = (
        sum(getattr(f, name) for f in total) for name in ("budget", "month_spent", "cum_spent")
    )
    totals = Row(
        (
            "",
            Text("รวมทุกกิจกรรม", "all activities"),
            round(budget, 2),
            round(month, 2),
            round(spent, 2),
            spent / budget * 100 if budget else None,
            round(budget - spent, 2),
        ),
        "total",
    )
    return Body(OFFICE + BUDGET, rows, totals, None, common_notes(ctx))


def rpt113(ctx: Context) -> Body:
    rows = [
        Row(
            (
                t.office,
                Text(t.name_th, t.name_en),
                STATES.get(t.state, Text(t.state)),
                t.received,
                t.versions,
                t.rejected,
                t.confirmed,
                t.approved,
                t.late,
                t.first_received_at,
                t.latest_accepted_at,
            )
        )
        for t in ctx.offices
    ]
    count = len(ctx.offices)
    reported = sum(t.reported for t in ctx.offices)
    totals = Row(
        (
            "",
            Text(f"รวม {count} หน่วยงาน", f"total, {count} offices"),
            Text(f"ส่งแล้ว {reported}/{count}", f"reported {reported}/{count}"),
            *(
                sum(getattr(t, name) for t in ctx.offices)
                for name in ("received", "versions", "rejected")
            ),
            *(
                sum(getattr(t, name) for t in ctx.offices)
                for name in ("confirmed", "approved", "late")
            ),
            None,
            None,
        ),
        "total",
    )
    month = MonthCalendar(ctx.period, ctx.deployment.config.calendar.rules)
    entry, lock = month.entry, month.strategy.last
    notes = [
        Text(
            f"บันทึกและยืนยันส่ง {date_th(entry.first, short=True)} – {date_th(entry.last, short=True)}; "
            f"ปิดงวดหลัง {date_th(lock, short=True)}; ล่าช้า = ฉบับล่าสุดรับไว้หลังช่วงบันทึก",
            f"Entry {date_en(entry.first)} – {date_en(entry.last)}; locked after {date_en(lock)}; "
            "late = the latest version arrived after the entry window",
        ),
        Text(
            "ไฟล์ที่ได้รับ นับไฟล์ที่อ่านได้ว่าเป็นของงวดนี้ (รับไว้ ตีกลับ หรือซ้ำ)",
            "Files received counts the files read as this period's (accepted, rejected or duplicate).",
        ),
    ]
    return Body(TIMELINESS, rows, totals, None, notes)


def rpt311(ctx: Context) -> Body:
    """The KPI scorecard of the round the period falls in: built by kpi.scorecard from config's rules."""
    from kpi.scorecard import rpt311_body

    return rpt311_body(ctx)


REPORTS: dict[str, ReportSpec] = {
    "RPT111": ReportSpec(
        "performance",
        "รายงานผลการปฏิบัติงานระดับจังหวัด จำแนกตามกิจกรรม",
        "Province performance by activity",
        rpt111,
    ),
    "RPT112": ReportSpec(
        "performance",
        "รายงานผลการปฏิบัติงาน จำแนกตามอำเภอและกิจกรรม",
        "Performance by district and activity",
        rpt112,
    ),
    "RPT113": ReportSpec(
        "performance",
        "รายงานการส่งข้อมูลและความตรงเวลา จำแนกตามหน่วยงาน",
        "Submission and timeliness by office",
        rpt113,
    ),
    "RPT211": ReportSpec(
        "budget",
        "รายงานผลการเบิกจ่ายงบประมาณระดับจังหวัด จำแนกตามกิจกรรม",
        "Province budget spending by activity",
        rpt211,
    ),
    "RPT212": ReportSpec(
        "budget",
        "รายงานผลการเบิกจ่ายงบประมาณ จำแนกตามอำเภอและกิจกรรม",
        "Budget spending by district and activity",
        rpt212,
    ),
    "RPT311": ReportSpec(
        "performance",
        "รายงานผลการประเมินตัวชี้วัด (KPI) ประจำรอบ",
        "KPI scorecard for the round",
        rpt311,
    ),
}


# -- building and rendering ------------------------------------------------------


def report_code(text: str) -> str:
    """`RPT111`, `rpt111` or `111` → `RPT111`; an unknown one is a ReportError."""
    code = text.strip().upper()
    code = code if code.startswith("RPT") else f"RPT{code}"
    if code not in REPORTS:
        raise ReportError(
            f"ไม่มีรายงาน {text!r} (มี {', '.join(REPORTS)}) — "
            f"no report {text!r}; the reports are {', '.join(REPORTS)}"
        )
    return code


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


def read_source(deployment: Deployment, period: Period | str) -> Source:
    month = Period.parse(period)
    with deployment.ledger.reading() as conn:  # one snapshot, and no lock held
        return Source(
            month,
            read_inputs(conn, month),
            {a.code: a for a in activity_rows(conn, month.fiscal_year)},
            submission_facts(conn, "monthly", str(month)),
        )


def build_report(
    deployment: Deployment,
    code: str,
    period: Period | str,
    office: str,
    source: Source | None = None,
) -> ReportData:
    """`source`: the period's figures when already read (read_source), else read here."""
    code = report_code(code)
    check_office(deployment, office)
    month = Period.parse(period)
    config, spec = deployment.config, REPORTS[code]
    if source is None or source.period != month:
        source = read_source(deployment, month)
    offices = timeliness_of(config, office, source.facts)
    body = spec.build(Context(deployment, office, month, source.inputs, source.catalogue, offices))
    here, now = config.office(office), deployment.now()
    return ReportData(
        code=code,
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


def write(data: ReportData, fmt: str, out: Path) -> Path:
    if fmt == "pdf":
        return render_pdf(data, out)
    if fmt == "xlsx":
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
    code: str,
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
    return render_reports(deployment, [code], period, [office], [fmt], out_dir)[0]


def render_reports(
    deployment: Deployment,
    codes: Iterable[str],
    period: Period | str,
    offices: Iterable[str],
    formats: Iterable[str],
    out_dir: Path | None = None,
) -> list[Path]:
    """Reports of one period for several offices (every province, for the centre): the ledger
    read once, each report built once and written in each format. Into `out_dir` when given
    (a folder per office there when there are several)."""
    source, codes, formats, offices = (
        read_source(deployment, period),
        tuple(codes),
        tuple(formats),
        list(offices),
    )
    written = []
    for office in offices:
        folder = out_dir / office if out_dir is not None and len(offices) > 1 else out_dir
        for code in codes:
            data = build_report(deployment, code, period, office, source)
            written += [
                write(data, fmt, report_path(deployment, data.code, period, office, fmt, folder))
                for fmt in formats
            ]
    return written


def render_package(
    deployment: Deployment,
    period: Period | str,
    office: str,
    codes: Iterable[str] = PACKAGE,
    formats: Iterable[str] = ("xlsx", "pdf"),
) -> list[Path]:
    """The strategy group's package on the 1st."""
    return render_reports(deployment, codes, period, [office], tuple(formats))
