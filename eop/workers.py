"""Sharing a large batch of work (a national round's files) out to worker processes.

Workers are forked, so they start at once with everything imported; no open SQLite
connection may cross the fork (callers dispose their engine first and each worker opens
its own). Work is shared by province, so that an office's files stay in order, in one
worker, and the shares are about even.
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
    """(item, office) → up to `workers` lists of items, whole provinces each (a district goes
    with its province, a section with its office), each list in the order given."""
    home = {o.code: o.parent or o.code for o in config.offices if o.level == "district"}
    home.update({s.code: s.office for s in config.sections})
    groups: dict[str, list[tuple[int, T]]] = {}
    for position, (item, office) in enumerate(items):
        groups.setdefault(home.get(office, office), []).append((position, item))
    shares: list[list[tuple[int, T]]] = [[] for _ in range(max(1, min(workers, len(groups))))]
    for group in sorted(
        groups.values(), key=len, reverse=True
    ):  # largest first, to the lightest share
        min(shares, key=len).extend(group)
    return [
        [item for _, item in sorted(share, key=lambda pair: pair[0])] for share in shares if share
    ]


def run_forked(function: Callable[[T], R], tasks: Sequence[T]) -> list[R]:
    """function(task) for each task, each in its own forked process; results in task order."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(tasks), mp_context=context) as pool:
        return list(pool.map(function, tasks))
