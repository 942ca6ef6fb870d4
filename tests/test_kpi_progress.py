"""The KPI round's progress mailed at each checkpoint (issue 18, point 9): the end of each of
the round's months but the last, once per key through the calendar's job_runs; each KPI as it
stands mid-round, the pace, a month not yet due "ยังไม่ถึงกำหนด / not yet due", BE dates."""

from __future__ import annotations

import email
from email import policy

from conftest import at, process
from sqlalchemy import select

from jobs.deployment import Deployment
from kpi.progress import progress_due
from ledger import records
from ledger.schema import outbox
from service.calendar import job_named, run_job


def run_due_progress(deployment: Deployment) -> list[str]:
    """What `service.calendar.run_due` does, for this job alone: each due key not run yet."""
    job, ran = job_named("kpi-progress"), []
    for key in job.due(deployment):
        with deployment.ledger.atomic() as conn:
            done = records.job_done(conn, job.name, key)
        if not done:
            run_job(deployment, job, key)
            ran.append(key)
    return ran


def progress_mails(deployment: Deployment) -> list:
    with deployment.ledger.atomic() as conn:
        rows = list(conn.execute(select(outbox).where(outbox.c.kind == "kpi_progress")))
    return [
        email.message_from_bytes(
            (deployment.root / r.spool_path).read_bytes(), policy=policy.default
        )
        for r in rows
    ]


def test_the_progress_goes_once_per_checkpoint_with_months_not_yet_due(deployment):
    process(deployment)  # 1 October 2557: the targets in, the allocation workbook issued
    deployment.clock.set(at(2014, 12, 31, 23))
    assert progress_due(deployment) == ["1/2558|71|2557-11"]  # November's end, not December's yet
    deployment.clock.set(at(2015, 1, 1, 9))
    assert run_due_progress(deployment) == ["1/2558|71|2557-12"]
    assert run_due_progress(deployment) == []  # the job ran for its key: nothing again
    run_job(deployment, job_named("kpi-progress"), "1/2558|71|2557-12")  # --again: no second mail
    (mail,) = progress_mails(deployment)
    assert mail["To"] == "strategy71@kanchanaburi.example.go.th, u71@kanchanaburi.example.go.th"
    assert "ธันวาคม 2557" in mail["Subject"] and "December 2557 BE" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    thai, english = text.split("To the Strategy")
    assert "1 มกราคม 2558" in thai and "ยังไม่ถึงกำหนด" in thai and "7 เมษายน 2558" in thai
    assert "1 January 2558 BE" in english and "not yet due" in english
    # KPI 1's bands are for the round's end: not yet due with the pace, never "not met"
    kpi1 = english.split("KPI1 ")[2].split("KPI2 ")[0]
    assert (
        "level 2: not yet due — 5.00% expected by now (10% by the round's end), 0.00% reached"
        in kpi1
    )
    assert "level 5: not met" not in kpi1 and "January 2558 – March 2558 BE" in kpi1
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert html.index('lang="th"') < html.index('lang="en"') and "ควรได้ร้อยละ 5.00" in html


def test_after_downtime_only_the_latest_checkpoint_and_none_for_the_last_month(deployment):
    deployment.clock.set(at(2015, 3, 2, 9))
    assert progress_due(deployment) == ["1/2558|71|2558-02"]
    deployment.clock.set(at(2015, 4, 2, 9))  # March is the round's last month: the checklist's
    assert progress_due(deployment) == ["1/2558|71|2558-02"]
    deployment.clock.set(at(2015, 4, 8, 9))  # round 1 is over: round 2's progress, data to March
    assert progress_due(deployment) == ["2/2558|71|2558-03"]
