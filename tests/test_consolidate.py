"""Consolidation: accepted figures summed up the hierarchy equal the sum of the latest
accepted versions, computed here independently (a property test over random submissions
and resubmissions), through real workbooks too, and with a region level added by config."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from conftest import DISTRICTS, THA_MAKA, at, drop, fill_month, process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from eop.clock import Clock
from eop.config import load_config
from eop.periods import Period, months_between
from jobs.consolidate import Figures, consolidate, timeliness
from jobs.deployment import Deployment, open_deployment
from ledger import records
from ledger.reference import set_targets, targets_of
from ledger.schema import files, results, submissions, targets

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL too (a few by default)

MONTHS = months_between(Period(2557, 10), Period(2558, 3))
OFFICES = ["71", *DISTRICTS]
ACTIVITIES = [
    "A101",
    "A204",
    "A403",
    "Z999",
]  # Z999: results on an activity not in the catalogue still count
_sha = itertools.count()

amount = st.one_of(
    st.integers(0, 5000).map(float), st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
)
result_rows = st.dictionaries(
    st.sampled_from(ACTIVITIES), st.tuples(amount, amount), max_size=len(ACTIVITIES)
)
a_submission = st.tuples(
    st.sampled_from(OFFICES),
    st.sampled_from(MONTHS),
    result_rows,
    st.sampled_from(["recorded", "submitted"]),
    st.booleans(),
    st.sampled_from(["accepted", "accepted", "accepted", "rejected"]),
)
shares = st.dictionaries(
    st.tuples(st.sampled_from(OFFICES), st.sampled_from(ACTIVITIES[:3])),
    st.tuples(amount, amount),
    max_size=8,
)


def write_submission(
    deployment: Deployment,
    office: str,
    period: Period,
    rows: dict,
    state: str,
    late: bool,
    kind: str = "monthly",
    status: str = "accepted",
) -> None:
    """As intake stores an accepted (or rejected) file: the file, then a new version and its results."""
    now = at(2015, 3, 25)
    with deployment.ledger.atomic() as conn:
        file_id = records.record_file(
            conn,
            sha256=f"{next(_sha):064x}",
            name="x.xlsx",
            office=office,
            size=1,
            received_at=now,
            archive_path="",
        )
        records.store_judgement(
            conn, file_id, status=status, at=now, found=[], kind=kind, period=str(period)
        )
        if status == "accepted":
            added = records.add_submission(
                conn,
                office=office,
                kind=kind,
                period=str(period),
                file_id=file_id,
                state=state,
                reporter=None,
                late=late,
                at=now,
            )
            records.add_results(
                conn,
                added.id,
                [{"activity": a, "quantity": q, "spending": s} for a, (q, s) in rows.items()],
            )


def clear(deployment: Deployment) -> None:
    with deployment.ledger.atomic() as conn:
        for table in (results, submissions, files):
            conn.execute(delete(table))
        conn.execute(delete(targets).where(targets.c.scope == "allocated"))


def expected_sums(
    latest: dict, offices: list[str], period: Period, activity: str
) -> tuple[float, float, float, float]:
    """(month qty, cum qty, month spent, cum spent) straight from the latest versions written."""
    month_q = cum_q = month_s = cum_s = 0.0
    for (office, month), rows in latest.items():
        if office not in offices or month > period or activity not in rows:
            continue
        quantity, spending = rows[activity]
        cum_q, cum_s = cum_q + quantity, cum_s + spending
        if month == period:
            month_q, month_s = month_q + quantity, month_s + spending
    return month_q, cum_q, month_s, cum_s


def by_activity(deployment: Deployment, office: str, period: Period) -> dict[str, Figures]:
    """activity → figures; an activity outside the catalogue with no results anywhere is all zeros."""
    found = defaultdict(lambda: Figures(office, "?"))
    found.update({f.activity: f for f in consolidate(deployment, office, period)})
    return found


def close(a: float, b: float) -> bool:
    return a == pytest.approx(b, rel=1e-9, abs=1e-6)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    written=st.lists(a_submission, max_size=25), allocated=shares, period=st.sampled_from(MONTHS)
)
@pytest.mark.postgresql_default
def test_consolidated_figures_equal_the_sum_of_the_latest_versions(
    deployment, written, allocated, period
):
    clear(deployment)
    latest: dict[tuple[str, Period], dict] = {}
    for office, month, rows, state, late, status in written:
        write_submission(deployment, office, month, rows, state, late, status=status)
        if status == "accepted":  # a rejected file never replaces a valid earlier version
            latest[(office, month)] = rows  # a resubmission replaces the earlier version
    with deployment.ledger.atomic() as conn:
        set_targets(conn, 2558, "allocated", allocated, source="test", at=at(2014, 10, 2))
        province_targets = targets_of(conn, 2558, "province", "71")

    province, department, district = (
        by_activity(deployment, office, period) for office in ("71", "DLD", THA_MAKA)
    )
    for activity in ACTIVITIES:
        want = expected_sums(latest, OFFICES, period, activity)
        got = province[activity]
        assert all(
            map(close, (got.month_qty, got.cum_qty, got.month_spent, got.cum_spent), want)
        ), (activity, got, want)
        assert (got.target_qty, got.budget) == province_targets.get(("71", activity), (0.0, 0.0))
        assert (
            department[activity].cum_qty == got.cum_qty
            and department[activity].target_qty == got.target_qty
        )
        mine = expected_sums(latest, [THA_MAKA], period, activity)
        here = district[activity]
        assert all(
            map(close, (here.month_qty, here.cum_qty, here.month_spent, here.cum_spent), mine)
        )
        assert (here.target_qty, here.budget) == allocated.get((THA_MAKA, activity), (0.0, 0.0))


@pytest.mark.postgresql_default
def test_timeliness_counts_versions_rejections_and_the_latest_state(deployment):
    march = Period(2558, 3)
    write_submission(deployment, THA_MAKA, march, {}, "recorded", False, status="rejected")
    write_submission(deployment, THA_MAKA, march, {"A101": (1, 1)}, "recorded", False)
    write_submission(deployment, THA_MAKA, march, {"A101": (2, 1)}, "submitted", True)
    write_submission(deployment, "71", march, {"A101": (5, 5)}, "submitted", False)
    write_submission(
        deployment, "7101", Period(2558, 2), {"A101": (5, 5)}, "submitted", False
    )  # another month
    with deployment.ledger.atomic() as conn:
        rows = {t.office: t for t in timeliness(conn, deployment.config, "71", march)}
    assert list(rows) == OFFICES  # the province office first, then its districts in config order
    tha_maka = rows[THA_MAKA]
    assert (
        tha_maka.received,
        tha_maka.versions,
        tha_maka.rejected,
        tha_maka.state,
        tha_maka.late,
    ) == (3, 2, 1, "submitted", True)
    assert tha_maka.confirmed and not tha_maka.approved
    assert (rows["7101"].state, rows["7101"].received, rows["7101"].reported) == (
        "missing",
        0,
        False,
    )
    assert rows["71"].versions == 1 and not rows["71"].late


def test_consolidation_through_real_workbooks_counts_only_the_resubmitted_version(march, tmp_path):
    first = fill_month(
        march,
        THA_MAKA,
        "2558-03",
        tmp_path / "first.xlsx",
        {"A101": 100, "A102": 7},
        {"A101": 1000},
    )
    drop(march, THA_MAKA, first)
    process(march)
    again = fill_month(
        march,
        THA_MAKA,
        "2558-03",
        tmp_path / "again.xlsx",
        {"A101": 120, "A102": 9},
        {"A101": 1500},
    )
    drop(march, THA_MAKA, again)
    own = fill_month(march, "71", "2558-03", tmp_path / "own.xlsx", {"A101": 30}, {"A101": 300})
    drop(march, "71", own)
    report = process(march, at(2015, 3, 26))
    assert sorted(v.status for v in report.verdicts) == ["accepted", "accepted"]
    province = {f.activity: f for f in consolidate(march, "71", "2558-03")}
    assert (province["A101"].month_qty, province["A101"].cum_qty, province["A101"].cum_spent) == (
        150,
        150,
        1800,
    )
    assert province["A102"].cum_qty == 9
    assert province["A101"].target_qty == 60000  # the province target from the budget document
    district = {f.activity: f for f in consolidate(march, THA_MAKA, "2558-03")}
    assert district["A101"].target_qty == pytest.approx(60000 / 14, abs=1)  # its allocated share
    assert district["A101"].pct_achieved == pytest.approx(120 / district["A101"].target_qty * 100)


def test_a_region_level_between_department_and_province_needs_no_code(tmp_path):
    """Two provinces under a region under the department, all from config."""
    raw = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / "eop" / "kanchanaburi.yaml").read_text(
            encoding="utf-8"
        )
    )
    raw["offices"] = [o for o in raw["offices"] if o["code"] in ("DLD", "71", "7101", "7105")]
    raw["offices"] += [
        {
            "code": "R7",
            "level": "region",
            "parent": "DLD",
            "name_th": "เขต 7",
            "name_en": "Region 7",
        },
        {
            "code": "72",
            "level": "province",
            "parent": "R7",
            "name_th": "สำนักงานปศุสัตว์จังหวัดสุพรรณบุรี",
            "name_en": "Suphan Buri",
        },
        {
            "code": "7201",
            "level": "district",
            "parent": "72",
            "name_th": "สำนักงานปศุสัตว์อำเภอเมืองสุพรรณบุรี",
            "name_en": "Mueang Suphan Buri",
        },
    ]
    next(o for o in raw["offices"] if o["code"] == "71")["parent"] = "R7"
    raw["people"] = [
        p
        for p in raw["people"]
        if p["office"] in ("71", "7101", "7105", "DLD") or p["office"].startswith("71-")
    ]
    raw["targets"].append(
        {
            "fiscal_year": 2558,
            "office": "72",
            "rows": [{"activity": "A101", "quantity": 1000, "budget": 5000}],
        }
    )
    _sections_in_both(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    deployment = open_deployment(load_config(path), Clock(at(2015, 3, 25)))
    march = Period(2558, 3)
    for office, quantity in (("71", 1), ("7101", 10), ("7105", 100), ("72", 1000), ("7201", 10000)):
        write_submission(
            deployment, office, march, {"A101": (quantity, quantity * 2)}, "submitted", False
        )
    figures = {
        office: {f.activity: f for f in consolidate(deployment, office, march)}["A101"]
        for office in ("DLD", "R7", "71", "72")
    }
    assert (figures["71"].cum_qty, figures["72"].cum_qty) == (111, 11000)
    assert figures["R7"].cum_qty == figures["DLD"].cum_qty == 11111
    assert figures["R7"].cum_spent == 22222
    assert (
        figures["R7"].target_qty == figures["DLD"].target_qty == 60000 + 1000
    )  # the provinces' targets summed
    with deployment.ledger.atomic() as conn:
        assert [t.office for t in timeliness(conn, deployment.config, "DLD", march)] == [
            "71",
            "7101",
            "7105",
            "72",
            "7201",
        ]


def _sections_in_both(raw: dict) -> None:
    """Each province its own five sections, of the kinds the catalogue then names (a section
    reviews its own province's districts alone)."""
    for section in raw["sections"]:
        section["kind"] = section["code"].split("-")[1]
    raw["sections"] += [
        {**s, "code": s["code"].replace("71-", "72-"), "office": "72"} for s in raw["sections"]
    ]
    for plan in raw["plans"]:
        for output in plan["outputs"]:
            for activity in output["activities"]:
                activity["section"] = activity["section"].split("-")[1]
