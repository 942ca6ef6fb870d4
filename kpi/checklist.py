"""What is still missing or failing for a round (DESIGN §8), once each, and grouped as people
read it: per month and kind of problem, the offices concerned with their names. Only what is
due by now is on it: a month not yet due is never missing."""

from __future__ import annotations

from typing import Any

from eop.periods import Period
from kpi.model import ChecklistItem, Scorecard

# The same missing month shows at levels 3, 4 and 5: the checklist lists it once.
MISSING_DATA = frozenset({"district-month-missing", "approval-no-data", "office-month-missing"})

# Items that name an office and a month are grouped for reading: one line per month and kind.
GROUPED = {
    "missing": ("ยังไม่มีข้อมูลเดือน{th}", "nothing recorded for {en}"),
    "approval-missing": (
        "กลุ่ม/ฝ่ายยังไม่อนุมัติข้อมูลเดือน{th}",
        "not yet approved by the sections for {en}",
    ),
    "approval-late": ("อนุมัติข้อมูลเดือน{th} นอกช่วงตรวจสอบ", "{en} approved outside the review window"),
    "office-late": ("ส่งข้อมูลเดือน{th} ช้า", "{en} sent late"),
}


def checklist(card: Scorecard) -> list[ChecklistItem]:
    """Everything still missing or failing, once each: documents a KPI needs, and every level's
    failing evidence (KPI 1's bands are results, not something to fix, and are left out)."""
    items: list[ChecklistItem] = []
    seen: set = set()
    for kpi in card.kpis:
        for doc in kpi.documents:
            for problem in doc.check.problems:
                _add(items, seen, ChecklistItem(kpi.code, None, problem))
        for level in kpi.levels:
            for problem in level.problems:
                if problem.code != "below-band":
                    name = card.names.get(problem.office or "", "")
                    _add(items, seen, ChecklistItem(kpi.code, level.level, problem, name))
    return items


def _add(items: list[ChecklistItem], seen: set, item: ChecklistItem) -> None:
    problem = item.problem
    key = (
        ("missing", problem.office, problem.period)
        if problem.code in MISSING_DATA
        else (problem.code, problem.th)
    )
    if key not in seen:
        seen.add(key)
        items.append(item)


def group_checklist(items: list[ChecklistItem]) -> list[dict[str, Any]]:
    """The checklist as people read it: per month and kind of problem, the offices concerned
    (`offices`: codes; `named`: `7101 สำนักงานปศุสัตว์อำเภอเมืองกาญจนบุรี` …), each line's detail
    kept; other items one line each, in order."""
    groups: dict[tuple, dict[str, Any]] = {}
    for item in items:
        problem = item.problem
        kind = "missing" if problem.code in MISSING_DATA else problem.code
        if kind in GROUPED and problem.period and problem.office:
            group = groups.setdefault((kind, problem.period), _group(item, kind, problem.period))
            if problem.office not in group["offices"]:
                group["offices"].append(problem.office)
                group["named"].append(_named(item))
            group["details"].append(problem.as_dict())
        else:
            groups[(problem.code, problem.th)] = {
                "code": problem.code,
                "kpi": item.kpi,
                "level": item.level,
                "period": problem.period,
                "th": problem.th,
                "en": problem.en,
                "offices": [problem.office] if problem.office else [],
                "named": [_named(item)] if problem.office else [],
                "details": [problem.as_dict()],
                "grouped": False,
            }
    return list(groups.values())


def _group(item: ChecklistItem, kind: str, period: str) -> dict[str, Any]:
    month = Period.parse(period)
    th, en = GROUPED[kind]
    return {
        "code": kind,
        "kpi": item.kpi,
        "level": item.level,
        "period": period,
        "th": th.format(th=month.name_th),
        "en": en.format(en=month.name_en),
        "offices": [],
        "named": [],
        "details": [],
        "grouped": True,
    }


def _named(item: ChecklistItem) -> str:
    office = item.problem.office or ""
    return f"{office} {item.office_th}".strip()
