"""The RPT reports (DESIGN §7) on the demo's round: every report in XLSX, PDF and HTML for
March 2558 and the province (71). The PDFs are read back with poppler (pdffonts,
pdftotext, pdfinfo) and one page is rendered to PNG in test-output/ for a person to
look at. Figures are checked against sums computed here straight from the ledger's
SQLite file, independently of the product's queries."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
import typer
from markupsafe import Markup
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from eop.clock import BANGKOK
from jobs.deployment import Deployment
from jobs.reports import PACKAGE, build_report, render_package, render_report
from kpi.rpt311 import CATALOGUE as REPORTS  # the ledger's reports and RPT311, built in kpi/
from simulation.demo import run_demo
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

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "test-output"
PERIOD, OFFICE, THA_MAKA = "2558-03", "71", "7105"
FORMATS = ("xlsx", "pdf", "html")
PROVINCE_TH = "สำนักงานปศุสัตว์จังหวัดกาญจนบุรี"


def normalise(text: str) -> str:
    """Text compared exactly, white space aside (the PDFs' text layer is exact Thai:
    templates.pdf_text, tests/test_pdf_text.py)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFC", text))


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Deployment:
    return run_demo(tmp_path_factory.mktemp("demo"), Console(quiet=True))


@pytest.fixture(scope="module")
def rendered(demo, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """XLSX + PDF of the package in the default place, HTML into a folder of our choice."""
    paths = {
        (p.stem, p.suffix[1:]): p for p in render_package(demo, PERIOD, OFFICE, REPORTS.values())
    }  # RPT311 too
    html_dir = tmp_path_factory.mktemp("html")
    paths |= {
        (code, "html"): render_report(demo, spec, PERIOD, OFFICE, "html", out_dir=html_dir)
        for code, spec in REPORTS.items()
    }
    return paths


def ledger_sums(demo: Deployment, activity: str, period: str = PERIOD) -> dict[str, float]:
    """Month and cumulative (Oct 2557 → period) quantity and spending of the whole province,
    from the latest version of every office's monthly submission, in plain SQL."""
    sql = """
        SELECT s.period, r.quantity, r.spending FROM results r JOIN submissions s ON s.id = r.submission_id
        WHERE s.kind = 'monthly' AND r.activity = ? AND s.period BETWEEN '2557-10' AND ?
          AND s.version = (SELECT MAX(t.version) FROM submissions t
                           WHERE t.office = s.office AND t.kind = s.kind AND t.period = s.period)"""
    with sqlite3.connect(demo.ledger.path) as db:
        rows = db.execute(sql, (activity, period)).fetchall()
    return {
        "month_qty": sum(q for p, q, _ in rows if p == period),
        "cum_qty": sum(q for _, q, _ in rows),
        "month_spent": sum(s for p, _, s in rows if p == period),
        "cum_spent": sum(s for _, _, s in rows),
    }


# -- the catalogue ---------------------------------------------------------------


def test_report_numbers_follow_the_rule_odd_performance_even_budget():
    for code, spec in REPORTS.items():
        assert re.fullmatch(r"RPT\d{3}", code), code
        leading = int(code[3])
        assert spec.kind == ("performance" if leading % 2 else "budget"), code
        assert spec.title_th and spec.title_en
    assert set(PACKAGE) == {"RPT111", "RPT112", "RPT113", "RPT211", "RPT212"} <= set(REPORTS)


# -- every report, every format --------------------------------------------------


@pytest.mark.parametrize("code", list(REPORTS))
def test_every_report_is_written_in_every_format(demo, rendered, code):
    for fmt in FORMATS:
        path = rendered[(code, fmt)]
        assert path.name == f"{code}.{fmt}" and path.stat().st_size > 0
    assert rendered[(code, "pdf")] == demo.root / "reports" / PERIOD / OFFICE / f"{code}.pdf"


@pytest.mark.parametrize("code", list(REPORTS))
def test_each_pdf_embeds_sarabun_and_says_what_it_is(rendered, code):
    pdf = rendered[(code, "pdf")]
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sarabun = [line.split() for line in fonts.splitlines() if "+Sarabun" in line]
    assert sarabun, fonts
    assert all(line[-5] == "yes" for line in sarabun), fonts  # the "emb" column
    assert not [line for line in fonts.splitlines()[2:] if "Sarabun" not in line], (
        fonts
    )  # no other font sneaks in
    text = pdftotext(pdf)
    spec = REPORTS[code]
    for thai in (spec.title_th, PROVINCE_TH, "มีนาคม 2558"):
        assert normalise(thai) in normalise(text), thai
    assert spec.title_en in text and "2558-03" in text
    count = pages(pdf)
    assert count >= 1
    assert (
        f"page 1/{count}" in text and f"page {count}/{count}" in text
    )  # the footer, on every page


def test_the_pdfs_columns_are_as_wide_as_weasyprints_own_layout_would_make_them(demo):
    """The PDF gives its table's widths (templates.reports.widths) instead of letting
    WeasyPrint measure every cell: they must be the widths its automatic layout finds on
    the same report, so that nothing wraps or spills that would not have."""
    from weasyprint import HTML

    from templates.pdf import _font_config, _stylesheet
    from templates.reports.render import HERE, _html, pdf_column_widths

    for code, spec in REPORTS.items():
        data = build_report(demo, spec, PERIOD, OFFICE)
        automatic = HTML(string=_html(data, Markup(""), {}, []), base_url=HERE.as_uri() + "/")
        layout = automatic.render(
            stylesheets=[_stylesheet(None), _stylesheet(HERE / "report.css")],
            font_config=_font_config(),
        )
        table = next(
            box
            for box in layout.pages[0]._page_box.descendants()  # WeasyPrint's laid-out boxes
            if getattr(box, "column_widths", None)
        )
        theirs = [100 * width / sum(table.column_widths) for width in table.column_widths]
        ours = pdf_column_widths(data)
        assert len(ours) == len(theirs) and sum(ours) == pytest.approx(100)
        close = 0.5 if code in PACKAGE else 5  # RPT311's Thai sentences wrap between words
        assert ours == pytest.approx(theirs, abs=close), code


def test_rpt113_of_the_province_fits_one_page(rendered):
    assert pages(rendered[("RPT113", "pdf")]) == 1  # 14 offices, the totals and the notes


@pytest.mark.parametrize("code", list(REPORTS))
def test_the_html_carries_exact_thai_and_fetches_nothing(rendered, code):
    html = rendered[(code, "html")].read_text(encoding="utf-8")
    spec = REPORTS[code]
    assert spec.title_th in html and PROVINCE_TH in html and "มีนาคม 2558" in html
    assert (
        "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    )
    assert "@font-face" not in html  # a mail body carries no local font path


# -- the figures -----------------------------------------------------------------


def test_a_package_report_whose_figures_have_not_changed_is_left_as_it_is(demo, tmp_path):
    """The package on the 1st, the same reports to the centre on the 2nd: a report whose
    figures are the same is not drawn again (it keeps the moment it was made); one whose
    figures changed, or whose file was touched since, is; `eop report` always writes."""
    from dataclasses import replace

    from jobs.reports import write

    first = build_report(demo, "RPT111", PERIOD, OFFICE)
    out = tmp_path / "RPT111.pdf"
    write(first, "pdf", out, keep_unchanged=True)
    made = out.stat().st_mtime_ns
    second = replace(first, generated_th="๒ เม.ย. ๒๕๕๘ ๑๐:๐๐", generated_en="2 April 2015, 10:00")
    write(second, "pdf", out, keep_unchanged=True)
    assert out.stat().st_mtime_ns == made
    assert normalise(first.generated_en) in normalise(pdftotext(out))
    changed = replace(second, rows=second.rows[:-1])
    write(changed, "pdf", out, keep_unchanged=True)
    assert normalise(second.generated_en) in normalise(pdftotext(out))
    os.utime(out, ns=(made, made))  # a file put there by hand, or restored from a backup
    write(replace(changed, generated_en="3 April 2015, 10:00"), "pdf", out, keep_unchanged=True)
    assert normalise("3 April 2015, 10:00") in normalise(pdftotext(out))
    write(replace(changed, generated_en="4 April 2015, 10:00"), "pdf", out)
    assert normalise("4 April 2015, 10:00") in normalise(pdftotext(out))


def test_rpt111_by_hand_two_activities_equal_the_sum_over_offices_in_the_ledger(demo):
    data = build_report(demo, "RPT111", PERIOD, OFFICE)
    rows = {row.cells[0]: row.cells for row in data.rows if row.style == "item"}
    for activity, target in (("A101", 60000), ("A203", 9800)):
        expected = ledger_sums(demo, activity)
        _, _, _, annual, month, cumulative, percent = rows[activity]
        assert (annual, month, cumulative) == (target, expected["month_qty"], expected["cum_qty"])
        assert percent == pytest.approx(expected["cum_qty"] / target * 100)
        assert expected["cum_qty"] > expected["month_qty"] > 0  # six months of the demo, not one


def test_pdf_and_xlsx_show_the_ledgers_figures(rendered, demo):
    a101 = ledger_sums(demo, "A101")
    performance = pdftotext(rendered[("RPT111", "pdf")])
    assert f"{a101['cum_qty']:,.0f}" in performance and f"{a101['month_qty']:,.0f}" in performance
    budget = pdftotext(rendered[("RPT211", "pdf")])
    assert f"{a101['cum_spent']:,.2f}" in budget and f"{a101['month_spent']:,.2f}" in budget

    sheet = load_workbook(rendered[("RPT111", "xlsx")])["RPT111"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "A101")
    assert row[3:6] == (60000, a101["month_qty"], a101["cum_qty"])
    assert isinstance(row[5], int | float)  # numbers stay numbers
    sheet = load_workbook(rendered[("RPT211", "xlsx")])["RPT211"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "A101")
    assert row[3] == 450000 and row[5] == pytest.approx(a101["cum_spent"], abs=0.005)
    headers = [c.value for c in sheet[6]], [c.value for c in sheet[7]]
    assert headers[0][:2] == ["รหัส", "กิจกรรม"] and headers[1][:2] == [
        "Code",
        "Activity",
    ]  # Thai, English beneath


def test_rpt112_and_rpt212_list_every_office_and_add_up_to_the_province(rendered, demo):
    html = rendered[("RPT112", "html")].read_text(encoding="utf-8")
    for name in ("สำนักงานปศุสัตว์อำเภอท่ามะกา", "สำนักงานปศุสัตว์อำเภอห้วยกระเจา", "ผลงานของสำนักงานเอง"):
        assert name in html
    data = build_report(demo, "RPT212", PERIOD, OFFICE)
    first_group = []
    for row in data.rows[1:]:
        if row.style != "item":
            subtotal = row
            break
        first_group.append(row)
    assert len(first_group) == 14  # the province office's own line and 13 districts
    assert subtotal.cells[4] == pytest.approx(
        sum(r.cells[4] for r in first_group), abs=0.01
    )  # spent to date
    sheet = load_workbook(rendered[("RPT212", "xlsx")])["RPT212"]
    total = [
        r for r in sheet.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("รวมทุกกิจกรรม")
    ]
    assert total and total[0][2] == pytest.approx(
        sum(row.budget for row in demo.config.targets[0].rows)
    )


def test_rpt113_shows_tha_makas_rejected_attempt_in_december(demo, tmp_path):
    data = build_report(demo, "RPT113", "2557-12", OFFICE)
    rows = {row.cells[0]: row.cells for row in data.rows}
    assert list(rows) == ["71", *(f"71{i:02d}" for i in range(1, 14))]
    _, _, state, received, versions, rejected, confirmed, _approved, late, first, latest = rows[
        "7105"
    ]
    assert (state.en, received, versions, rejected, confirmed, late) == (
        "confirmed to the centre",
        2,
        1,
        1,
        True,
        False,
    )
    assert first < latest  # the rejected file came first; the fixed one was accepted the next day
    assert data.totals.cells[2].th == "ส่งแล้ว 14/14"
    pdf = render_pdf(data, tmp_path / "RPT113.pdf")
    text = pdftotext(pdf)
    assert "7105" in text and normalise("25 ธ.ค. 2557 10:00") in normalise(text)


def test_thai_numerals_by_config(demo, tmp_path):
    thai = Deployment(
        demo.config.model_copy(update={"thai_numerals": True}), demo.ledger, demo.clock
    )
    pdf = render_report(thai, "RPT111", PERIOD, OFFICE, "pdf", out_dir=tmp_path)
    text = pdftotext(pdf)
    cumulative = ledger_sums(demo, "A101")["cum_qty"]
    thai_digits = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    assert f"{cumulative:,.0f}".translate(thai_digits) in text
    assert "๒๕๕๘" in text and normalise("หน้า ๑/") in normalise(text)
    sheet = load_workbook(
        render_report(thai, "RPT111", PERIOD, OFFICE, "xlsx", out_dir=tmp_path)
    ).active
    assert (
        next(r for r in sheet.iter_rows(values_only=True) if r[0] == "A101")[5] == cumulative
    )  # still a number


# -- a page for a person to look at ---------------------------------------------


def test_a_page_is_rendered_to_png_for_a_person(rendered):
    OUTPUT.mkdir(exist_ok=True)
    for code, page in (
        ("RPT111", 1),
        ("RPT111", pages(rendered[("RPT111", "pdf")])),
        ("RPT113", 1),
    ):
        prefix = OUTPUT / f"{code}-page{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(rendered[(code, "pdf")]),
                str(prefix),
            ],
            check=True,
        )
        png = prefix.with_suffix(".png")
        assert png.stat().st_size > 10_000, png  # a page with text on it, not a blank one


# -- what a report must never do ------------------------------------------------


def test_office_text_is_escaped_in_html_and_kept_as_text_in_xlsx(tmp_path):
    now = datetime(2015, 4, 1, 9, tzinfo=BANGKOK)
    nasty = '=HYPERLINK("http://x.example","click") <script>alert(1)</script>'
    data = ReportData(
        code="RPT111",
        kind="performance",
        title_th="ทดสอบ",
        title_en="test",
        office="71",
        office_th="<b>จังหวัด</b>",
        office_en="province",
        period="2558-03",
        period_th="มีนาคม 2558",
        period_en="March 2558 BE (2015)",
        fiscal_year=2558,
        generated_at=now,
        generated_th="1 เมษายน 2558",
        generated_en="1 April 2558 BE",
        columns=[
            Column("รหัส", "Code", "code"),
            Column("หมายเหตุ", "Remark", "text"),
            Column("ผล", "Result", "quantity"),
        ],
        rows=[Row(("A101", Text(nasty, "remark"), 12.5)), Row(("A102", nasty, 3))],
    )
    html = render_html(data)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;จังหวัด" in html
    sheet = load_workbook(render_xlsx(data, tmp_path / "r.xlsx")).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    assert next(r for r in sheet.iter_rows(values_only=True) if r[0] == "A101")[2] == 12.5


def test_a_long_catalogues_chart_is_drawn_whole_in_parts_that_fit_their_pages(tmp_path):
    """A province with 60 activities: every bar is on a page, once, inside the page's body
    (clear of the running header and footer), its caption on the page of the first bars.
    One picture taller than an A4 page would lose its foot."""
    bars = [Bar(f"A{101 + i}", "ฉีดวัคซีนโรคปากและเท้าเปื่อย", 2.3 * i) for i in range(60)]
    data = ReportData(
        code="RPT111", kind="performance", title_th="ทดสอบ", title_en="test",
        office="71", office_th="จังหวัด", office_en="province",
        period="2558-03", period_th="มีนาคม 2558", period_en="March 2558 BE (2015)",
        fiscal_year=2558, generated_at=datetime(2015, 4, 1, 9, tzinfo=BANGKOK),
        generated_th="1 เมษายน 2558", generated_en="1 April 2558 BE",
        columns=[Column("รหัส", "Code", "code")], rows=[Row(("A101",))],
        chart=Chart("ร้อยละของเป้าหมาย", "Per cent of target", bars, expected=50.0),
    )  # fmt: skip
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(render_pdf(data, tmp_path / "long.pdf")), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    millimetre = 72 / 25.4
    seen: dict[str, list[int]] = {}
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", bbox, re.DOTALL), 1):
        height = float(re.search(r'height="([\d.]+)"', page)[1])
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', page)
        for top, foot, word in words:
            if re.fullmatch(r"A1\d\d", word):
                assert 16 * millimetre <= float(top) and float(foot) <= height - 14 * millimetre
                seen.setdefault(word, []).append(number)
        if any(word == "ร้อยละของเป้าหมาย" for *_, word in words):
            caption_page = number
    codes = [f"A{101 + i}" for i in range(60)]
    assert {code: len(found) for code, found in seen.items()} == dict.fromkeys(codes, 1) | {
        "A101": 2
    }  # each code once, in the chart (A101 in the table too)
    assert seen["A102"][-1] == caption_page


# -- the command line ------------------------------------------------------------


def report_app() -> typer.Typer:
    """`eop` with only the report command: the shared options, then `register`."""
    from cli.main import main_options
    from cli.report import register

    app = typer.Typer(add_completion=False)
    app.callback()(main_options)
    register(app)
    return app


def test_cli_writes_a_report_where_asked(demo, tmp_path):
    config = demo.config.source
    result = CliRunner().invoke(
        report_app(),
        [
            "--config",
            str(config),
            "--now",
            "2015-04-01T09:00",
            "report",
            "RPT211",
            "--period",
            "2558-03",
            "--office",
            "71",
            "--format",
            "html",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "RPT211.html")
    assert REPORTS["RPT211"].title_th in (tmp_path / "RPT211.html").read_text(encoding="utf-8")


def test_cli_writes_one_report_for_several_offices_a_folder_each(demo, tmp_path):
    config = demo.config.source
    result = CliRunner().invoke(
        report_app(),
        [
            "--config",
            str(config),
            "--now",
            "2015-04-01T09:00",
            "report",
            "RPT111",
            "--period",
            "2558-03",
            "--office",
            "71,7101",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        str(tmp_path / "71" / "RPT111.xlsx"),
        str(tmp_path / "7101" / "RPT111.xlsx"),
    ]
    month = {
        office: {
            r.cells[0]: r.cells[4]
            for r in build_report(demo, "RPT111", "2558-03", office).rows
            if r.style == "item"
        }
        for office in ("71", "7101")
    }
    assert (
        month["71"]["A101"] > month["7101"]["A101"] > 0
    )  # each office its own figures, not one copied
    written = {
        office: [
            c.value
            for row in load_workbook(tmp_path / office / "RPT111.xlsx").active.iter_rows()
            for c in row
        ]
        for office in ("71", "7101")
    }
    assert month["71"]["A101"] in written["71"] and month["7101"]["A101"] in written["7101"]
    every = CliRunner().invoke(
        report_app(),
        [
            "--config",
            str(config),
            "--now",
            "2015-04-01T09:00",
            "report",
            "RPT211",
            "--period",
            "2558-03",
            "--office",
            "provinces",
            "--format",
            "xlsx",
        ],
    )
    assert every.output.split() == [
        str(demo.root / "reports" / "2558-03" / p.code / "RPT211.xlsx")
        for p in demo.config.provinces()
    ]


def test_cli_defaults_to_the_province_and_the_period_just_cut(demo):
    config = demo.config.source
    result = CliRunner().invoke(
        report_app(),
        [
            "--config",
            str(config),
            "--now",
            "2015-04-01T09:00",
            "report",
            "rpt113",
            "--format",
            "xlsx",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(demo.root / "reports" / "2558-03" / "71" / "RPT113.xlsx")


@pytest.mark.parametrize(
    "args, words",
    [
        (["RPT999"], ["ไม่มีรายงาน", "no report", "RPT111"]),
        (["RPT111", "--office", "9999"], ["ไม่มีหน่วยงาน", "no office", "9999"]),
        (["RPT111", "--format", "docx"], ["xlsx", "pdf", "html"]),
    ],
)
def test_cli_answers_an_unknown_report_office_or_format_with_exit_2(demo, args, words):
    result = CliRunner().invoke(
        report_app(),
        ["--config", str(demo.config.source), "report", *args],
        env={"COLUMNS": "400", "TERMINAL_WIDTH": "400"},
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.replace("│", " ").split())  # typer may frame the message
    for word in words:
        assert word in said, said


def test_the_installed_eop_has_the_report_command(demo, tmp_path):
    from cli.main import app

    if "report" not in {c.name for c in app.registered_commands}:
        pytest.skip("cli.main does not register cli.report yet")
    eop = shutil.which("eop", path=str(Path(__import__("sys").executable).parent))
    done = subprocess.run(
        [
            eop,
            "--config",
            str(demo.config.source),
            "report",
            "RPT111",
            "--period",
            "2558-03",
            "--format",
            "pdf",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "RPT111.pdf").exists()
    unknown = subprocess.run(
        [eop, "--config", str(demo.config.source), "report", "RPT999"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode == 2 and "no report" in unknown.stderr + unknown.stdout


@pytest.mark.parametrize(
    "office, period", [("DLD", PERIOD), (THA_MAKA, PERIOD), (OFFICE, "2558-04")]
)
def test_every_report_builds_for_the_department_a_district_and_an_empty_period(
    demo, office, period
):
    for code, spec in REPORTS.items():
        data = build_report(demo, spec, period, office)
        html = render_html(data)
        assert data.office == office and demo.config.office(office).name_th in html
        if (
            code == "RPT111" and period == "2558-04"
        ):  # nothing reported in April yet: zeros, never an error
            months = [row.cells[4] for row in data.rows if row.style == "item"]
            assert months and set(months) == {0}


def test_the_reports_room_never_reaches_up_into_kpi():
    """RPT311 is built in kpi/ and handed to jobs.reports as a spec: jobs/ imports no kpi."""
    import ast

    for path in sorted((REPO / "jobs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not [n for n in names if n.split(".")[0] == "kpi"], path.name
