"""`eop kpi` and `eop evidence`: a round's KPI scores, its evidence packet and checklist
(DESIGN §8, §10). Registered by `cli.main` with `register(app)`.

  eop kpi --round 1/2558 --office 71 [--json]
  eop evidence --round 1/2558 --office 71 [--send]       the packet: PDF + ZIP (and mail them)
  eop evidence --check [--json]                         what is still missing or failing
  eop evidence-letter --office 71                       draft the target notification memo now
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.common import Failure

console = Console(soft_wrap=True)

ROUND = typer.Option("--round", help="a KPI round, e.g. 1/2558; default: the next deadline")
OFFICE = typer.Option("--office", help="the province, e.g. 71; default: the deployment's province")


def _resolve(ctx: typer.Context, round_code: str | None, office: str | None):
    from jobs.reports import default_office
    from kpi.scorecard import KpiError, check_province, resolve_round

    deployment = ctx.obj.deployment()
    try:
        round_ = resolve_round(deployment.config, round_code, deployment.now())
    except KpiError as exc:
        raise typer.BadParameter(str(exc), param_hint="--round") from None
    office = office or default_office(deployment)
    try:
        check_province(deployment.config, office)
    except KpiError as exc:
        raise typer.BadParameter(str(exc), param_hint="--office") from None
    return deployment, round_, office


def _score(deployment, round_, office):
    from kpi.scorecard import KpiError, score

    try:
        return score(deployment, round_, office)
    except KpiError as exc:
        raise Failure(str(exc)) from None


def kpi(
    ctx: typer.Context,
    round_code: Annotated[str | None, ROUND] = None,
    office: Annotated[str | None, OFFICE] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the stable JSON shape (README)")] = False,
) -> None:
    """Each KPI's achievement, level, score and weighted score for a round, with every level's
    proof or the reason it fails.  Example: eop kpi --round 1/2558 --office 71 --json"""
    deployment, round_, office = _resolve(ctx, round_code, office)
    card = _score(deployment, round_, office)
    if as_json:
        print(json.dumps(card.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table(
        title=f"ตัวชี้วัด รอบที่ {round_.code} — KPIs of round {round_.code}: {card.office_th} ({office}), "
        f"data to {card.as_of}"
    )
    for head in ("KPI", "weight %", "achievement %", "level", "score", "weighted"):
        table.add_column(head)
    for k in card.kpis:
        table.add_row(
            k.code,
            f"{k.rule.weight:g}",
            f"{k.achievement:,.2f}" if k.achievement is not None else "–",
            f"{k.level}/{len(k.levels)}",
            f"{k.score:.4f}",
            f"{k.weighted:.4f}",
        )
    table.add_row("รวม total", f"{card.total_weight:g}", "", "", "", f"{card.total_weighted:.4f}")
    console.print(table)
    for k in card.kpis:
        for level in k.levels:
            mark = (
                "ผ่าน met"
                if level.reached
                else (
                    "ผ่านเกณฑ์ แต่ระดับต่ำกว่าไม่ผ่าน met, a lower level is not"
                    if level.holds
                    else "ไม่ผ่าน not met"
                )
            )
            console.print(f"{k.code} L{level.level}: {mark}", markup=False, highlight=False)
            for proof in level.proofs[:3]:
                console.print(f"    ✓ {proof.en}", markup=False, highlight=False)
            for problem in level.problems[:3]:
                console.print(f"    ✗ {problem.en}", markup=False, highlight=False)
            if len(level.problems) > 3:
                console.print(
                    f"    … and {len(level.problems) - 3} more", markup=False, highlight=False
                )


def evidence(
    ctx: typer.Context,
    round_code: Annotated[str | None, ROUND] = None,
    office: Annotated[str | None, OFFICE] = None,
    check: Annotated[
        bool, typer.Option("--check", help="only list what is still missing or failing")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="with --check: as JSON; else the packet's parts as JSON")
    ] = False,
    send: Annotated[
        bool, typer.Option("--send", help="also mail the packet to the province's coordinators")
    ] = False,
) -> None:
    """Build the round's evidence packet (one PDF, a ZIP of XLSX sources beside it), or with
    --check list what is still missing.  Example: eop evidence --round 1/2558 --office 71"""
    from kpi.scorecard import checklist, group_checklist

    deployment, round_, office = _resolve(ctx, round_code, office)
    if check:
        card = _score(deployment, round_, office)
        items = checklist(card)
        if as_json:
            print(
                json.dumps(
                    {
                        "round": round_.code,
                        "office": office,
                        "as_of": str(card.as_of),
                        "computed_at": card.computed_at.isoformat(),
                        "complete": not items,
                        "items": [i.as_dict() for i in items],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        if not items:
            console.print(
                f"ครบถ้วน ไม่มีรายการที่ยังขาด — round {round_.code}, {office}: nothing is missing",
                markup=False,
            )
            return
        console.print(
            f"ยังขาดหรือไม่ผ่าน {len(items)} รายการ — round {round_.code}, {office}: {len(items)} item(s) "
            f"missing or failing (due {round_.deadline:%Y-%m-%d})",
            markup=False,
            highlight=False,
        )
        for n, group in enumerate(group_checklist(items), start=1):
            where = f": {', '.join(group['offices'])}" if group["grouped"] else ""
            level = f" L{group['level']}" if group["level"] else ""
            console.print(
                f"{n:>3}. [{group['kpi']}{level}] {group['th']}{where}",
                markup=False,
                highlight=False,
            )
            console.print(f"     {group['en']}", markup=False, highlight=False)
        return
    from rich.progress import Progress

    from kpi.evidence import build_and_send
    from kpi.packet import PACKET_REPORTS, build_packet, page_list, summary

    steps = len(PACKET_REPORTS) + 3  # the reports, the front matter, merging, the zip
    with Progress(console=Console(stderr=True), transient=True, disable=as_json) as bar:
        task = bar.add_task(f"แฟ้มหลักฐาน / packet {round_.code} {office}", total=steps)

        def progress(text: str) -> None:
            bar.update(task, advance=1, description=f"แฟ้มหลักฐาน / packet: {text}")

        from kpi.scorecard import KpiError

        try:
            if send:
                packet = build_and_send(
                    deployment, round_, office, reason="command", progress=progress
                )
            else:
                packet = build_packet(deployment, round_, office, progress=progress)
        except KpiError as exc:
            raise Failure(str(exc)) from None
    if as_json:
        print(json.dumps({**summary(packet), "sent": send}, ensure_ascii=False, indent=2))
        return
    console.print(str(packet.pdf), markup=False, highlight=False)
    console.print(str(packet.zip), markup=False, highlight=False)
    console.print(
        f"{packet.pages} หน้า / pages" + (" — ส่งแล้ว / mailed" if send else ""), markup=False
    )
    for line in page_list(packet):
        console.print(f"  {line}", markup=False, highlight=False)


def evidence_letter(
    ctx: typer.Context,
    office: Annotated[str | None, OFFICE] = None,
) -> None:
    """Draft the target notification memo (บันทึกข้อความ) from the accepted allocation, into
    share/<province>/returned/.  Example: eop evidence-letter --office 71"""
    from kpi.letter import draft_letter
    from ledger import evidence as ledger_evidence

    deployment, _, office = _resolve(ctx, None, office)
    year = deployment.config.fiscal_year
    with deployment.ledger.atomic() as conn:
        found = ledger_evidence.latest_fact(conn, office, "allocation", str(year))
    if found is None:
        raise Failure(
            f"ยังไม่ได้รับแบบจัดสรรเป้าหมาย (EOP016) ของ {office} ปีงบประมาณ {year} — "
            f"no allocation workbook of {office} accepted for fiscal year {year} yet"
        )
    console.print(
        str(draft_letter(deployment, office, year, found.version)), markup=False, highlight=False
    )


def register(app: typer.Typer) -> None:
    """Add `kpi`, `evidence` and `evidence-letter` to the `eop` app."""
    app.command("kpi")(kpi)
    app.command("evidence")(evidence)
    app.command("evidence-letter")(evidence_letter)
