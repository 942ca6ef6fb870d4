"""Load (DESIGN §12, §13): a national deployment (77 provinces, 878 districts, ~60 activities,
from the benchmark's generator) and many workbooks dropped at once across all offices into
`eop serve` with mail over SMTP on loopback. Everything answered, each answer delivered once,
the ledger consistent, and the service's peak memory (its whole process tree) bounded.

The default run drops 100 district workbooks; `make test-slow` drops 1,000: every district's
(878), every province office's own (77) and 45 copies dropped a second time under another
name (answered as duplicates). Generated deployments are cached in $EOP_TEST_CACHE
(default /tmp/eop-test-cache), keyed by the generator's fingerprint.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from live_service import (
    PeakMemory,
    Service,
    all_answered_and_sent,
    assert_nothing_lost,
    query,
    set_config,
    smtp_to,
    wait_until,
)
from smtp_server import free_port, smtp_server

from intake.folders import drop_dir

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # bench/ is not packaged; the product still comes from the wheel
CACHE = Path(os.environ.get("EOP_TEST_CACHE", "/tmp/eop-test-cache"))
NOW = "2015-03-25T10:00"
GiB = 1024**3
FIGURES: dict[str, object] = {}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield FIGURES
    if FIGURES:
        print(f"\nload: {FIGURES}")


def national(workbooks: int) -> tuple[Path, list]:
    from bench.national import generate

    folder = CACHE / f"national-{workbooks}"
    return folder, generate(folder, workbooks=workbooks, log=lambda *_: None)


def province_office_workbooks(run: Path, out: Path) -> list[tuple[str, str, Path]]:
    """Every province office's own March workbook, issued and filled (not in the benchmark's sample)."""
    from datetime import datetime

    from bench.national import PERIOD, provinces
    from eop.clock import BANGKOK, Clock
    from eop.config import load_config
    from eop.periods import Period
    from jobs.deployment import open_deployment
    from jobs.issue import issue
    from ledger import views
    from simulation.offices import fill_monthly

    deployment = open_deployment(
        load_config(run / "config.yaml"), Clock(datetime(2015, 3, 25, 9, tzinfo=BANGKOK))
    )
    made = []
    for province in provinces():
        built = issue(deployment, "monthly", province.code, PERIOD, mail=False)
        with deployment.ledger.atomic() as conn:
            plan = views.office_month_plan(conn, province.code, Period.parse(PERIOD))
        quantities = {line.code: max(1.0, round(line.target / 12)) for line in plan[:5]}
        path = fill_monthly(
            built.path,
            out / f"{province.code}.xlsx",
            quantities=quantities,
            spending={line.code: 100.0 for line in plan[:3]},
            reporter=f"ผู้บันทึก {province.code}",
        )
        made.append((province.code, f"ผลงานสำนักงานจังหวัด-{province.code}.xlsx", path))
    deployment.ledger.close()
    return made


def run_load(
    tmp_path: Path,
    generated: Path,
    sample: list,
    extra: list[tuple[str, str, Path]] = (),
    again: int = 0,
) -> dict:
    from bench.national import copy_deployment

    config = copy_deployment(generated, tmp_path / "run")
    root = tmp_path / "run" / "var"
    port = free_port()
    smtp_to(config, port)
    set_config(config, watch={"mode": "inotify", "stable_seconds": 0.5})
    drops = [(w.office, w.drop_name, generated / w.file) for w in sample] + list(extra)
    rng = random.Random(1000)
    sound = [
        d for d, w in zip(drops, sample) if w.mistake is None
    ]  # a copy of an accepted file is a duplicate
    drops += [(office, f"ส่งซ้ำ-{name}", path) for office, name, path in rng.sample(sound, again)]
    names = {name for _, name, _ in drops}
    assert len(names) == len(drops)

    with smtp_server(port) as server:
        service = Service(config, "--tick", "2", now=NOW)
        try:
            sampler = PeakMemory(service.pid)
            sampler.start()
            service.wait_for_line("watching", timeout=120)
            started = time.monotonic()
            for office, name, source in drops:  # all at once, as fast as files can be copied
                shutil.copy(source, drop_dir(root, office) / name)
            offices = {office for office, _, _ in drops}
            wait_until(
                lambda: (
                    all_answered_and_sent(root, names)
                    and not any(any(drop_dir(root, o).iterdir()) for o in offices)
                ),
                1800,
                f"{len(drops)} files answered and mailed",
                service,
                poll=1.0,
            )
            seconds = time.monotonic() - started
            assert service.stop(timeout=120) == 0, service.output()
            peak = sampler.stop()
        finally:
            service.kill_group()
        received = Counter(server.message_ids())
    assert "Traceback" not in service.output(), service.output()
    seen = assert_nothing_lost(root, names, [drop_dir(root, o) for o in offices])
    answers = [a[2] for a in seen.answers]
    assert sorted(received) == sorted(answers) and set(received.values()) == {1}
    statuses = Counter(r[3] for r in seen.files)
    (events,) = query(root, "SELECT count(*) FROM events WHERE event = 'received'")
    (versions,) = query(root, "SELECT count(*) FROM submissions WHERE period = '2558-03'")
    assert statuses["duplicate"] == again
    assert versions[0] == statuses["accepted"]
    assert query(root, "PRAGMA integrity_check") == [("ok",)]
    assert query(root, "PRAGMA foreign_key_check") == []
    return {
        "files": len(drops),
        "accepted": statuses["accepted"],
        "rejected": statuses["rejected"],
        "duplicates": statuses["duplicate"],
        "mails once": len(received),
        "seconds": round(seconds, 1),
        "peak MiB": peak >> 20,
        "received events": events[0],
    }


def test_a_hundred_workbooks_at_once_across_the_country(tmp_path):
    generated, sample = national(100)
    assert len({w.province for w in sample}) >= 60  # spread over the country
    result = run_load(tmp_path, generated, sample)
    assert result["files"] == result["mails once"] == 100
    assert result["peak MiB"] < 2048, result
    FIGURES["100"] = result


@pytest.mark.slow
def test_a_thousand_workbooks_at_once_across_all_offices(tmp_path):
    from bench.national import copy_deployment

    generated, sample = national(878)
    assert (
        len(sample) == 878 and len({w.province for w in sample}) == 76
    )  # Bangkok has no district office
    staging = (
        tmp_path / "staging"
    )  # the generated deployment, plus every province office's own workbook issued
    copy_deployment(generated, staging)
    (staging / "filled").symlink_to(generated / "filled")
    extra = province_office_workbooks(staging, tmp_path / "provinces")
    result = run_load(tmp_path, staging, sample, extra, again=45)
    assert result["files"] == result["mails once"] == 1000
    assert result["peak MiB"] < 4096, result
    FIGURES["1000"] = result
