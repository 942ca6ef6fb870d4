"""Several hosts, one ledger (issue 12): two `eop serve` processes on one PostgreSQL ledger,
one share and one archive, as two regional intake hosts would run. Files dropped at once are
each recorded, judged and answered once, every answer sent once, and each calendar job due
runs once per key on one of the two hosts. Counted from both hosts' output and the ledger."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from live_service import (
    Service,
    Template,
    all_answered_and_sent,
    assert_nothing_lost,
    batch_files,
    drop_batch,
    query,
    set_config,
    wait_until,
)

from eop.config import LEDGER_URL_ENV
from intake.folders import drop_dir
from jobs.deployment import Deployment, submitting_offices

# The 28th of March: the entry window closed yesterday (the reminder is due) and the review
# window opens (the review requests are due); the files dropped then make new versions for
# the sections (review-update jobs). Both hosts start at once and race for all of it.
NOW = "2015-03-28T10:00"


def _jobs_printed(service: Service) -> list[tuple[str, str]]:
    """(job, key) of every `job NAME key=KEY count=N` line a host logged (its event log)."""
    found = [line.split(" job ", 1)[1].split(" ") for line in service.err if " job " in line]
    return [(words[0], words[1].removeprefix("key=")) for words in found]


def _hosts(march: Deployment, ledger_url: str, count: int = 2) -> list[Service]:
    """`count` hosts serving the march deployment's share, archive and PostgreSQL ledger,
    each passing every 2 s even when its folders are quiet (a host's files may be left to
    another)."""
    assert march.config.source is not None
    config = set_config(march.config.source, watch={"mode": "inotify", "stable_seconds": 0.2})
    march.ledger.close()
    hosts = [  # 26 files: each host judges and answers them in forked workers
        Service(config, "--tick", "2", env={LEDGER_URL_ENV: ledger_url}, now=NOW)
        for _ in range(count)
    ]
    for host in hosts:
        host.wait_for_line("watching")
    return hosts


@pytest.mark.parametrize("ledger_url", ["postgresql"], indirect=True)
def test_two_hosts_share_one_ledger(march: Deployment, ledger_url: str, tmp_path: Path) -> None:
    root = march.root
    template = Template(tmp_path, batch_files(tmp_path))
    runs_before = set(query(root, "SELECT job, key FROM job_runs"))
    hosts = _hosts(march, ledger_url)
    try:
        names = drop_batch(template, root)
        wait_until(lambda: all_answered_and_sent(root, names), 180, "every file answered and sent")
        drops = [drop_dir(root, office) for office in submitting_offices(march.config)]
        seen = assert_nothing_lost(root, names, drops)
    finally:
        for host in hosts:
            host.stop()
    assert len(seen.files) == len(names) == 26
    judged = Counter(row[3] for row in seen.files)
    assert judged["accepted"] >= 21 and judged["duplicate"] == 2, judged
    # Each file's verdict was printed by one host only.
    printed = Counter(
        name for host in hosts for line in host.out for name in names if f"({name})" in line
    )
    assert printed == Counter(dict.fromkeys(names, 1)), printed
    # Each job due ran once per key, on one host or the other, and is recorded once.
    ran = Counter(job for host in hosts for job in _jobs_printed(host))
    assert ran and max(ran.values()) == 1, ran
    runs_after = Counter(query(root, "SELECT job, key FROM job_runs"))
    assert max(runs_after.values()) == 1
    assert set(ran) == set(runs_after) - runs_before, (set(ran), set(runs_after) - runs_before)
    assert {("remind-missing", "2558-03"), ("review-request", "2558-03")} <= set(ran)


@pytest.mark.slow
@pytest.mark.parametrize("ledger_url", ["postgresql"], indirect=True)
def test_a_host_killed_mid_batch_loses_nothing(
    march: Deployment, ledger_url: str, tmp_path: Path
) -> None:
    """SIGKILL to one host (and its workers) while the batch is being taken: the other finishes
    its work: the files it left recorded but unjudged, its answers, its mail (the dead host's
    claims let go with its connection and its senders' lock)."""
    root = march.root
    template = Template(tmp_path, batch_files(tmp_path))
    killed, survivor = _hosts(march, ledger_url)
    try:
        names = drop_batch(template, root)
        wait_until(
            lambda: len(query(root, "SELECT id FROM files WHERE status <> 'received'")) >= 8,
            60,
            "the batch being taken",
            killed,
            poll=0.02,
        )
        killed.kill_group()
        wait_until(
            lambda: all_answered_and_sent(root, names),
            240,
            "every file answered and sent by the host left",
            survivor,
        )
        drops = [drop_dir(root, office) for office in submitting_offices(march.config)]
        assert_nothing_lost(root, names, drops)
    finally:
        killed.kill_group()
        survivor.stop()
