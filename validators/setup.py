"""The setup workbook and the people workbook (EOP017), checked row by row: every mistake is
a finding on its cell, and what passes becomes the config's offices, sections, people,
plans and targets (plain dicts, as config.yaml holds them).

Pure: the rows come from intake.setup_book, the known offices/sections (for a people
workbook alone) from the config in use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from eop.config import OFFICE_CODE
from eop.findings import Finding, has_errors
from eop.layout import SheetLayout
from eop.setup_layout import (
    ACTIVITIES,
    FISCAL_YEAR_CELL,
    LEVELS,
    OFFICES,
    PEOPLE,
    PROVINCE_TARGETS,
    ROLES,
    SECTIONS,
    WHOLE,
    choice_of,
)
from validators.catalogue import at, finding
from validators.values import read_number

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACTIVITY_CODE = re.compile(r"^[0-9A-Za-z.\-]+$")
Row = tuple[int, dict[str, str]]  # (sheet row, field → text as typed)


@dataclass
class SetupRows:
    """What a setup or people workbook holds: the rows of each sheet it has, by sheet name."""

    kind: str  # setup | people
    sheets: dict[str, list[Row]]
    fiscal_year: str = ""


@dataclass
class SetupCheck:
    findings: list[Finding] = field(default_factory=list)
    offices: list[dict] = field(default_factory=list)
    sections: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)  # {activity, quantity, budget}
    fiscal_year: int | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


class _Sheet:
    """Findings on one sheet's cells."""

    def __init__(self, check: SetupCheck, layout: SheetLayout) -> None:
        self.check, self.layout = check, layout

    def add(self, code: str, name: str, row: int, value: object = None, expected=None) -> None:
        where = at(self.layout, name, row)
        self.check.findings.append(finding(code, value=value, expected=expected, **where))

    def required(self, row: int, values: dict[str, str], *names: str) -> bool:
        missing = [n for n in names if not values.get(n)]
        for name in missing:
            self.add("setup-missing", name, row)
        return not missing

    def unique(self, rows: Iterable[Row], name: str, code: str = "setup-duplicate") -> None:
        seen: dict[str, int] = {}
        for row, values in rows:
            value = values.get(name, "")
            if value and value.lower() in seen:
                self.add(code, name, row, value, seen[value.lower()])
            elif value:
                seen[value.lower()] = row


def check_setup(rows: SetupRows, known: dict[str, set[str]] | None = None) -> SetupCheck:
    """known: {"offices": codes, "sections": codes} of the config in use (a people workbook)."""
    check = SetupCheck()
    known = known or {}
    sheets = rows.sheets
    if rows.kind == "setup":
        _offices(check, sheets.get(OFFICES.name, []))
        _sections(check, sheets.get(SECTIONS.name, []))
        offices = {o["code"] for o in check.offices}
        sections = {s["code"] for s in check.sections}
    else:
        offices, sections = set(known.get("offices", ())), set(known.get("sections", ()))
    _people(check, sheets.get(PEOPLE.name, []), offices, sections)
    if rows.kind == "setup":
        _districts_answered(check, sheets.get(OFFICES.name, []))
        _activities(check, sheets.get(ACTIVITIES.name, []), sections)
        _sections_used(check, sheets.get(SECTIONS.name, []))
        _targets(check, sheets.get(PROVINCE_TARGETS.name, []), rows.fiscal_year)
    return check


def _offices(check: SetupCheck, rows: list[Row]) -> None:
    sheet = _Sheet(check, OFFICES)
    sheet.unique(rows, "code")
    codes = {v["code"] for _, v in rows if v.get("code")}
    for row, v in rows:
        if not sheet.required(row, v, "code", "level", "name_th"):
            continue
        if not re.match(OFFICE_CODE, v["code"]):
            sheet.add("setup-bad-code", "code", row, v["code"])
        level = choice_of(v["level"], LEVELS)
        if level is None:
            sheet.add("bad-choice", "level", row, v["level"], " / ".join(LEVELS.values()))
        parent = v.get("parent", "")
        if parent and parent not in codes:
            sheet.add("setup-unknown-parent", "parent", row, parent)
        elif not parent and level not in (None, "department"):
            sheet.add("setup-missing", "parent", row)
        check.offices.append(
            {"code": v["code"], "level": level, "parent": parent or None}
            | {"name_th": v["name_th"], "name_en": v.get("name_en", "")}
        )
    if rows and not any(o["level"] == "province" for o in check.offices):
        sheet.add("setup-no-province", "level", rows[0][0])


def _sections(check: SetupCheck, rows: list[Row]) -> None:
    sheet = _Sheet(check, SECTIONS)
    sheet.unique(rows, "code")
    offices = {o["code"] for o in check.offices}
    for row, v in rows:
        if not sheet.required(row, v, "code", "office", "name_th"):
            continue
        if not re.match(OFFICE_CODE, v["code"]):
            sheet.add("setup-bad-code", "code", row, v["code"])
        elif v["code"] in offices:
            sheet.add("setup-section-is-office", "code", row, v["code"])
        if v["office"] not in offices:
            sheet.add("setup-unknown-office", "office", row, v["office"])
        check.sections.append(
            {"code": v["code"], "office": v["office"], "name_th": v["name_th"]}
            | {"name_en": v.get("name_en", "")}
        )


def _people(check: SetupCheck, rows: list[Row], offices: set[str], sections: set[str]) -> None:
    sheet = _Sheet(check, PEOPLE)
    sheet.unique(rows, "account", "setup-duplicate-account")
    seen: dict[tuple, int] = {}
    for row, v in rows:
        if not sheet.required(row, v, "name", "email", "office", "role"):
            continue
        if not EMAIL.match(v["email"]):
            sheet.add("setup-bad-email", "email", row, v["email"])
        if v["office"] not in offices | sections:
            sheet.add("setup-unknown-office", "office", row, v["office"])
        role = choice_of(v["role"], ROLES)
        if role is None:
            sheet.add("bad-choice", "role", row, v["role"], " / ".join(ROLES.values()))
        section = v.get("section", "")
        if section and section not in sections:
            sheet.add("setup-unknown-section", "section", row, section)
        if role == "section_reviewer" and not section and v["office"] not in sections:
            sheet.add("setup-missing", "section", row)
        key = (v["email"].lower(), v["office"], role)
        if key in seen:
            sheet.add("setup-duplicate-person", "email", row, v["email"], seen[key])
        seen.setdefault(key, row)
        person = {"name": v["name"], "email": v["email"], "office": v["office"], "role": role}
        check.people.append(
            person | {"section": section or None, "account": v.get("account") or None}
        )


def _districts_answered(check: SetupCheck, rows: list[Row]) -> None:
    """A district nobody answers for would get workbooks no one receives."""
    sheet = _Sheet(check, OFFICES)
    answering = {p["office"] for p in check.people if p["role"] == "district"}
    for row, v in rows:
        if choice_of(v.get("level", ""), LEVELS) == "district" and v.get("code"):
            if v["code"] not in answering:
                sheet.add("setup-district-unanswered", "code", row, v["code"])


def _activities(check: SetupCheck, rows: list[Row], sections: set[str]) -> None:
    sheet = _Sheet(check, ACTIVITIES)
    sheet.unique(rows, "code")
    plans: dict[str, dict] = {}
    for row, v in rows:
        if not sheet.required(row, v, "plan", "output", "code", "name_th", "unit", "section"):
            continue
        if not ACTIVITY_CODE.match(v["code"]):
            sheet.add("setup-bad-code", "code", row, v["code"])
        if v["section"] not in sections:
            sheet.add("setup-unknown-section", "section", row, v["section"])
        whole = choice_of(v.get("whole") or "yes", WHOLE)
        if whole is None:
            sheet.add("bad-choice", "whole", row, v["whole"], " / ".join(WHOLE.values()))
        plan = _named(sheet, plans, v, row, "plan", {"outputs": {}})
        output = _named(sheet, plan["outputs"], v, row, "output", {"activities": []})
        output["activities"].append(
            {"code": v["code"], "name_th": v["name_th"], "name_en": v.get("name_en", "")}
            | {"unit": v["unit"], "unit_en": v.get("unit_en", ""), "whole": whole != "no"}
            | {"section": v["section"]}
        )
    check.plans = [plan | {"outputs": list(plan["outputs"].values())} for plan in plans.values()]


def _named(sheet: _Sheet, found: dict, v: dict, row: int, level: str, extra: dict) -> dict:
    """A plan or output: named on its first row; a later row naming it otherwise is a mistake."""
    code, th, en = v[level], v.get(f"{level}_th", ""), v.get(f"{level}_en", "")
    if code not in found:
        if not th:
            sheet.add("setup-missing", f"{level}_th", row)
        found[code] = {"code": code, "name_th": th, "name_en": en, **extra}
    elif th and th != found[code]["name_th"]:
        sheet.add("setup-name-differs", f"{level}_th", row, th, found[code]["name_th"])
    return found[code]


def _sections_used(check: SetupCheck, rows: list[Row]) -> None:
    sheet = _Sheet(check, SECTIONS)
    owning = {a["section"] for p in check.plans for o in p["outputs"] for a in o["activities"]}
    for row, v in rows:
        if v.get("code") and v["code"] not in owning:
            sheet.add("setup-section-idle", "code", row, v["code"])


def _targets(check: SetupCheck, rows: list[Row], fiscal_year: str) -> None:
    sheet = _Sheet(check, PROVINCE_TARGETS)
    year = read_number(fiscal_year).number
    if year is None or not 2400 <= year <= 2700 or year % 1:
        check.findings.append(
            finding(
                "setup-fiscal-year",
                value=fiscal_year,
                sheet=PROVINCE_TARGETS.name,
                sheet_en=PROVINCE_TARGETS.name_en,
                cell=FISCAL_YEAR_CELL,
                field_th="ปีงบประมาณ",
                field_en="fiscal year",
            )
        )
    else:
        check.fiscal_year = int(year)
    activities = {a["code"] for p in check.plans for o in p["outputs"] for a in o["activities"]}
    sheet.unique(rows, "activity")
    for row, v in rows:
        if not sheet.required(row, v, "activity", "quantity", "budget"):
            continue
        if v["activity"] not in activities:
            sheet.add("unknown-activity", "activity", row, v["activity"])
        numbers = {}
        for name in ("quantity", "budget"):
            reading = read_number(v[name])
            if not reading.ok or reading.number is None:
                sheet.add("not-a-number", name, row, v[name])
            elif reading.number < 0:
                sheet.add("negative", name, row, v[name])
            numbers[name] = reading.number or 0.0
        check.targets.append({"activity": v["activity"], **numbers})
