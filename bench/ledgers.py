"""The national pass on both ledgers, side by side: the same files, the same generated
ledger, once on SQLite (the product step of bench.run) and once on PostgreSQL.

The PostgreSQL server is the tests' own (tests/pg_cluster.py: initdb + pg_ctl in a temporary
folder, a Unix socket, as `nobody` when we are root), started here with durable settings
(fsync, synchronous commit and full pages on, as a real server runs; the tests turn them
off). The generated SQLite ledger is moved into a fresh schema by the product's own
`eop move-ledger` (ledger.move: one transaction, verified), then the product step runs with
$EOP_LEDGER_URL pointing at it: every line of the product is the same on both.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def pg_cluster():
    """tests/pg_cluster.py, loaded by path (the tests import it as a top-level module)."""
    spec = importlib.util.spec_from_file_location(
        "pg_cluster", HERE.parent / "tests" / "pg_cluster.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("pg_cluster", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def postgresql_pass(args, work: Path, out: Path, say):
    """The product step on PostgreSQL (a Child), or None when PostgreSQL is not installed."""
    from bench.measure import run_step
    from eop.config import LEDGER_URL_ENV
    from ledger.move import move

    postgres = pg_cluster()
    binaries = postgres.find_binaries()
    if binaries is None:
        say("bench: PostgreSQL is not installed (Debian's postgresql): its column is skipped")
        return None
    postgres.SETTINGS.update(DURABLE)
    server = postgres.start(binaries)
    try:
        _, url = server.ledger()
        generated = work / f"generated-{args.workbooks}"
        say("bench: the same pass on PostgreSQL (the generated ledger copied in) …")
        moved = move(next((generated / "var").glob("*.sqlite3")), url, work)  # eop move-ledger's
        say(f"bench: {sum(moved.counts.values())} rows moved and verified in {moved.seconds:.1f} s")
        os.environ[LEDGER_URL_ENV] = url
        try:
            run = ["--generated", str(generated), "--seed", str(args.seed)]
            run += [
                "--workbooks",
                str(args.workbooks),
                "--run",
                str(work / f"run-pg-{args.workbooks}"),
            ]
            return run_step("product", run, cwd=work, out=out / "product-postgresql.json")
        finally:
            del os.environ[LEDGER_URL_ENV]
    finally:
        server.stop()


def side_by_side(prod, pg) -> dict:
    """The two product runs as rows of one table."""
    rows = []
    for name, child in (("SQLite", prod), ("PostgreSQL", pg)):
        r = child.result
        c = r["consolidation"]
        rows.append(
            {
                "ledger": name,
                "workbooks": r["workbooks"],
                "pass_wall": r["pass_wall"],
                "pass_cpu": r.get("pass_cpu", 0.0),
                "stages": r["stages"],
                "consolidation": c.get("seconds") if c.get("available") else None,
                "statuses": r["statuses"],
                "peak_mib": child.peak_rss / 2**20,
                "totals": c.get("totals"),
            }
        )
    a, b = rows[0]["totals"] or {}, rows[1]["totals"] or {}
    same = rows[0]["statuses"] == rows[1]["statuses"] and a.keys() == b.keys()
    same = same and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6) for k in a for x, y in zip(a[k], b[k])
    )
    return {"rows": rows, "same": same}


def render_ledgers(s: dict) -> str:
    lines = [
        "",
        "## The national pass on both ledgers",
        "",
        "The same workbooks and the same generated ledger (moved into PostgreSQL by `eop move-ledger`), the "
        "same `eop process` pass and consolidation; PostgreSQL on this machine, over a Unix socket, "
        "fsync on.",
        "",
        "| ledger | workbooks | whole pass s | CPU s | take s | judge s | answer s | consolidation s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in s["rows"]:
        st = r["stages"]
        take = st.get("take", 0.0) + st.get("take_all", 0.0) + st.get("scan", 0.0)
        consolidated = f"{r['consolidation']:.2f}" if r["consolidation"] is not None else "–"
        lines.append(
            f"| {r['ledger']} | {r['workbooks']} | {r['pass_wall']:.2f} | {r['pass_cpu']:.1f} | {take:.2f} | "
            f"{st.get('judge_pending', 0.0):.2f} | {st.get('answer_pending', 0.0):.2f} | {consolidated} | "
            f"{r['peak_mib']:.0f} |"
        )
    lines.append("")
    lines.append(
        f"Same verdicts and the same province totals on both: {'yes' if s['same'] else 'NO'}."
    )
    return "\n".join(lines) + "\n"
