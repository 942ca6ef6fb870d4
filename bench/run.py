"""The national benchmark, side by side, in one run: `python -m bench.run [--workbooks N]`
(`make bench`).

1. generate (or reuse) the national deployment and N filled monthly workbooks;
2. the plain approach on those files (read_excel + pandera + concat/groupby);
3. the product on the same files: one `eop process` pass (take → judge → ledger → answer +
   mail), then consolidation of the 77 provinces and the centre;
4. the product writing RPT111 + RPT211 (XLSX) for every province, and one province's PDFs;
5. how the product's pass grows with the number of workbooks (100 … N);
6. one corrected workbook at a time into `eop serve`, idle: drop to answer;
7. per size (13 and 104 in the demo deployment, 878 national), the whole `eop process` and
   the plain script, each a new process, side by side (bench.sizes).
8. the pass of 3. on PostgreSQL beside SQLite's (bench/ledgers.py), and on ledgers that hold
   whole earlier fiscal years (bench/year.py).
Each step runs in its own process; its peak memory is that process tree's.
The table goes to stdout and to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATH_STAGES = (
    "scan",
    "take",
    "take_all",
    "judge_pending",
)  # intake → validation → ledger (then consolidation)
MIB = 1024 * 1024


# -- steps (each in its own process) ----------------------------------------------------
def _step(args: argparse.Namespace) -> dict:
    from bench.national import Workbook, generate

    generated = Path(args.generated)
    if args.name == "generate":
        chosen = generate(
            generated, workbooks=args.workbooks, seed=args.seed, log=lambda m: print(m, flush=True)
        )
        return {"workbooks": len(chosen)}
    manifest = json.loads((generated / "manifest.json").read_text(encoding="utf-8"))
    workbooks = [Workbook(**w) for w in manifest["workbooks"]]
    workbooks = subset(workbooks, args.workbooks)
    if args.name == "plain":
        from bench.plain import plain_round

        cpu = time.process_time()
        result = plain_round([(w.office, generated / w.file) for w in workbooks])
        cpu = time.process_time() - cpu
        totals = {}
        if result.provinces is not None:
            for (province, activity), row in result.provinces.iterrows():
                if row["quantity"] or row["spending"]:
                    totals[f"{province}/{activity}"] = [
                        round(float(row["quantity"]), 6),
                        round(float(row["spending"]), 6),
                    ]
        return {
            "workbooks": len(workbooks),
            "wall": result.wall,
            "cpu": cpu,
            "seconds": result.seconds,
            "invalid": sorted(result.invalid),
            "totals": totals,
        }
    from bench import product

    if args.name == "product":
        return product.product_round(generated, Path(args.run), workbooks)
    if args.name == "reports":
        return product.reports_round(
            Path(args.run), provinces=args.provinces, pdf_province=args.pdf_province
        )
    if args.name == "latency":
        return product.latency_round(generated, Path(args.run), workbooks, args.samples)
    raise SystemExit(f"unknown step {args.name}")


def subset(workbooks: list, n: int) -> list:
    """n of the generated workbooks, spread evenly (all of them when n is larger)."""
    if n >= len(workbooks):
        return workbooks
    return [workbooks[(i * len(workbooks)) // n] for i in range(n)]


# -- the whole run ------------------------------------------------------------------
def size_rows(args: argparse.Namespace, work: Path, generated: Path, say) -> list[dict]:
    """The whole `eop process` against the plain script, as new processes, per size."""
    from bench import sizes
    from bench.national import Workbook, copy_deployment, drop_time

    rows = []
    for size in args.sizes:
        say(f"bench: the whole process, {size} workbooks …")
        run = work / f"size-{size}"
        if size in sizes.PROVINCE_SIZES:
            base = sizes.province(work, say)
            drops = sizes.province_drops(base, size)
            sizes.copy(base / "deployment", run)
            row = sizes.whole_processes(run, drops, sizes.DEMO_NOW)
            row["where"] = "Kanchanaburi demo, April 2558" + (
                f" ({size // 13} versions a district)" if size > 13 else ""
            )
        else:
            manifest = json.loads((generated / "manifest.json").read_text(encoding="utf-8"))
            books = subset([Workbook(**w) for w in manifest["workbooks"]], size)
            drops = [(w.office, generated / w.file, w.drop_name) for w in books]
            now = drop_time().strftime("%Y-%m-%dT%H:%M")
            copy_deployment(generated, run)
            row = sizes.whole_processes(run, drops, now)
            row["where"] = "the country, March 2558"
        say(
            f"  plain {row['plain_openpyxl']['wall']:.2f}s / {row['plain_calamine']['wall']:.2f}s, "
            f"eop process {row['product']['wall']:.2f}s"
        )
        rows.append(row)
    return rows


def bench(args: argparse.Namespace) -> dict:
    from bench.measure import machine, run_step

    work = Path(args.workdir).resolve()
    generated = work / f"generated-{args.workbooks}"
    out = work / "out"
    say = (lambda *_: None) if args.quiet else (lambda m: print(m, flush=True))
    common = ["--generated", str(generated), "--seed", str(args.seed)]
    say(f"bench: {args.workbooks} workbooks, work folder {work}")
    run_step(
        "generate",
        [*common, "--workbooks", str(args.workbooks)],
        cwd=work,
        out=out / "generate.json",
    )

    say("bench: the plain approach …")
    plain = run_step(
        "plain", [*common, "--workbooks", str(args.workbooks)], cwd=work, out=out / "plain.json"
    )
    say(f"  {plain.result['wall']:.1f}s")
    say("bench: the product …")
    run_dir = work / f"run-{args.workbooks}"
    prod = run_step(
        "product",
        [*common, "--workbooks", str(args.workbooks), "--run", str(run_dir)],
        cwd=work,
        out=out / "product.json",
    )
    say(f"  {prod.result['pass_wall']:.1f}s")
    reports = None
    if args.provinces != 0:
        say("bench: the reports …")
        reports = run_step(
            "reports",
            [
                *common,
                "--workbooks",
                str(args.workbooks),
                "--run",
                str(run_dir),
                "--provinces",
                str(args.provinces or 0),
                "--pdf-province",
                args.pdf_province,
            ],
            cwd=work,
            out=out / "reports.json",
        )
    scaling = []
    for size in sorted({s for s in args.scaling if s < args.workbooks}):
        say(f"bench: scaling, {size} workbooks …")
        child = run_step(
            "product",
            [*common, "--workbooks", str(size), "--run", str(work / f"run-scale-{size}")],
            cwd=work,
            out=out / f"scale-{size}.json",
        )
        scaling.append(child)
    scaling.append(prod)
    latency = None
    if args.samples:
        say("bench: one workbook at a time, idle service …")
        latency = run_step(
            "latency",
            [
                *common,
                "--workbooks",
                str(args.workbooks),
                "--run",
                str(run_dir),
                "--samples",
                str(args.samples),
            ],
            cwd=work,
            out=out / "latency.json",
        )
    from bench.year import more  # the ledgers side by side, the years held

    more_text, more_figures = more(args, prod, work, out, say)
    summary = summarise(plain, prod, reports, scaling, latency)
    summary["sizes"] = size_rows(args, work, generated, say)
    if args.packet:
        from bench.sizes import packet, province_pdfs

        summary["packet"] = packet(work, say)
        summary["province_pdfs"] = province_pdfs(work, generated, say)
    summary["machine"] = machine()
    summary["when"] = datetime.now().strftime("%Y-%m-%d %H:%M")
    summary.update(more_figures)
    text = render(summary) + more_text
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return summary


def _ms(values: list[float], q: float) -> float:
    from bench.measure import percentile

    return percentile(values, q) * 1000 if values else float("nan")


def _path(result: dict) -> float:
    """The product's path (intake → validation → ledger, then consolidation) in one step's result."""
    consolidation = result["consolidation"]
    return sum(result["stages"].get(k, 0.0) for k in PATH_STAGES) + (
        consolidation["seconds"] if consolidation.get("available") else 0.0
    )


def summarise(plain, prod, reports, scaling, latency) -> dict:
    p, q = plain.result, prod.result
    consolidation = q["consolidation"]
    consolidated = consolidation.get("seconds", 0.0) if consolidation.get("available") else 0.0
    plus = " + consolidation" if consolidation.get("available") else ""
    stages, cpu = q["stages"], q.get("stages_cpu", {})
    path = sum(stages.get(k, 0.0) for k in PATH_STAGES) + consolidated
    path_cpu = sum(cpu.get(k, 0.0) for k in PATH_STAGES) + consolidated
    whole = q["pass_wall"] + consolidated
    per_file = {
        "median_ms": _ms(q["verdict_seconds"], 50),
        "p95_ms": _ms(q["verdict_seconds"], 95),
        "peak_mib": prod.peak_rss / MIB,
    }
    rows = [
        {
            "approach": "plain: read_excel(openpyxl) + pandera + concat/groupby",
            "items": p["workbooks"],
            "unit": "workbooks",
            "wall": p["wall"],
            "cpu": p.get("cpu"),
            "median_ms": _ms(p["seconds"], 50),
            "p95_ms": _ms(p["seconds"], 95),
            "peak_mib": plain.peak_rss / MIB,
        },
        {
            "approach": f"product: intake → validation → ledger{plus}",
            "items": q["workbooks"],
            "unit": "workbooks",
            "wall": path,
            "cpu": path_cpu,
            **per_file,
            "ratio": p["wall"] / path,
        },
        {
            "approach": f"product: the whole `eop process` pass (also answers, mail spooled and sent){plus}",
            "items": q["workbooks"],
            "unit": "workbooks",
            "wall": whole,
            "cpu": q.get("pass_cpu", 0.0) + consolidated,
            **per_file,
            "ratio": p["wall"] / whole,
        },
    ]
    if reports and reports.result.get("available"):
        r = reports.result
        read = (
            f" (the period's figures read once, {r['read_seconds']:.2f}s, included)"
            if "read_seconds" in r
            else ""
        )
        rows.append(
            {
                "approach": f"product: RPT111 + RPT211 XLSX, {r['provinces']} provinces{read}",
                "items": len(r["xlsx_seconds"]),
                "unit": "reports",
                "wall": r["xlsx_wall"],
                "median_ms": _ms(r["xlsx_seconds"], 50),
                "p95_ms": _ms(r["xlsx_seconds"], 95),
                "peak_mib": reports.peak_rss / MIB,
            }
        )
        first, warm = r["pdf_seconds"][:1], r["pdf_seconds"][1:]
        rows.append(
            {
                "approach": f"product: RPT111 PDF of province {r['pdf_province']} (the national "
                f"catalogue, {r.get('pdf_pages', '?')} pages), the first in the process "
                "(WeasyPrint loaded, fonts parsed)",
                "items": 1,
                "unit": "report",
                "wall": first[0],
                "median_ms": _ms(first, 50),
                "p95_ms": _ms(first, 95),
                "peak_mib": reports.peak_rss / MIB,
            }
        )
        rows.append(
            {
                "approach": f"product: RPT111 + RPT211 PDF, {r.get('pdf_provinces', 1)} "
                "provinces, every report after the first (warm)",
                "items": len(warm),
                "unit": "reports",
                "wall": sum(warm),
                "median_ms": _ms(warm, 50),
                "p95_ms": _ms(warm, 95),
                "peak_mib": reports.peak_rss / MIB,
            }
        )
    same_invalid = p["invalid"] == q["invalid"]
    totals_match = None
    if consolidation.get("available"):
        a, b = p["totals"], consolidation["totals"]
        totals_match = a.keys() == b.keys() and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6) for k in a for x, y in zip(a[k], b[k])
        )
    return {
        "rows": rows,
        "stages": q["stages"],
        "pass_wall": q["pass_wall"],
        "statuses": q["statuses"],
        "consolidation": {k: v for k, v in consolidation.items() if k != "totals"},
        "invalid": {
            "plain": len(p["invalid"]),
            "product": len(q["invalid"]),
            "same_files": same_invalid,
        },
        "totals_match": totals_match,
        "scaling": [
            {
                "workbooks": c.result["workbooks"],
                "pass_wall": c.result["pass_wall"],
                "path": _path(c.result),
                "ms_per_workbook": c.result["pass_wall"] / c.result["workbooks"] * 1000,
            }
            for c in scaling
        ],
        "latency": None
        if latency is None
        else {
            "samples": latency.result["samples"],
            "median_ms": _ms(latency.result["seconds"], 50),
            "p95_ms": _ms(latency.result["seconds"], 95),
            "max_ms": max(latency.result["seconds"]) * 1000,
        },
        "reports_peak_mib": reports.peak_rss / MIB if reports else None,
        "load": {"plain": plain.load, "product": prod.load},
    }


def render(s: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {s['machine']}. Run {s['when']}. Other work on the machine as each step began (1-minute load "
        f"average; 0 = idle, each unit a process wanting one of the cores): plain {s['load']['plain'][0]:.1f}, "
        f"product {s['load']['product'][0]:.1f}.",
        "",
        "| approach | items | wall s | items/s | median ms | p95 ms | peak RSS MiB | CPU s | plain ÷ product |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in s["rows"]:
        ratio = f"{r['ratio']:.1f}×" if "ratio" in r else ""
        cpu = f"{r['cpu']:.1f}" if r.get("cpu") is not None else ""
        lines.append(
            f"| {r['approach']} | {r['items']} {r['unit']} | {r['wall']:.2f} | {r['items'] / r['wall']:.1f} | "
            f"{r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['peak_mib']:.0f} | {cpu} | {ratio} |"
        )
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in s["stages"].items())
    c = s["consolidation"]
    lines += [
        "",
        f"Product pass {s['pass_wall']:.2f}s: {stages}"
        + (
            f"; consolidation (77 provinces + centre) {c['seconds']:.2f}s."
            if c.get("available")
            else "; consolidation: not available yet."
        ),
        f"Verdicts: {s['statuses']}. Invalid files: plain {s['invalid']['plain']}, product {s['invalid']['product']}"
        f" (same files: {'yes' if s['invalid']['same_files'] else 'NO'})."
        + (
            ""
            if s["totals_match"] is None
            else f" Province totals equal to plain's groupby: {'yes' if s['totals_match'] else 'NO'}."
        ),
        "Per-workbook times: plain = read + validate one file; product = judging and recording one file (verdict time, "
        "including its share of the batched checks). CPU s: the step's processes together (workers included); "
        "more CPU than wall means both cores worked.",
        "",
        "## Scaling of the product's pass",
        "",
        "| workbooks | intake → ledger + consolidation s | ms per workbook | whole pass s | ms per workbook |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {x['workbooks']} | {x['path']:.2f} | {x['path'] / x['workbooks'] * 1000:.1f} | {x['pass_wall']:.2f} | "
        f"{x['ms_per_workbook']:.1f} |"
        for x in s["scaling"]
    ]
    if s.get("sizes"):
        from bench.sizes import render as render_sizes

        lines += render_sizes(s["sizes"])
    if s.get("packet"):
        from bench.sizes import render_packet, render_province_pdfs

        lines += render_packet(s["packet"])
    if s.get("province_pdfs"):
        lines += render_province_pdfs(s["province_pdfs"])
    if s["latency"]:
        lat = s["latency"]
        lines += [
            "",
            "## One workbook, idle `eop serve`",
            "",
            f"Drop (a move into the drop folder) to its answer in outbox/sent: median {lat['median_ms']:.0f} ms, "
            f"p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms over {lat['samples']} corrected workbooks "
            "(watch.stable_seconds 0: add the configured quiet time in production).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command")
    step = sub.add_parser("step", help="internal: one step in its own process")
    step.add_argument("name", choices=["generate", "plain", "product", "reports", "latency"])
    step.add_argument("--out", required=True)
    step.add_argument("--generated", required=True)
    step.add_argument("--workbooks", type=int, default=878)
    step.add_argument("--seed", type=int, default=2558)
    step.add_argument("--run")
    step.add_argument("--provinces", type=int, default=0, help="0: all")
    step.add_argument("--pdf-province", default="71")
    step.add_argument("--samples", type=int, default=15)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["step"]:
        args = step.parse_args(argv[1:])
        started = time.perf_counter()
        result = _step(args)
        result["step_seconds"] = time.perf_counter() - started
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0
    parser.add_argument(
        "--workbooks", type=int, default=878, help="filled workbooks (878: every district)"
    )
    parser.add_argument(
        "--scaling",
        default="100,200,400",
        help="smaller rounds to show growth, comma-separated ('' for none)",
    )
    parser.add_argument(
        "--provinces",
        type=int,
        default=None,
        help="provinces to write reports for (default all; 0 skips)",
    )
    parser.add_argument("--pdf-province", default="71")
    parser.add_argument(
        "--samples", type=int, default=15, help="single-workbook drops into eop serve (0 skips)"
    )
    parser.add_argument("--workdir", default=str(HERE / "work"))
    parser.add_argument(
        "--results", default=str(HERE / "RESULTS.md"), help="where the table goes ('' for nowhere)"
    )
    parser.add_argument("--seed", type=int, default=2558)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--sizes",
        default=None,
        help="whole-process rows: 13 and 104 in the demo deployment, others national "
        "(default 13,104,878 for the national run, else --workbooks alone; '' for none)",
    )
    parser.add_argument(
        "--only-sizes", action="store_true", help="only the whole-process rows (printed, not saved)"
    )
    parser.add_argument(
        "--no-packet", dest="packet", action="store_false", help="skip the evidence packet's row"
    )
    from bench.year import options

    options(parser)
    args = parser.parse_args(argv)
    args.scaling = [int(x) for x in args.scaling.split(",") if x.strip()]
    args.ledgers = [x.strip() for x in args.ledgers.split(",") if x.strip()]
    args.years_held = [int(x) for x in args.years_held.split(",") if x.strip()]
    if args.sizes is None:
        args.sizes = "13,104,878" if args.workbooks >= 878 else str(args.workbooks)
    args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.only_sizes:
        only_sizes(args)
        return 0
    bench(args)
    return 0


def only_sizes(args: argparse.Namespace) -> None:
    from bench.measure import machine, run_step
    from bench.sizes import PROVINCE_SIZES
    from bench.sizes import render as render_sizes

    work = Path(args.workdir).resolve()
    generated = work / f"generated-{args.workbooks}"
    say = (lambda *_: None) if args.quiet else (lambda m: print(m, flush=True))
    if any(size not in PROVINCE_SIZES for size in args.sizes):
        common = ["--generated", str(generated), "--seed", str(args.seed)]
        run_step(
            "generate",
            [*common, "--workbooks", str(args.workbooks)],
            cwd=work,
            out=work / "out" / "generate.json",
        )
    rows = size_rows(args, work, generated, say)
    print("\n".join([f"Machine: {machine()}.", *render_sizes(rows)]))


if __name__ == "__main__":
    sys.exit(main())
