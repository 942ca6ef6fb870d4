"""The people (or setup) workbook dropped by the province into `share/<province>/setup/`:
applied by the calendar's `setup-apply` job on the next pass, answered by mail with the
receipt (what changed, or every mistake on its cell), then moved to `setup/done/` or
`setup/returned/`. The running service takes the new config at once (who gets mail); the
drop folder of an office added this way is watched from the service's next start.

A folder of its own rather than drop/: a setup workbook changes the deployment itself, not
a period's figures, so it never goes through the judging of submissions.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from eop.config import Role, load_config
from jobs.deployment import Deployment
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
    quiet = deployment.config.watch.stable_seconds
    for province in deployment.config.provinces():
        folder = setup_dir(deployment.root, province.code)
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("*.xlsx")):
            if path.name.startswith((".", "~$")) or not path.is_file():
                continue
            found = path.stat()
            if time.time() - found.st_mtime >= quiet:
                keys.append(f"{province.code}/{path.name}@{found.st_mtime_ns}:{found.st_size}")
    return keys


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
