"""Measuring: a child process's wall time and the peak resident memory of its whole process
tree (the child and any pool workers it starts), sampled from /proc."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.02


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, now."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss(current)
        todo += _children(current)
    return total


class PeakSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._halt.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


@dataclass
class Child:
    result: dict
    peak_rss: int  # bytes, the whole tree
    wall: float  # seconds, the child's whole life (imports included)
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average before and after


def load_average() -> float:
    """Runnable processes on the machine, averaged over a minute (other work competes with ours)."""
    try:
        with open("/proc/loadavg") as handle:
            return float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def run_step(step: str, args: list[str], *, cwd: Path, out: Path) -> Child:
    """Run `bench.run step <step> …` in a fresh interpreter. The product's packages come from
    the environment (the installed wheel under `make bench`), not from the source tree."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    code = (
        f"import sys; sys.path.append({str(REPO)!r}); from bench.run import main; sys.exit(main())"
    )
    command = [sys.executable, "-c", code, "step", step, "--out", str(out), *args]
    started, load_before = time.perf_counter(), load_average()
    process = subprocess.Popen(command, cwd=cwd)
    sampler = PeakSampler(process.pid)
    sampler.start()
    returncode = process.wait()
    peak = sampler.stop()
    wall = time.perf_counter() - started
    if returncode != 0:
        raise RuntimeError(f"bench step {step} failed with exit code {returncode}")
    return Child(
        json.loads(out.read_text(encoding="utf-8")), peak, wall, (load_before, load_average())
    )


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between the nearest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return (
        statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]
        if 1 <= q <= 99
        else ordered[-1]
    )


def machine() -> str:
    """The machine the figures come from, in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as handle:
            mem = int(next(line for line in handle if line.startswith("MemTotal")).split()[1]) // (
                1024 * 1024
            )
    except (OSError, StopIteration):
        mem = 0
    return (
        f"{os.cpu_count()} CPU ({cpu}), {mem} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )
