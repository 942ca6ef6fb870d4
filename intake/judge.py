"""Judging one received file, in the order of DESIGN §6: can we open it → is it ours → its
kind and version → its office → its period and window → its structure → its values → the
rules. A structural failure stops the later stages; value and rule findings all come at once.

Each kind is `judge(raw, context) -> Verdict` (intake.judge_monthly, judge_province,
judge_workflow); judging only reads, and an accepted verdict's payload is stored later by
ledger.submissions.store in the taking code's transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from eop.config import Config
from eop.findings import Finding
from intake.judge_correction import judge_correction
from intake.judge_monthly import complete, judge_monthly
from intake.judge_province import judge_allocation, judge_targets
from intake.judge_workflow import judge_confirm, judge_review
from intake.read import RawWorkbook, UnreadableWorkbook, read_workbook
from intake.sniff import UnreadableFile, check_file_parts
from intake.verdict import Context, Verdict
from validators.catalogue import finding
from validators.structure import check_meta, check_row_limit

__all__ = ["KINDS", "complete", "judge_file", "kinds_for"]

KINDS: dict[str, Callable[[RawWorkbook, Context], Verdict]] = {
    "monthly": judge_monthly,
    "allocation": judge_allocation,
    "targets": judge_targets,
    "review": judge_review,
    "confirm": judge_confirm,
    "correction": judge_correction,
}


def kinds_for(config: Config, office: str) -> tuple[str, ...]:
    if office in config.section_codes:
        return ("review",)
    level = config.office(office).level if office in config.office_index else None
    return {
        "district": ("monthly",),
        "province": ("monthly", "allocation", "targets", "confirm", "correction"),
    }.get(level or "", ())


def judge_file(ctx: Context, path: Path, name: str, *, batched: bool = False) -> Verdict:
    """The verdict on one file. `batched`: a monthly workbook's value checks are left pending,
    for `complete` to run with others (one pandera run for the lot)."""
    try:
        parts = check_file_parts(path, ctx.config.limits, display_name=name)
        raw = read_workbook(
            path, display_name=name, max_rows=ctx.config.limits.max_rows, parts=parts
        )
    except UnreadableFile as exc:
        return Verdict((exc.finding(),))
    except UnreadableWorkbook as exc:
        severity = finding("not-our-workbook").severity
        return Verdict((Finding(severity, "unreadable", exc.message_th, exc.message_en),))
    meta = raw.meta or {}
    opening = Verdict(
        kind=meta.get("kind") or None,
        template_version=meta.get("template_version") or None,
        period=meta.get("period") or meta.get("fiscal_year") or None,
    )
    found = check_meta(
        raw.meta, folder_office=ctx.office, kinds_allowed=kinds_for(ctx.config, ctx.office)
    )
    if found:
        return opening.rejected(*found, fresh=any(f.code == "template-outdated" for f in found))
    limit = ctx.config.limits.max_rows
    found = [f for s in raw.sheet_names for f in check_row_limit(len(raw.rows(s)) - 1, limit, s)]
    if found:
        return opening.rejected(*found)
    verdict = KINDS[meta["kind"]](raw, ctx)
    return verdict if batched else complete([verdict])[0]
