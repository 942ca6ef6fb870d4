"""The bodies of the ledger's reports (DESIGN §7): RPT111, 112, 113 (performance) and RPT211,
212 (budget), each a function of a `Context`; `REPORTS` is their catalogue, and a test holds it
to the seed's rule (odd leading digit performance, even budget). RPT311, the KPI scorecard, is
built in kpi/ (kpi.rpt311) and handed to `jobs.reports` as a spec like these.
"""

from __future__ import annotations

from collections.abc import Callable

from eop.calendar import MonthCalendar
from eop.periods import Period
from eop.states import STATE_NAMES
from eop.thai import date_en, date_th
from jobs.consolidate import Figures, own, rollup, year_to_date
from jobs.report_spec import Body, Context, ReportSpec
from templates.reports import Bar, Chart, Column, Row, Text

# the strategy group's package on the 1st
PACKAGE = ("RPT111", "RPT112", "RPT113", "RPT211", "RPT212")

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
    return Body(TIMELINESS, rows, _timeliness_totals(ctx), None, _timeliness_notes(ctx))


def _timeliness_totals(ctx: Context) -> Row:
    count = len(ctx.offices)
    reported = sum(t.reported for t in ctx.offices)
    sums = (
        sum(getattr(t, name) for t in ctx.offices)
        for name in ("received", "versions", "rejected", "confirmed", "approved", "late")
    )
    label = Text(f"รวม {count} หน่วยงาน", f"total, {count} offices")
    state = Text(f"ส่งแล้ว {reported}/{count}", f"reported {reported}/{count}")
    return Row(("", label, state, *sums, None, None), "total")


def _timeliness_notes(ctx: Context) -> list[Text]:
    month = MonthCalendar(ctx.period, ctx.deployment.config.calendar.rules)
    entry, lock = month.entry, month.strategy.last
    return [
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


REPORTS: dict[str, ReportSpec] = {
    "RPT111": ReportSpec(
        "RPT111",
        "performance",
        "รายงานผลการปฏิบัติงานระดับจังหวัด จำแนกตามกิจกรรม",
        "Province performance by activity",
        rpt111,
    ),
    "RPT112": ReportSpec(
        "RPT112",
        "performance",
        "รายงานผลการปฏิบัติงาน จำแนกตามอำเภอและกิจกรรม",
        "Performance by district and activity",
        rpt112,
    ),
    "RPT113": ReportSpec(
        "RPT113",
        "performance",
        "รายงานการส่งข้อมูลและความตรงเวลา จำแนกตามหน่วยงาน",
        "Submission and timeliness by office",
        rpt113,
    ),
    "RPT211": ReportSpec(
        "RPT211",
        "budget",
        "รายงานผลการเบิกจ่ายงบประมาณระดับจังหวัด จำแนกตามกิจกรรม",
        "Province budget spending by activity",
        rpt211,
    ),
    "RPT212": ReportSpec(
        "RPT212",
        "budget",
        "รายงานผลการเบิกจ่ายงบประมาณ จำแนกตามอำเภอและกิจกรรม",
        "Budget spending by district and activity",
        rpt212,
    ),
}
