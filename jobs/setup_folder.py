"""The people (or setup) workbook dropped by the province into `share/<province>/setup/`:
applied by the calendar's `setup-apply` job on the next pass, answered by mail with the
receipt (what changed, or every mistake on its cell), then moved to `setup/done/` or
`setup/returned/`. The running service takes the new config at once: who gets mail, and the
share of an office added this way, made at once, its drop folder watched from the next pass.

A folder of its own rather than drop/: a setup workbook changes the deployment itself, not
a period's figures, so it never goes through the judging of submissions.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from eop.config import Role, load_config
from intake.folders import ensure_share
from jobs.deployment import Deployment, submitting_offices
from jobs.people import recipients
from outbox.compose import make_message
from outbox.spool import queue

KIND_NAMES = {
    "people": ("แบบฟอร์มผู้ใช้งาน (EOP017)", "people workbook (EOP017)"),
    "setup": ("แบบฟอร์มตั้งค่าระบบ", "setup workbook"),
}


def setup_dir(root: Path, province: str) -> Path:
    return root / "share" / province / "setup"


def setup_due(deployment: Deployment) -> list[str]:
    """A key per workbook waiting (quiet for the watcher's stable time): province/name@mtime:size."""
    keys = []
    quiet, root = deployment.config.watch.stable_seconds, deployment.root
    for province in deployment.config.provinces():
        for entry in _workbooks(setup_dir(root, province.code)):
            found = entry.stat()
            if time.time() - found.st_mtime >= quiet:
                keys.append(f"{province.code}/{entry.name}@{found.st_mtime_ns}:{found.st_size}")
    return keys


def _workbooks(folder: Path) -> list[os.DirEntry]:
    """The workbooks in a setup folder, by name; the folder made when it is not there yet.
    Read on every pass for every province, so one directory read each (no glob, no stat
    of names that are not workbooks)."""
    try:
        with os.scandir(folder) as entries:
            found = [
                e
                for e in entries
                if e.name.lower().endswith(".xlsx")
                and not e.name.startswith((".", "~$"))
                and e.is_file()
            ]
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        return []
    return sorted(found, key=lambda e: e.name)


def setup_run(deployment: Deployment, key: str) -> int:
    """Apply one waiting workbook; 1 when it was there (applied or answered with mistakes)."""
    from jobs.setup import apply_file  # openpyxl and the builders: only when there is one

    province, rest = key.split("/", 1)
    name = rest.rsplit("@", 1)[0]
    path = setup_dir(deployment.root, province) / name
    if not path.is_file():
        return 0
    config_path = deployment.config.source
    if config_path is None:  # a config built in memory has no file to rewrite
        return 0
    planners = deployment.config.people_of(province, Role.PROVINCE_PLANNER)
    actor = ", ".join(p.name for p in planners) or f"share/{province}/setup"
    receipt = apply_file(config_path, path, actor=actor, clock=deployment.clock)
    if receipt.applied:
        deployment.config = load_config(config_path)  # the running service's people now
        ensure_share(deployment.root, submitting_offices(deployment.config))
    _answer(deployment, province, name, receipt, actor, key)
    where = setup_dir(deployment.root, province) / ("done" if receipt.applied else "returned")
    where.mkdir(exist_ok=True)
    os.replace(path, where / f"{deployment.now():%Y%m%d-%H%M%S}-{name}")
    return 1


def _answer(
    deployment: Deployment, province: str, name: str, receipt, actor: str, key: str
) -> None:
    """The receipt by mail to the province's planners (and whoever the new table names)."""
    config = deployment.config
    to = [p.email for p in config.people_of(province, Role.PROVINCE_PLANNER)]
    to = sorted(set(to or recipients(config, province, None)))
    what_th, what_en = KIND_NAMES.get(receipt.kind, KIND_NAMES["setup"])
    context = {
        "applied": receipt.applied,
        "file": name,
        "what_th": what_th,
        "what_en": what_en,
        "lines": receipt.lines(actor, deployment.now()),
    }
    with deployment.ledger.atomic() as conn:
        queue(
            conn,
            config,
            make_message("setup_receipt", to, context),
            now=deployment.now(),
            dedupe_key=f"setup:{key}",
            office=province,
        )
