"""The KPI rules as people read them (DESIGN §8): which round, which province, what a level
says for the round, names and moments in Buddhist Era, and when each month is due.

A month is due for a fact once its window has closed: recorded after the entry window (25–27),
approved after the review window (28–30), confirmed to the centre after the strategy group's
(1–3 of the next month). Mid-round, a month not yet due is "ยังไม่ถึงกำหนด / not yet due".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from eop.calendar import MonthCalendar
from eop.config import Config
from eop.periods import Period
from eop.rounds import DOCUMENT_KINDS, KpiRule, Level, Round
from eop.thai import MONTHS_EN, date_th, to_arabic_digits


class KpiError(ValueError):
    """A KPI question that cannot be answered: an unknown round or office, no rules for its year."""

    permanent = True


# -- names and moments as people read them ---------------------------------------------------


def due_th(day: date) -> str:
    """A due date in Buddhist Era, short: `7 ต.ค. 2558`."""
    return date_th(day, short=True)


def document_label(kind: str, number: str | None) -> tuple[str, str]:
    names = DOCUMENT_KINDS[kind]
    return (
        f"{names.name_th}{f' ที่ {number}' if number else ''}",
        f"{names.name_en}{f' no. {number}' if number else ''}",
    )


def months_of(round_: Round, as_of: Period) -> list[Period]:
    return [m for m in round_.months if m <= as_of]


def span_text(months: list[Period]) -> tuple[str, str]:
    """`เม.ย.58 – ก.ย.58`, `April – September 2558 BE`: a run of months, short."""
    if not months:
        return "", ""
    first, last = months[0], months[-1]
    if first == last:
        return first.short_th, f"{MONTHS_EN[first.month - 1]} {first.year_be} BE"
    return (
        f"{first.short_th} – {last.short_th}",
        f"{MONTHS_EN[first.month - 1]} {first.year_be} – {MONTHS_EN[last.month - 1]} {last.year_be} BE",
    )


def months_text(round_: Round) -> tuple[str, str]:
    th, en = span_text(round_.months)
    return f"ตั้งแต่เดือน {th}", en


def band_text(band: tuple[float, float]) -> str:
    return f"{band[0]:g}% - {band[1]:g}%"


def level_text(
    rule: KpiRule, level: Level, band: tuple[float, float] | None, round_: Round
) -> tuple[str, str]:
    """The level's text with `{band}` and `{months}` filled in for the round."""
    months_th, months_en = months_text(round_)
    values_th = {"band": band_text(band) if band else "", "months": months_th}
    values_en = {"band": band_text(band) if band else "", "months": months_en}
    return level.text_th.format(**values_th), level.text_en.format(**values_en)


# -- when a month is due ------------------------------------------------------------------------

Stage = Literal["entry", "review", "confirm"]


def due_at(config: Config, month: Period, stage: Stage) -> datetime:
    """The first moment after the month's window for `stage`: from then on it counts."""
    calendar = MonthCalendar(month, config.calendar.rules)
    window = {"entry": calendar.entry, "review": calendar.review, "confirm": calendar.strategy}
    return window[stage].closes


def due_months(config: Config, months: list[Period], stage: Stage, now: datetime) -> list[Period]:
    return [m for m in months if now >= due_at(config, m, stage)]


def latest_due(config: Config, round_: Round, now: datetime) -> Period:
    """The round's newest month whose entry window has closed (its first month if none has)."""
    due = due_months(config, round_.months, "entry", now)
    return due[-1] if due else round_.months[0]


# -- choosing a round and a province ----------------------------------------------------------


def resolve_round(config: Config, code: str | None, now: datetime) -> Round:
    """The round named (`1/2558`, Thai digits too), or the next round whose deadline has not
    passed (mid-round, only what is due by now counts), or the latest one."""
    if not config.rounds:
        raise KpiError("config.yaml ไม่มีรอบตัวชี้วัด (rounds) — config.yaml defines no KPI rounds")
    if code:
        wanted = to_arabic_digits(code.strip())
        for found in config.rounds:
            if found.code == wanted:
                return found
        raise KpiError(
            f"ไม่มีรอบ {code!r} (มี {', '.join(r.code for r in config.rounds)}) — "
            f"no round {code!r}; the rounds are {', '.join(r.code for r in config.rounds)}"
        )
    upcoming = sorted(
        (r for r in config.rounds if r.deadline >= now.date()), key=lambda r: r.deadline
    )
    return upcoming[0] if upcoming else max(config.rounds, key=lambda r: r.deadline)


def round_for_period(config: Config, period: Period) -> Round:
    """The round a period is reported under: of the rounds covering it, the one ending first."""
    covering = [r for r in config.rounds if period in r.months]
    if not covering:
        raise KpiError(f"งวด {period} ไม่อยู่ในรอบตัวชี้วัดใด — period {period} is in no KPI round")
    return min(covering, key=lambda r: (Period.parse(r.last), r.code))


def check_province(config: Config, office: str) -> None:
    known = {o.code: o for o in config.offices}
    if office not in known:
        raise KpiError(f"ไม่มีหน่วยงานรหัส {office!r} — no office {office!r}")
    if known[office].level != "province":
        raise KpiError(
            f"ตัวชี้วัดประเมินระดับจังหวัด: {office} ไม่ใช่จังหวัด — KPIs are scored for a province; {office} is not one"
        )


def provinces_of(config: Config, office: str) -> list[str]:
    """The provinces a report for `office` covers: itself, the one above a district, or every
    province below the department (or a region)."""
    here = config.office(office)
    if here.level == "province":
        return [office]
    if here.level == "district":
        return [province_above(config, office)]
    below, stack = [], [office]
    while stack:
        for child in config.children(stack.pop()):
            if child.level == "province":
                below.append(child.code)
            else:
                stack.append(child.code)
    return sorted(below)


def province_above(config: Config, office: str) -> str:
    here = config.office(office)
    while here.level != "province" and here.parent:
        here = config.office(here.parent)
    if here.level != "province":
        raise KpiError(f"{office}: ไม่อยู่ในจังหวัดใด — {office} is under no province")
    return here.code
