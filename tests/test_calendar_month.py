"""Living through a month (DESIGN §3–4, §9) with the clock moved day by day, the service's
pass run each day at 09:00: every mail and every state change, checked against the
calendar. A 31-day March (review window 28–30), a 28-day February (review window = the
28th alone), a service down from the 24th to the 29th that catches up without sending
anything twice, and a file dropped after the lock."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import (
    DISTRICTS,
    THA_MAKA,
    at,
    drop,
    fill_month,
    issued_path,
    process,
    sent_mail,
)
from sqlalchemy import select

from eop.calendar import MonthCalendar
from eop.periods import Period
from eop.states import APPROVE, RETURN
from jobs.deployment import Deployment, open_deployment
from ledger.schema import events, job_runs, outbox, submissions
from ledger.views import period_status
from simulation.offices import fill_confirm, fill_monthly, fill_review
from templates.mail import WORKFLOW_KINDS

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL too (a few by default)

SECTIONS = ["71-S1", "71-S2", "71-S3", "71-S4", "71-S5"]
OFFICES = ["71", *DISTRICTS]
FIGURES = {"A101": 300, "A201": 6, "A301": 2, "A401": 1, "A404": 1}
DRAFTING, SILENT = "7112", "7113"  # Nong Prue saves a draft first; Huai Krachao is late


# -- the day's pass, and what it sent ------------------------------------------------------------
# The monthly cycle's mail; the KPI round's own calendar (checklists, packets) is not asserted here.
CYCLE = {"workbook_issued", "receipt", "rejection", "duplicate", *WORKFLOW_KINDS}


def day(deployment: Deployment, when: date, hour: int = 9) -> Counter:
    """Run the pass at `hour` of `when`; the kinds of the cycle's mail it queued, with how many of each."""
    before = _outbox_ids(deployment)
    process(deployment, at(when.year, when.month, when.day, hour))
    with deployment.ledger.atomic() as conn:
        rows = [r for r in conn.execute(select(outbox)) if r.id not in before]
    return Counter(r.kind for r in rows if r.kind in CYCLE)


def _outbox_ids(deployment: Deployment) -> set[int]:
    with deployment.ledger.atomic() as conn:
        return set(conn.scalars(select(outbox.c.id)))


def queued(deployment: Deployment, kind: str) -> list:
    with deployment.ledger.atomic() as conn:
        return list(conn.execute(select(outbox).where(outbox.c.kind == kind).order_by(outbox.c.id)))


def to(row) -> list[str]:
    return json.loads(row.recipients)


def states(deployment: Deployment, period: str) -> dict[str, dict]:
    with deployment.ledger.atomic() as conn:
        return {
            row["office"]: row
            for row in period_status(conn, [(o, o) for o in OFFICES], "monthly", period)
        }


def state_of(deployment: Deployment, period: str) -> dict[str, str]:
    return {office: row["state"] for office, row in states(deployment, period).items()}


def submit(deployment: Deployment, office: str, period: str, work: Path, **kwargs) -> None:
    drop(
        deployment,
        office,
        fill_month(
            deployment,
            office,
            period,
            work / f"{office}-{period}-{len(list(work.glob('*')))}.xlsx",
            FIGURES,
            **kwargs,
        ),
    )


def review(deployment: Deployment, section: str, period: str, work: Path, decisions: dict) -> None:
    filled = fill_review(
        issued_path(deployment, "review", section, period),
        work / f"review-{section}-{len(list(work.glob('*')))}.xlsx",
        decisions=decisions,
        reviewer=f"ผู้ตรวจ {section}",
    )
    drop(deployment, section, filled)


def assert_sent_once(deployment: Deployment) -> None:
    """Every Message-ID delivered once, every dedupe key queued once."""
    ids = [m["Message-ID"] for m in sent_mail(deployment)]
    assert len(ids) == len(set(ids))
    with deployment.ledger.atomic() as conn:
        keys = list(conn.scalars(select(outbox.c.dedupe_key)))
        runs = list(conn.execute(select(job_runs.c.job, job_runs.c.key)))
    assert len(keys) == len(set(keys)) and len(runs) == len(set(runs))
    assert len(ids) == len(keys)  # everything queued was sent, once


# -- March: a 31-day month ------------------------------------------------------------------------
def test_a_whole_march_day_by_day(allocated, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    period, month = "2558-03", MonthCalendar(Period.parse("2558-03"))
    assert (month.entry.first, month.entry.last, month.review.first, month.review.last) == (
        date(2015, 3, 25),
        date(2015, 3, 27),
        date(2015, 3, 28),
        date(2015, 3, 30),
    )
    assert (month.strategy.first, month.strategy.last) == (date(2015, 4, 1), date(2015, 4, 3))

    for quiet in range(21, 25):  # the month is still running: nothing is due
        assert day(allocated, date(2015, 3, quiet)) == Counter()

    assert day(allocated, date(2015, 3, 25)) == Counter(
        workbook_issued=14
    )  # the entry window opens
    assert sorted(
        r.office for r in queued(allocated, "workbook_issued") if "2558-03" in r.dedupe_key
    ) == sorted(OFFICES)

    for office in OFFICES:
        if office != SILENT:
            submit(
                allocated, office, period, work, confirm="ร่าง" if office == DRAFTING else "ยืนยันส่ง"
            )
    assert day(allocated, date(2015, 3, 26)) == Counter(receipt=13)
    now = state_of(allocated, period)
    assert (now["7101"], now[DRAFTING], now[SILENT], now["71"]) == (
        "submitted",
        "recorded",
        "missing",
        "submitted",
    )

    assert day(allocated, date(2015, 3, 27)) == Counter(reminder=2)  # the entry window's last day
    assert sorted(to(r)[0] for r in queued(allocated, "reminder")) == [
        "u7112@kanchanaburi.example.go.th",
        "u7113@kanchanaburi.example.go.th",
    ]

    assert day(allocated, date(2015, 3, 28)) == Counter(review_request=5)  # the review window opens
    assert sorted(r.office for r in queued(allocated, "review_request")) == SECTIONS

    reviewed_first = [d for d in DISTRICTS if d not in (DRAFTING, SILENT)]
    for section in SECTIONS:
        decisions = {d: APPROVE for d in reviewed_first}
        if section == "71-S3":
            decisions[THA_MAKA] = (RETURN, "A101 ไม่ตรงกับทะเบียน")
        review(allocated, section, period, work, decisions)
    submit(allocated, SILENT, period, work)  # late: after the 27th
    submit(allocated, DRAFTING, period, work)  # confirms its draft, late too
    assert day(allocated, date(2015, 3, 29)) == Counter(
        review_receipt=5, review_returned=1, receipt=2, review_request=5
    )
    now = states(allocated, period)
    assert now["7101"]["state"] == "approved" and now[THA_MAKA]["state"] == "returned"
    assert (
        now[SILENT]["state"],
        now[SILENT]["late"],
        now[DRAFTING]["state"],
        now[DRAFTING]["late"],
    ) == ("submitted", True, "submitted", True)
    (returned,) = queued(allocated, "review_returned")
    assert to(returned) == ["u7105@kanchanaburi.example.go.th"]
    again = [r for r in queued(allocated, "review_request")][5:]
    assert sorted(r.office for r in again) == SECTIONS  # each section: the late districts to review

    fixed = next((allocated.root / "share" / THA_MAKA / "returned").glob("*ส่งกลับ*"))
    drop(
        allocated, THA_MAKA, fill_monthly(fixed, work / "7105-fixed.xlsx", quantities={"A101": 280})
    )
    assert day(allocated, date(2015, 3, 30)) == Counter(
        review_reminder=5, receipt=1, review_request=1
    )
    assert [r.office for r in queued(allocated, "review_request")][
        -1
    ] == "71-S3"  # only the returning section looks again
    assert states(allocated, period)[THA_MAKA]["sections"] == {
        **dict.fromkeys(SECTIONS, "approved"),
        "71-S3": "pending",
    }

    for section in SECTIONS:  # the rest of the reviews come a day late
        review(
            allocated,
            section,
            period,
            work,
            {SILENT: APPROVE, DRAFTING: APPROVE}
            | ({THA_MAKA: APPROVE} if section == "71-S3" else {}),
        )
    assert day(allocated, date(2015, 3, 31)) == Counter(review_receipt=5)
    assert {
        row["state"] for office, row in states(allocated, period).items() if office != "71"
    } == {"approved"}

    assert day(allocated, date(2015, 4, 1)) == Counter(
        province_package=1
    )  # the strategy window opens
    (package,) = queued(allocated, "province_package")
    assert to(package) == [
        "strategy71@kanchanaburi.example.go.th",
        "u71@kanchanaburi.example.go.th",
    ]

    drop(
        allocated,
        "71",
        fill_confirm(issued_path(allocated, "confirm", "71", period), work / "confirm.xlsx"),
    )
    assert day(allocated, date(2015, 4, 2)) == Counter(confirm_receipt=1, centre_reports=1)
    assert set(state_of(allocated, period).values()) == {"confirmed"}
    (centre,) = queued(allocated, "centre_reports")
    assert to(centre) == ["planning@dld.example.go.th"]

    assert day(allocated, date(2015, 4, 3)) == Counter()
    assert day(allocated, date(2015, 4, 4)) == Counter()  # the lock: an event, no mail
    assert set(state_of(allocated, period).values()) == {"locked"}
    with allocated.ledger.atomic() as conn:
        (locked,) = conn.execute(
            select(events).where((events.c.event == "locked") & (events.c.period == period))
        ).all()
    assert locked.at == at(2015, 4, 4, 9)

    submit(allocated, "7101", period, work)
    assert day(allocated, date(2015, 4, 5)) == Counter(
        rejection=1
    )  # after the lock: the correction procedure
    (rejection,) = [
        m for m in sent_mail(allocated) if "u7101@" in m["To"] and "ส่งคืน" in m["Subject"]
    ]
    body = rejection.get_body(("plain",)).get_content()
    assert (
        "ปิดรับข้อมูลแล้ว" in body
        and "บันทึกข้อความ" in body
        and "memo" in body
        and "eop correction" not in body  # an officer is told the procedure, not a server command
    )
    assert_sent_once(allocated)


# -- February: 28 days, a review window of one day ----------------------------------------------------
def test_a_28_day_february_reviews_on_the_28th_alone(allocated, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    period, month = "2558-02", MonthCalendar(Period.parse("2558-02"))
    assert (
        month.review.first == month.review.last == date(2015, 2, 28)
    )  # 28–30 clamped to the month's last day
    assert (
        month.phase(at(2015, 2, 28, 23, 59)).value == "review"
        and month.phase(at(2015, 3, 1, 0)).value == "strategy"
    )

    assert day(allocated, date(2015, 2, 24)) == Counter()
    assert day(allocated, date(2015, 2, 25)) == Counter(workbook_issued=14)
    for office in OFFICES:
        submit(allocated, office, period, work)
    assert day(allocated, date(2015, 2, 26)) == Counter(receipt=14)
    assert (
        day(allocated, date(2015, 2, 27)) == Counter()
    )  # nobody to remind; the job still ran once
    assert day(allocated, date(2015, 2, 28)) == Counter(
        review_request=5
    )  # request and last day at once: no separate reminder
    with allocated.ledger.atomic() as conn:
        runs = {(r.job, r.key) for r in conn.execute(select(job_runs))}
    assert {
        ("remind-missing", period),
        ("review-request", period),
        ("review-reminder", period),
    } <= runs
    request = next(
        m
        for m in sent_mail(allocated)
        if "71-S3" in m["Subject"] and "Please review" in m["Subject"]
    )
    text = request.get_body(("plain",)).get_content()
    assert "28 กุมภาพันธ์ 2558 (วันเดียว)" in text and "a single day this month" in text

    for section in SECTIONS[:-1]:  # four sections review on the day
        review(allocated, section, period, work, dict.fromkeys(DISTRICTS, APPROVE))
    assert day(allocated, date(2015, 2, 28), hour=15) == Counter(review_receipt=4)
    review(allocated, "71-S5", period, work, dict.fromkeys(DISTRICTS, APPROVE))  # one a day late
    assert day(allocated, date(2015, 3, 1)) == Counter(province_package=1, review_receipt=1)
    with allocated.ledger.atomic() as conn:
        late = {
            r.office: bool(r.late)
            for r in conn.execute(select(submissions).where(submissions.c.kind == "review"))
        }
    assert late == {
        **dict.fromkeys(SECTIONS[:-1], False),
        "71-S5": True,
    }  # outside the review window: late too
    receipt = next(
        m
        for m in sent_mail(allocated)
        if "71-S5" in m["Subject"] and "Review received" in m["Subject"]
    )
    assert "late" in receipt.get_body(("plain",)).get_content()
    assert {row["state"] for o, row in states(allocated, period).items() if o != "71"} == {
        "approved"
    }

    # the package left at 09:00 before 71-S5's decision was read: its confirm workbook is stale
    drop(
        allocated,
        "71",
        fill_confirm(issued_path(allocated, "confirm", "71", period), work / "confirm.xlsx"),
    )
    assert day(allocated, date(2015, 3, 2)) == Counter(rejection=1)
    (answer,) = [m for m in sent_mail(allocated) if "u71@" in m["To"] and "ส่งคืน" in m["Subject"]]
    assert "EOP018-019_71_2558-02.xlsx" in [
        part.get_filename() for part in answer.iter_attachments()
    ]  # the fresh one
    drop(
        allocated,
        "71",
        fill_confirm(issued_path(allocated, "confirm", "71", period), work / "confirm-fresh.xlsx"),
    )
    assert day(allocated, date(2015, 3, 3)) == Counter(confirm_receipt=1, centre_reports=1)
    assert state_of(allocated, period)["7101"] == "confirmed"
    assert day(allocated, date(2015, 3, 4)) == Counter()
    assert state_of(allocated, period)["7101"] == "locked"
    assert_sent_once(allocated)


# -- a service down from the 24th to the 29th ------------------------------------------------------------
@pytest.mark.postgresql_default
def test_a_service_down_from_the_24th_to_the_29th_catches_up_once(allocated, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    period = "2558-03"
    for up in (21, 22, 23):
        day(allocated, date(2015, 3, up))
    # down from the 24th: no pass until the 29th; then a restart (a fresh process on the same deployment)
    restarted = open_deployment(allocated.config, allocated.clock)
    caught_up = day(restarted, date(2015, 3, 29))
    assert caught_up == Counter(workbook_issued=14, reminder=14, review_request=5)
    assert (
        day(restarted, date(2015, 3, 29), hour=10) == Counter()
    )  # a second pass sends nothing again
    with restarted.ledger.atomic() as conn:
        ran = {(r.job, r.key): r.ran_at for r in conn.execute(select(job_runs))}
    for job in ("issue-monthly", "remind-missing", "review-request"):
        assert ran[(job, period)] == at(2015, 3, 29, 9)
    overdue = next(
        m for m in sent_mail(restarted) if "u7105@" in m["To"] and "Overdue" in m["Subject"]
    )
    assert "เลยมาแล้ว" in overdue.get_body(("plain",)).get_content()

    for office in OFFICES:
        submit(restarted, office, period, work)
    sent_30 = day(restarted, date(2015, 3, 30))
    assert (
        sent_30["receipt"] == 14
        and sent_30["review_request"] == 5
        and sent_30["workbook_issued"] == 0
    )
    assert all(row["late"] for o, row in states(restarted, period).items() if o != "71")
    for section in SECTIONS:
        review(restarted, section, period, work, dict.fromkeys(DISTRICTS, APPROVE))
    assert day(restarted, date(2015, 3, 31)) == Counter(review_receipt=5)
    assert day(restarted, date(2015, 4, 1)) == Counter(province_package=1)
    assert day(restarted, date(2015, 4, 2)) == Counter()

    per_office = Counter(
        (r.kind, r.office)
        for r in queued(restarted, "workbook_issued") + queued(restarted, "reminder")
        if period in r.dedupe_key
    )
    assert len(per_office) == 2 * len(OFFICES)
    assert set(per_office.values()) == {1}  # each office: one workbook, one reminder
    assert_sent_once(restarted)


def test_days_without_a_pass_are_caught_up_in_order(allocated):
    """The jobs' own moments: issuing before reminding before reviewing, each once."""
    report = process(allocated, at(2015, 3, 29, 9))
    order = [name for name, key, _ in report.jobs if key == "2558-03"]  # as they ran
    assert order[:3] == ["issue-monthly", "remind-missing", "review-request"]
    with allocated.ledger.atomic() as conn:  # each recorded once
        recorded = [
            r.job for r in conn.execute(select(job_runs).where(job_runs.c.key == "2558-03"))
        ]
    assert sorted(recorded) == sorted(order)
    for moment in (at(2015, 3, 29, 9) + timedelta(hours=h) for h in range(1, 4)):
        assert process(allocated, moment).jobs == []


@pytest.mark.postgresql_default
def test_a_jobs_keys_worth_minutes_each_are_run_by_workers_once_each(
    deployment, tmp_path, monkeypatch
):
    """A job whose keys are each a province's minutes of work (the country's evidence packets,
    `in_workers`) shares them out to forked workers: each key runs once, in a worker, and what
    failed in one is said by the pass, with the command that runs it again."""
    from service import calendar

    ran_in = tmp_path / "ran"
    ran_in.mkdir()
    keys = ["1/2558|31", "1/2558|71", "1/2558|72", "1/2558|73"]

    def build(deployment: Deployment, key: str) -> int:
        (ran_in / key.replace("/", "-")).write_text(str(os.getpid()))
        if key.endswith("73"):
            deployment.failures.append("its report folder is not writable")
        return 1

    job = calendar.Job("packets", "the packets", lambda _: keys, build, in_workers=True)
    monkeypatch.setattr(calendar, "JOBS", [job])
    monkeypatch.setenv("EOP_WORKERS", "2")
    ran = calendar.run_due(deployment)
    assert sorted(key for _, key, _ in ran) == keys
    workers = {path.read_text() for path in ran_in.iterdir()}
    assert len(list(ran_in.iterdir())) == 4 and len(workers) == 2
    assert str(os.getpid()) not in workers
    assert deployment.failures == [
        calendar.failure_line("packets", "1/2558|73", "its report folder is not writable")
    ]
    with deployment.ledger.atomic() as conn:
        recorded = conn.scalars(select(job_runs.c.key).where(job_runs.c.job == "packets"))
        assert sorted(recorded) == keys
    assert calendar.run_due(deployment) == []  # once per key, whichever process ran it
