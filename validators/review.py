"""The review workbook: each district's decision (อนุมัติ / ส่งกลับ) and comment, checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eop.findings import Finding
from eop.layout import REVIEW_DECISIONS, REVIEWER_CELL
from eop.states import DECISIONS, RETURN, REVIEW_CHOICES
from validators.catalogue import at, finding
from validators.values import read_text, shown

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Decision:
    office: str
    version: int
    decision: str  # approved | returned
    comment: str
    row: int


@dataclass
class ReviewCheck:
    findings: list[Finding] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    reviewer: str = ""


def check_review(
    frame: pd.DataFrame, *, reviewable: dict[str, int], reviewer: object, max_cell_chars: int
) -> ReviewCheck:
    """`frame`: the decisions sheet's raw cells by field plus `row`; its structure already checked.
    `reviewable`: office → the version the workbook offered for a decision."""
    check = ReviewCheck(reviewer=read_text(reviewer))
    for record in frame.to_dict("records"):
        _one_row(check, record, reviewable, max_cell_chars)
    if not check.reviewer:
        check.findings.append(
            finding(
                "name-missing",
                sheet=REVIEW_DECISIONS.name,
                sheet_en=REVIEW_DECISIONS.name_en,
                cell=REVIEWER_CELL,
                value="ผู้ตรวจสอบ",
                expected="reviewer",
            )
        )
    if not check.decisions and not any(f.is_error for f in check.findings):
        check.findings.append(finding("no-decisions"))
    return check


def _one_row(check: ReviewCheck, record: dict, reviewable: dict[str, int], max_chars: int) -> None:
    office, row = read_text(record["code"]), int(record["row"])
    choice, comment = read_text(record["decision"]), read_text(record["comment"])
    if len(comment) > max_chars:
        check.findings.append(
            finding(
                "cell-too-long",
                **at(REVIEW_DECISIONS, "comment", row),
                value=len(comment),
                expected=max_chars,
            )
        )
    if not choice or choice in ("-", "–"):
        return
    if choice not in REVIEW_CHOICES:
        check.findings.append(
            finding(
                "bad-choice",
                **at(REVIEW_DECISIONS, "decision", row),
                value=shown(record["decision"]),
                expected=" / ".join(REVIEW_CHOICES),
            )
        )
        return
    if office not in reviewable:
        check.findings.append(
            finding("review-nothing", **at(REVIEW_DECISIONS, "decision", row), value=office)
        )
        return
    if choice == RETURN and not comment:
        check.findings.append(
            finding("return-without-comment", **at(REVIEW_DECISIONS, "comment", row), value=office)
        )
        return
    check.decisions.append(Decision(office, reviewable[office], DECISIONS[choice], comment, row))
