"""The confirm workbook (EOP018 + EOP019): the province planner's choices, checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from eop.findings import Finding
from eop.layout import (
    CONFIRM_BUDGET_CELL,
    CONFIRM_INCOMPLETE_CELL,
    CONFIRM_PERFORMANCE,
    CONFIRM_PERFORMANCE_CELL,
    CONFIRMER_CELL,
)
from eop.states import (
    EVEN_IF_INCOMPLETE,
    INCOMPLETE_CHOICES,
    PROVINCE_CONFIRM_CHOICES,
    YES,
)
from validators.catalogue import finding
from validators.values import read_text, shown

FIELDS = {  # cell → (Thai, English, choices)
    CONFIRM_PERFORMANCE_CELL: ("ยืนยันผลการปฏิบัติงาน", "confirm performance", PROVINCE_CONFIRM_CHOICES),
    CONFIRM_BUDGET_CELL: ("ยืนยันผลการใช้จ่าย", "confirm budget", PROVINCE_CONFIRM_CHOICES),
    CONFIRM_INCOMPLETE_CELL: ("ยืนยันแม้ไม่ครบ", "confirm even though incomplete", INCOMPLETE_CHOICES),
}


@dataclass
class ConfirmCheck:
    findings: list[Finding] = field(default_factory=list)
    performance: bool = False
    budget: bool = False
    even_if_incomplete: bool = False
    name: str = ""
    incomplete: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        """Both EOP018 and EOP019 confirmed, and complete or explicitly confirmed anyway."""
        return self.performance and self.budget and not any(f.is_error for f in self.findings)


def _where(cell: str) -> dict:
    th, en, _ = FIELDS.get(cell, ("ผู้ยืนยัน", "confirmed by", ()))
    return {
        "sheet": CONFIRM_PERFORMANCE.name,
        "sheet_en": CONFIRM_PERFORMANCE.name_en,
        "cell": cell,
        "field_th": th,
        "field_en": en,
    }


def _choice(check: ConfirmCheck, cell: str, raw: object) -> str:
    text = read_text(raw)
    choices = FIELDS[cell][2]
    if text and text not in choices:
        check.findings.append(
            finding("bad-choice", **_where(cell), value=shown(raw), expected=" / ".join(choices))
        )
        return ""
    return text


def check_confirm(cells: dict[str, object], *, incomplete: list[str]) -> ConfirmCheck:
    """`cells`: address → raw value of the input cells; `incomplete`: offices missing or not approved."""
    check = ConfirmCheck(name=read_text(cells.get(CONFIRMER_CELL)), incomplete=list(incomplete))
    check.performance = (
        _choice(check, CONFIRM_PERFORMANCE_CELL, cells.get(CONFIRM_PERFORMANCE_CELL)) == YES
    )
    check.budget = _choice(check, CONFIRM_BUDGET_CELL, cells.get(CONFIRM_BUDGET_CELL)) == YES
    check.even_if_incomplete = (
        _choice(check, CONFIRM_INCOMPLETE_CELL, cells.get(CONFIRM_INCOMPLETE_CELL))
        == EVEN_IF_INCOMPLETE
    )
    if not check.name:
        check.findings.append(
            finding(
                "name-missing",
                **_where(CONFIRMER_CELL),
                value="ผู้ยืนยัน",
                expected="person confirming",
            )
        )
    if not (check.performance and check.budget):
        check.findings.append(finding("not-confirmed", **_where(CONFIRM_PERFORMANCE_CELL)))
        return check
    listed = ", ".join(incomplete)
    if incomplete and not check.even_if_incomplete:
        check.findings.append(
            finding("confirm-incomplete", **_where(CONFIRM_INCOMPLETE_CELL), value=listed)
        )
    elif incomplete:
        check.findings.append(
            finding("confirmed-incomplete", **_where(CONFIRM_INCOMPLETE_CELL), value=listed)
        )
    return check
