"""`eop kpi` and `eop evidence`: a round's KPI scores, its evidence packet and checklist
(DESIGN §8, §10). Registered by `cli.main` with `register(app)`.

  eop kpi --round 1/2558 --office 71 [--json]
  eop evidence --round 1/2558 --office 71 [--send]       the packet: PDF + ZIP (and mail them)
  eop evidence --check [--json]                         what is still missing or failing
  eop evidence-letter --office 71                       draft the target notification memo now
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import Failure, LazyConsole
from eop.thai import date_en

if TYPE_CHECKING:
    from rich.table import Table

console = LazyConsole(soft_wrap=True)

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
    proof or the reason it fails; mid-round, what is not yet due and the pace.
    Example: eop kpi --round 1/2558 --office 71 --json"""
    from kpi.scorecard import scorecard_dict

    deployment, round_, office = _resolve(ctx, round_code, office)
    card = _score(deployment, round_, office)
    if as_json:
        print(json.dumps(scorecard_dict(card), ensure_ascii=False, indent=2))
        return
    console.print(_kpi_table(card))
    _say(_as_of_line(card))
    for k in card.kpis:
        for level in k.levels:
            _print_level(k.code, level)


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _kpi_table(card) -> Table:
    from rich.table import Table  # rich only when a table is shown (cli.common)

    round_ = card.round
    table = Table(
        title=f"ตัวชี้วัด รอบที่ {round_.code} {card.office_th} ({card.office}) "
        f"— KPIs of round {round_.code}, {card.office_en}"
    )
    for th, en in (
        ("ตัวชี้วัด", "KPI"),
        ("น้ำหนัก %", "weight %"),
        ("ผลสำเร็จ %", "achievement %"),
        ("ระดับ", "level"),
        ("คะแนน", "score"),
        ("ถ่วงน้ำหนัก", "weighted"),
    ):
        table.add_column(f"{th}\n{en}")
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
    return table


def _as_of_line(card) -> str:
    """Data to which month, the deadline in Buddhist Era, and mid-round what is not yet due."""
    from kpi.rules import due_th, span_text

    line = (
        f"ข้อมูลถึง {card.as_of.name_th} · กำหนดส่งหลักฐาน {due_th(card.round.deadline)}\n"
        f"data to {card.as_of.name_en} · evidence due {date_en(card.round.deadline)}"
    )
    if card.not_yet_due:
        th, en = span_text(card.not_yet_due)
        line += (
            f"\nกลางรอบ: นับเฉพาะที่ถึงกำหนดแล้ว เดือน {th} ยังไม่ถึงกำหนด"
            f"\nmid-round: only what is due counts; {en} not yet due"
        )
    return line


def _print_level(code: str, level) -> None:
    from kpi.model import STATUS_TEXT

    th, en = STATUS_TEXT[level.status]
    _say(f"{code} ระดับ {level.level}: {th} — level {level.level}: {en}")
    if level.pace:
        _say(f"    … {level.pace[0]}")
        _say(f"      {level.pace[1]}")
    for proof in level.proofs[:3]:
        _say(f"    ✓ {proof.th}")
        _say(f"      {proof.en}")
    for problem in level.problems[:3]:
        _say(f"    ✗ {problem.th}")
        _say(f"      {problem.en}")
    if len(level.problems) > 3:
        more = len(level.problems) - 3
        _say(f"    … และอีก {more} รายการ — and {more} more")


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
    deployment, round_, office = _resolve(ctx, round_code, office)
    if check:
        _check(deployment, round_, office, as_json)
        return
    packet = _build(deployment, round_, office, send=send, quiet=as_json)
    if as_json:
        from kpi.packet import summary

        print(json.dumps({**summary(packet), "sent": send}, ensure_ascii=False, indent=2))
        return
    from kpi.packet import page_list

    _say(str(packet.pdf))
    _say(str(packet.zip))
    _say(f"{packet.pages} หน้า / pages" + (" — ส่งแล้ว / mailed" if send else ""))
    for line in page_list(packet):
        _say(f"  {line}")


def _check(deployment, round_, office: str, as_json: bool) -> None:
    """What is still missing or failing, due dates in Buddhist Era; only what is due counts."""
    from kpi.rules import due_th
    from kpi.scorecard import checklist, group_checklist

    card = _score(deployment, round_, office)
    items = checklist(card)
    if as_json:
        shape = {
            "round": round_.code,
            "office": office,
            "as_of": str(card.as_of),
            "not_yet_due": [str(m) for m in card.not_yet_due],
            "computed_at": card.computed_at.isoformat(),
            "complete": not items,
            "items": [i.as_dict() for i in items],
        }
        print(json.dumps(shape, ensure_ascii=False, indent=2))
        return
    _say(_as_of_line(card))
    if not items:
        _say(f"ครบถ้วน ไม่มีรายการที่ยังขาด — round {round_.code}, {office}: nothing is missing")
        return
    _say(
        f"ยังขาดหรือไม่ผ่าน {len(items)} รายการ (กำหนดส่ง {due_th(round_.deadline)}) — "
        f"round {round_.code}, {office}: {len(items)} item(s) missing or failing "
        f"(due {date_en(round_.deadline)})"
    )
    for n, group in enumerate(group_checklist(items), start=1):
        level = f" ระดับ {group['level']}" if group["level"] else ""
        _say(f"{n:>3}. [{group['kpi']}{level}] {group['th']}")
        _say(f"     {group['en']}")
        for name in group["named"] if group["grouped"] else []:
            _say(f"       {name}")


def _build(deployment, round_, office: str, *, send: bool, quiet: bool):
    from rich.console import Console
    from rich.progress import Progress

    from kpi.evidence import build_and_send
    from kpi.packet import PACKET_REPORTS, build_packet
    from kpi.scorecard import KpiError

    steps = len(PACKET_REPORTS) + 3  # the reports, the front matter, merging, the zip
    with Progress(console=Console(stderr=True), transient=True, disable=quiet) as bar:
        task = bar.add_task(f"แฟ้มหลักฐาน / packet {round_.code} {office}", total=steps)

        def progress(text: str) -> None:
            bar.update(task, advance=1, description=f"แฟ้มหลักฐาน / packet: {text}")

        try:
            if send:
                return build_and_send(
                    deployment, round_, office, reason="command", progress=progress
                )
            return build_packet(deployment, round_, office, progress=progress)
        except KpiError as exc:
            raise Failure(str(exc)) from None


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
