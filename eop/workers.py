"""Sharing a large batch of work (a national round's files, a province's day) out to worker
processes.

Workers are forked, so they start at once with everything imported; no open SQLite
connection may cross the fork (callers dispose their engine first and each worker opens
its own). Work is shared by office, or by province where a province's own workbook is in the
batch, so that files that depend on each other stay in order, in one worker, and the shares
are about even.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from eop.config import Config

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    """Processes for a large batch: one per core; the environment variable EOP_WORKERS
    overrides it (1: everything in the service's own process)."""
    configured = os.environ.get("EOP_WORKERS", "").strip()
    return max(1, int(configured)) if configured.isdigit() else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def shares_by_province(
    config: Config, items: Iterable[tuple[T, str]], workers: int
) -> list[list[T]]:
    """(item, office) → up to `workers` lists of items, each list in the order given. An office's
    items stay together, in order. A province's items stay together when one of them is its
    own or a section's (their verdicts depend on the districts' state, or change it); a
    province whose batch holds only district workbooks is shared out by district, so that a
    province's batch uses every core too."""
    groups: dict[str, list[tuple[int, T]]] = {}
    listed = list(enumerate(items))
    key = _group_key(config, {office for _, (_, office) in listed})
    for position, (item, office) in listed:
        groups.setdefault(key(office), []).append((position, item))
    shares: list[list[tuple[int, T]]] = [[] for _ in range(max(1, min(workers, len(groups))))]
    for group in sorted(
        groups.values(), key=len, reverse=True
    ):  # largest first, to the lightest share
        min(shares, key=len).extend(group)
    return [
        [item for _, item in sorted(share, key=lambda pair: pair[0])] for share in shares if share
    ]


def _group_key(config: Config, offices: set[str]) -> Callable[[str], str]:
    """office → the group it is judged in: its province when the batch holds a province-level
    item of that province, else the office itself."""
    province = {o.code: o.parent or o.code for o in config.offices if o.level == "district"}
    province.update({s.code: s.office for s in config.sections})
    districts = {o.code for o in config.offices if o.level == "district"}
    whole = {province.get(office, office) for office in offices if office not in districts}
    return lambda office: (
        province.get(office, office) if province.get(office, office) in whole else office
    )


def run_forked(function: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
    """function(task) for each task, each in its own forked process; results in task order."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(tasks), mp_context=context) as pool:
        return list(pool.map(function, tasks))
