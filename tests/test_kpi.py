"""KPI scoring from config's rules and the ledger's facts (DESIGN §8): KPI 1's boundaries
exactly, each KPI 2 level failing with its reason, the checklist, RPT311 in three formats
and `eop kpi --json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import at
from openpyxl import load_workbook
from test_kpi_support import (
    PROVINCE,
    ROUND_MONTHS,
    after_round,
    blank_pdf,
    drop_evidence,
    normalise,
    pdftotext,
    play_round,
    record_month,
)

from eop.clock import Clock
from eop.config import ConfigError, load_config
from eop.periods import Period
from jobs.deployment import Deployment, open_deployment
from jobs.reports import build_report, render_report
from kpi.evidence import register_file
from kpi.rpt311 import RPT311, rpt311_of
from kpi.rules import resolve_round
from kpi.scorecard import checklist, group_checklist, score
from ledger import workflow
from ledger.reference import targets_of

MARCH = Period(2558, 3)
EOP = Path(sys.executable).parent / "eop"


def register(deployment: Deployment, tmp_path: Path, name: str) -> None:
    path = drop_evidence(deployment, blank_pdf(tmp_path / "scans" / name))
    result = register_file(deployment, PROVINCE, path)
    assert result.status == "accepted", result


def levels(card, code: str) -> dict[int, object]:
    return {lv.level: lv for lv in card.kpi(code).levels}


def codes(level) -> set[str]:
    return {p.code for p in level.problems}


# -- KPI 1: the boundaries, from the ledger -----------------------------------------------


def own_results_at(deployment: Deployment, percent: float) -> None:
    """The province office's own results in October: `percent` of every province target."""
    with deployment.ledger.atomic() as conn:
        province = targets_of(conn, deployment.config.fiscal_year, "province", PROVINCE)
    record_month(
        deployment,
        PROVINCE,
        ROUND_MONTHS[0],
        {a: q * percent / 100 for (_, a), (q, _) in province.items()},
    )
    after_round(deployment)


@pytest.mark.parametrize(
    ("percent", "level"), [(9.99, 1), (10, 2), (20, 2), (20.5, 2), (21, 3), (50, 5), (100, 5)]
)
def test_kpi1_level_at_each_boundary_of_round_1(deployment, tmp_path, percent, level):
    register(deployment, tmp_path, "order-84-2558.pdf")
    own_results_at(deployment, percent)
    kpi1 = score(deployment, "1/2558", PROVINCE).kpi("KPI1")
    assert kpi1.achievement == pytest.approx(percent, abs=1e-6)
    assert (kpi1.level, kpi1.score, kpi1.weighted) == (
        level,
        float(level),
        round(level * 10 / 100, 4),
    )
    reached = [lv.level for lv in kpi1.levels if lv.reached]
    assert reached == list(range(1, level + 1))
    for lv in kpi1.levels[
        level:
    ]:  # every level above: below its band, and the reason says by how much
        assert codes(lv) == {"below-band"} and f"{percent:,.2f}" in lv.problems[0].en


def test_kpi1_without_the_appointment_order_has_no_level_at_all(deployment):
    own_results_at(deployment, 45)
    kpi1 = score(deployment, "1/2558", PROVINCE).kpi("KPI1")
    assert (kpi1.level, kpi1.score, kpi1.weighted) == (0, 0.0, 0.0)
    first, *rest = kpi1.levels
    assert (
        not first.holds
        and codes(first) == {"document-missing"}
        and "84/2558" in first.problems[0].en
    )
    assert all(lv.holds and not lv.reached for lv in rest)  # the bands are met, level 1 is not


def test_achievement_is_capped_per_activity_then_averaged(deployment, tmp_path):
    register(deployment, tmp_path, "order-84-2558.pdf")
    with deployment.ledger.atomic() as conn:
        province = targets_of(conn, deployment.config.fiscal_year, "province", PROVINCE)
    first, *others = sorted(a for _, a in province)
    record_month(
        deployment, PROVINCE, ROUND_MONTHS[0], {first: province[(PROVINCE, first)][0] * 3}
    )  # 300 %, counted 100 %
    after_round(deployment)
    kpi1 = score(deployment, "1/2558", PROVINCE).kpi("KPI1")
    assert kpi1.achievement == pytest.approx(100 / (len(others) + 1), abs=1e-4)
    assert {a.activity: a.capped for a in kpi1.activities}[first] == 100.0


def with_config(path: Path, change) -> Path:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_interpolation_and_budget_weighting_are_config_options(demo_config_path, tmp_path):
    def options(raw):
        raw["kpis"][0]["interpolate"] = True
        raw["kpis"][0]["method"] = "budget-weighted"

    deployment = open_deployment(
        load_config(with_config(demo_config_path, options)), Clock(at(2015, 4, 1))
    )
    register(deployment, tmp_path, "order-84-2558.pdf")
    own_results_at(deployment, 20.5)
    kpi1 = score(deployment, "1/2558", PROVINCE).kpi("KPI1")
    assert (
        kpi1.level == 2 and kpi1.score == 2.9545 and kpi1.weighted == 0.2955
    )  # 20.5 % between 10 and 21, 4 decimals
    assert "budget-weighted" in kpi1.levels[1].proofs[0].en


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda raw: raw["kpis"][0]["bands"].update(
                {"3/2558": [[1, 2], [3, 4], [5, 6], [7, 8]]}
            ),
            "'3/2558' is not a round",
        ),
        (
            lambda raw: raw["kpis"][1]["levels"][0].update({"evidence": ["fact:letter-sent"]}),
            "unknown fact",
        ),
        (
            lambda raw: raw["kpis"][1]["levels"][0].update({"evidence": ["memo 12/2558"]}),
            "is not a document kind",
        ),
        (lambda raw: raw["rounds"][0].update({"prepared_by": "71-S9"}), "'71-S9' is not a section"),
    ],
)
def test_kpi_rules_in_config_are_checked_when_it_loads(demo_config_path, change, message):
    with pytest.raises(ConfigError) as error:
        load_config(with_config(demo_config_path, change))
    assert message in str(error.value)


# -- KPI 2: each level, and why it fails ------------------------------------------------------


def test_kpi2_level_1_needs_the_letter_or_minutes_on_file(deployment, tmp_path):
    l1 = levels(score(deployment, "1/2558", PROVINCE), "KPI2")[1]
    assert not l1.holds and codes(l1) == {"document-missing"}
    assert "target notification letter or meeting minutes" in l1.problems[0].en
    assert [p.kind for p in l1.proofs] == ["fact"] and l1.proofs[
        0
    ].at is not None  # the targets are in, with their moment
    register(deployment, tmp_path, "minutes-1-2558.pdf")  # minutes will do as well as the letter
    card = score(deployment, "1/2558", PROVINCE)
    assert levels(card, "KPI2")[1].reached and card.kpi("KPI2").level == 1
    assert codes(levels(card, "KPI2")[2]) == {"allocation-missing"}


@pytest.fixture
def ready(allocated: Deployment, tmp_path: Path) -> Deployment:
    """Allocation accepted through intake, the letter and both orders on file."""
    for name in ("letter-targets-signed.pdf", "order-84-2558.pdf", "คำสั่ง-85-2558.pdf"):
        register(allocated, tmp_path, name)
    return allocated


def test_kpi2_level_3_fails_naming_each_district_month_missing(ready):
    after_round(ready)
    card = score(ready, "1/2558", PROVINCE)
    assert card.kpi("KPI2").level == 2
    l2, l3 = levels(card, "KPI2")[2], levels(card, "KPI2")[3]
    assert l2.reached and "EOP016" in l2.proofs[0].en and l2.proofs[0].at == at(2014, 10, 2)
    assert codes(l3) == {"district-month-missing"} and len(l3.problems) == 13 * 6
    play_round(ready, skip={("7105", MARCH)})
    l3 = levels(score(ready, "1/2558", PROVINCE), "KPI2")[3]
    assert [(p.office, p.period) for p in l3.problems] == [("7105", "2558-03")]
    assert "7105" in l3.problems[0].th and "มีนาคม 2558" in l3.problems[0].th


def test_kpi2_level_4_fails_on_an_approval_outside_the_review_window(ready):
    play_round(ready, late_approval={("7103", Period(2558, 1))})
    card = score(ready, "1/2558", PROVINCE)
    assert card.kpi("KPI2").level == 3
    l4 = levels(card, "KPI2")[4]
    assert codes(l4) == {"approval-late"} and {(p.office, p.period) for p in l4.problems} == {
        ("7103", "2558-01")
    }
    assert "outside the review window 28 January 2558 BE – 30 January 2558 BE" in l4.problems[0].en
    assert "31 January 2558 BE 11:00" in l4.problems[0].en


def test_kpi2_level_4_fails_while_a_section_has_not_approved(ready):
    play_round(ready, unapproved={("7110", MARCH)})
    l4 = levels(score(ready, "1/2558", PROVINCE), "KPI2")[4]
    assert codes(l4) == {"approval-missing"}
    assert {(p.office, p.period) for p in l4.problems} == {("7110", "2558-03")}
    assert len(l4.problems) == 5  # each of the five sections owning an activity of its results


def test_kpi2_level_5_fails_until_march_is_confirmed_to_the_centre(ready):
    play_round(ready, unconfirmed={MARCH})
    card = score(ready, "1/2558", PROVINCE)
    assert card.kpi("KPI2").level == 4
    l5 = levels(card, "KPI2")[5]
    assert codes(l5) == {"month-not-confirmed"} and l5.problems[0].period == "2558-03"


def test_kpi2_level_5_fails_on_a_late_office_and_on_a_correction_to_the_centre(ready):
    play_round(ready, late={("7113", MARCH)})
    with ready.ledger.atomic() as conn:
        workflow.open_correction(
            conn,
            office="7102",
            period="2558-02",
            memo_number="กจ 0008/999",
            memo_date=at(2015, 3, 9).date(),
            approved_by="ปศุสัตว์จังหวัด",
            to_centre=True,
            reason="",
            by="test",
            at=at(2015, 3, 10),
        )
    l5 = levels(score(ready, "1/2558", PROVINCE), "KPI2")[5]
    assert codes(l5) == {"office-late", "correction-to-centre"}
    found = {p.code: p for p in l5.problems}
    assert found["office-late"].office == "7113" and "arrived late" in found["office-late"].en
    assert (
        found["correction-to-centre"].office == "7102"
        and "กจ 0008/999" in found["correction-to-centre"].en
    )


def test_kpi2_level_5_when_everything_holds_each_level_with_its_proof(ready):
    play_round(ready)
    card = score(ready, "1/2558", PROVINCE)
    kpi2 = card.kpi("KPI2")
    assert (kpi2.level, kpi2.score, kpi2.weighted) == (5, 5.0, 0.25)
    assert card.kpi("KPI1").level == 5 and card.kpi("KPI1").achievement == pytest.approx(
        45, abs=0.01
    )
    assert card.total_weighted == 0.75 and checklist(card) == []
    for level in kpi2.levels:
        assert level.reached and not level.problems and level.proofs
    facts = [p for lv in kpi2.levels for p in lv.proofs if p.kind == "fact"]
    assert all(
        p.at is not None for p in facts if "Planning Division" not in p.en
    )  # each fact with its moment
    assert (
        "78 of 78 district-months approved by every section inside the review window"
        in levels(card, "KPI2")[4].proofs[0].en
    )


def test_the_checklist_lists_a_missing_month_once_and_groups_offices(ready):
    play_round(ready, skip={("7105", MARCH), ("7106", MARCH)})
    items = checklist(score(ready, "1/2558", PROVINCE))
    missing = [(i.problem.office, i.problem.period) for i in items if i.problem.period == "2558-03"]
    assert sorted(missing) == [
        ("7105", "2558-03"),
        ("7106", "2558-03"),
    ]  # not again at levels 4 and 5
    (group,) = [g for g in group_checklist(items) if g["code"] == "missing"]
    assert group["offices"] == ["7105", "7106"] and group["th"] == "ยังไม่มีข้อมูลเดือนมีนาคม 2558"
    assert [
        i.problem.code for i in items if i.kpi == "KPI2" and i.level is None
    ] == []  # order 85/2558 is on file


# -- RPT311 and the command line -----------------------------------------------------------


def test_rpt311_the_scorecard_in_three_formats(ready, tmp_path):
    play_round(ready, unconfirmed={MARCH})
    assert RPT311.kind == "performance"
    paths = {
        fmt: render_report(ready, RPT311, "2558-03", PROVINCE, fmt, out_dir=tmp_path / "out")
        for fmt in ("xlsx", "pdf", "html")
    }
    html = paths["html"].read_text(encoding="utf-8")
    assert RPT311.title_th in html and "KPI2 ระดับที่ได้ 4" in html and "KPI1 ระดับที่ได้ 5" in html
    assert "จังหวัดยังไม่ยืนยันข้อมูลเดือนมีนาคม 2558 ต่อส่วนกลาง" in html
    # an official document: the evidence said as what it is, no command hint, "ระดับ 4"
    assert "config.yaml" not in html and "eop evidence" not in html
    assert "ระดับ 4" in html and "4 ระดับ" not in html
    assert "ตามเอกสารงบประมาณรายจ่าย" in html
    text = pdftotext(paths["pdf"])
    assert normalise(RPT311.title_th) in normalise(text)
    assert "KPI1" in text and "KPI2" in text and "0.2000" in text and "0.7000" in text
    sheet = load_workbook(paths["xlsx"])["RPT311"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    subtotal = [r for r in rows if r[1] and str(r[1]).startswith(("KPI1 ระดับที่ได้", "KPI2 ระดับที่ได้"))]
    assert [(r[0], r[4], r[6]) for r in subtotal] == [("5", 10, "0.5000"), ("4", 5, "0.2000")]


def test_rpt311_above_and_below_the_province_and_outside_any_round(ready):
    play_round(ready)
    national = build_report(ready, RPT311, "2558-03", "DLD")
    assert [r.cells[0].th for r in national.rows if r.style == "group"] == [
        "71 สำนักงานปศุสัตว์จังหวัดกาญจนบุรี"
    ]
    assert national.totals.cells[-1] == "0.7500"
    district = build_report(
        ready, RPT311, "2558-03", "7105"
    )  # a district's report is its province's scorecard
    assert [r.cells[-1] for r in district.rows if r.style == "subtotal"] == ["0.5000", "0.2500"]
    later = build_report(ready, RPT311, "2558-05", "71")  # May: round 2/2558, the year so far
    assert "2/2558" in later.notes[0].en
    outside = build_report(ready, RPT311, "2559-01", "71")
    assert outside.rows == [] and "in no KPI round" in outside.notes[0].en


def test_eop_kpi_json_is_the_documented_shape(ready):
    play_round(ready)
    done = subprocess.run(
        [
            str(EOP),
            "--config",
            str(ready.config.source),
            "--now",
            "2015-04-06T09:00",
            "kpi",
            "--round",
            "1/2558",
            "--office",
            "71",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shape = json.loads(done.stdout)
    assert set(shape) == {
        "round",
        "fiscal_year",
        "office",
        "office_th",
        "as_of",
        "months",
        "not_yet_due",
        "deadline",
        "computed_at",
        "kpis",
        "total",
        "documents",
        "checklist",
    }
    assert [(k["code"], k["level"], k["weighted"]) for k in shape["kpis"]] == [
        ("KPI1", 5, 0.5),
        ("KPI2", 5, 0.25),
    ]
    assert set(shape["kpis"][1]["levels"][0]) == {
        "level",
        "text_th",
        "text_en",
        "band",
        "holds",
        "reached",
        "status",
        "not_yet_due",
        "pace",
        "needs",
        "evidence",
        "problems",
    }
    assert {d["number"] for d in shape["documents"] if d["kind"] == "order"} == {
        "84/2558",
        "85/2558",
    }
    bad = subprocess.run(
        [str(EOP), "--config", str(ready.config.source), "kpi", "--round", "9/2558"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "9/2558" in bad.stderr and "Traceback" not in bad.stderr


# -- mid-round: only what is due by now counts (DESIGN §8) -------------------------------------

APRIL_25 = at(2015, 4, 25, 10)  # round 1 closed on 7 April; round 2 runs to September


def eop(deployment: Deployment, *args: str, now: str = "2015-04-25T10:00") -> str:
    done = subprocess.run(
        [str(EOP), "--config", str(deployment.config.source), "--now", now, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_mid_round_no_month_not_yet_due_is_counted_and_the_pace_is_shown(ready):
    play_round(ready)
    ready.clock.set(APRIL_25)
    round_ = resolve_round(ready.config, None, ready.now())
    card = score(ready, round_, PROVINCE)
    assert round_.code == "2/2558" and card.as_of == MARCH  # April's entry closes on the 27th
    assert [str(m) for m in card.not_yet_due] == [f"2558-0{m}" for m in range(4, 10)]
    assert checklist(card) == []  # every month due is in: nothing missing, nothing failing
    statuses = {(k.code, lv.level): lv.status for k in card.kpis for lv in k.levels}
    assert "not-met" not in statuses.values()
    assert [statuses[("KPI2", n)] for n in range(1, 6)] == ["met", "met", *["met-so-far"] * 3]
    assert [statuses[("KPI1", n)] for n in range(2, 6)] == ["not-yet-due"] * 4
    kpi1 = levels(card, "KPI1")
    assert kpi1[2].pace[1] == "30.00% expected by now (60% by the round's end), 45.00% reached"
    assert "not yet due" in levels(card, "KPI2")[3].pace[1]
    assert "78 of 78 district-months due so far recorded" in levels(card, "KPI2")[3].proofs[0].en
    # the round's packet appends the round's RPT311, though March is also round 1's last month
    report = build_report(ready, rpt311_of(round_), card.as_of, PROVINCE)
    assert "Round 2/2558" in report.notes[0].en and "not yet due" in report.notes[2].en


def test_mid_round_the_command_line_says_not_yet_due_with_dates_in_buddhist_era(ready):
    play_round(ready, skip={("7105", MARCH)})
    shown = eop(ready, "kpi")
    assert "รอบที่ 2/2558" in shown and "ข้อมูลถึง มีนาคม 2558" in shown
    assert "กำหนดส่งหลักฐาน 7 ต.ค. 2558" in shown and "evidence due 7 October 2558 BE" in shown
    assert "ยังไม่ถึงกำหนด" in shown and "not yet due" in shown and "2015-10-07" not in shown
    check = eop(ready, "evidence", "--check")
    assert "(กำหนดส่ง 7 ต.ค. 2558)" in check and "(due 7 October 2558 BE)" in check
    assert "2015-" not in check and "เมษายน 2558" not in check.split("ยังไม่ถึงกำหนด")[-1]
    assert "ยังไม่มีข้อมูลเดือนมีนาคม 2558" in check
    assert "7105 สำนักงานปศุสัตว์อำเภอท่ามะกา" in check  # the office named, not only its code
    shape = json.loads(eop(ready, "evidence", "--check", "--json"))
    assert {i["period"] for i in shape["items"]} == {"2558-03"}
    assert shape["not_yet_due"][0] == "2558-04"


def test_an_approval_counts_once_its_review_window_has_closed(ready):
    play_round(ready, unapproved={("7110", MARCH)})
    ready.clock.set(at(2015, 3, 29, 12))  # March's review window: 28–30 March
    l4 = levels(score(ready, "1/2558", PROVINCE), "KPI2")[4]
    assert l4.problems == [] and l4.status == "met-so-far" and l4.pending == (MARCH,)
    ready.clock.set(at(2015, 3, 31, 9))
    l4 = levels(score(ready, "1/2558", PROVINCE), "KPI2")[4]
    assert codes(l4) == {"approval-missing"} and l4.status == "not-met"
