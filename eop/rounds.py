"""KPI rounds and KPI rules, as config: next year's scheme needs no code (DESIGN §8).

A round names the months it covers, the day its evidence is due and what its packet's cover
says. A KPI rule names its levels with their text as the Department wrote them, the bands
of each round (KPI 1) and the evidence each level needs. Evidence is written as short
strings, checked when config.yaml loads:

  ``order 84/2558``               a registered document of a kind, with its number
  ``letter-targets | minutes``    either of two documents (any number)
  ``RPT112``                      a report the packet appends
  ``fact:districts-recorded``     a fact the ledger proves (FACTS lists them)

Documents are registered by dropping a PDF into ``share/<province>/evidence/`` named by the
rule in `parse_document_name` (kind words in Thai or English, then the number), or declared
under a round's ``documents`` in config.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from eop.periods import Period, months_between
from eop.thai import to_arabic_digits


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- documents -------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name_th: str
    name_en: str
    words: tuple[
        str, ...
    ]  # how a file name may start (Thai or English), longest first when matched
    numbered: bool  # the number is part of what identifies it (an order: 84/2558)


DOCUMENT_KINDS: dict[str, DocumentKind] = {
    k.code: k
    for k in (
        DocumentKind("order", "คำสั่ง", "order", ("order", "คำสั่ง"), True),
        DocumentKind(
            "letter-targets",
            "หนังสือแจ้งเป้าหมาย",
            "target notification letter",
            ("letter-targets", "letter", "หนังสือแจ้งเป้าหมาย", "บันทึกแจ้งเป้าหมาย", "หนังสือแจ้ง", "หนังสือ"),
            False,
        ),
        DocumentKind(
            "minutes",
            "รายงานการประชุม",
            "meeting minutes",
            ("minutes", "รายงานการประชุม", "บันทึกการประชุม"),
            False,
        ),
    )
}

NAMING_RULE_TH = (
    "ตั้งชื่อไฟล์ PDF ขึ้นต้นด้วยชนิดเอกสาร แล้วตามด้วยเลขที่ (ถ้ามี) เช่น "
    "order-84-2558.pdf หรือ คำสั่ง-85-2558.pdf (คำสั่งเลขที่ 85/2558), "
    "letter-targets.pdf หรือ หนังสือแจ้งเป้าหมาย-ลงนามแล้ว.pdf, minutes-1-2558.pdf หรือ รายงานการประชุม-….pdf; "
    "ใส่วันที่ของเอกสารได้ในรูป 2558-01-12 ต่อท้ายเลขที่"
)
NAMING_RULE_EN = (
    "Name the PDF by the kind of document, then its number if it has one: "
    "order-84-2558.pdf or คำสั่ง-85-2558.pdf (order no. 85/2558), "
    "letter-targets.pdf or หนังสือแจ้งเป้าหมาย-signed.pdf, minutes-1-2558.pdf or รายงานการประชุม-….pdf; "
    "the document's date may follow the number as 2558-01-12 (BE or CE)"
)

_SEPARATORS = "-_ ."
_NUMBER = re.compile(r"^[-_ .]*(\d{1,5})\s*[-_/. ]\s*(\d{4})(?=$|[-_ .])")
_DATE = re.compile(r"^[-_ .]*(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[-_ .])")
_NUMBER_TEXT = re.compile(r"^\d{1,5}/\d{4}$")


@dataclass(frozen=True)
class DocumentName:
    """What a dropped file's name says: its kind, number (``84/2558``) and date, if given."""

    kind: str
    number: str | None
    day: date | None


def parse_document_name(name: str) -> DocumentName | None:
    """``order-84-2558.pdf`` → (order, 84/2558); ``คำสั่ง-85-2558-2558-01-12.pdf`` → (order,
    85/2558, 12 Jan 2015); ``letter-targets-signed.pdf`` → (letter-targets, None). Thai digits
    are read as digits; case does not matter. None when no kind word starts the name or
    the file is not named .pdf."""
    stem, dot, suffix = to_arabic_digits(name.strip()).rpartition(".")
    if not dot or suffix.lower() != "pdf":
        return None
    lowered = stem.lower()
    words = sorted(
        ((w, k) for k in DOCUMENT_KINDS.values() for w in k.words), key=lambda item: -len(item[0])
    )
    for word, kind in words:
        if lowered.startswith(word) and (
            len(lowered) == len(word) or lowered[len(word)] in _SEPARATORS
        ):
            rest = stem[len(word) :]
            number = day = None
            numbered = None if _DATE.match(rest) else _NUMBER.match(rest)
            if numbered:
                number = f"{int(numbered[1])}/{numbered[2]}"
                rest = rest[numbered.end() :]
            if dated := _DATE.match(rest):
                day = _date_of(int(dated[1]), int(dated[2]), int(dated[3]))
            return DocumentName(kind.code, number, day)
    return None


def _date_of(year: int, month: int, day: int) -> date | None:
    try:
        return date(year - 543 if year >= 2400 else year, month, day)
    except ValueError:
        return None


class DocumentRef(_Strict):
    """A document declared in config: what it is (kind, number, date, title) and, if the
    deployment has the scan, where (registered like a dropped file). A dropped file of the
    same kind and number takes its date and title from here."""

    kind: str
    number: str | None = None  # "84/2558"
    date: dt.date | None = None  # CE in YAML (2015-01-12); shown in BE
    title_th: str
    title_en: str = ""
    office: str | None = None  # default: every province of the deployment
    file: Path | None = None  # relative to config.yaml

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in DOCUMENT_KINDS:
            raise ValueError(f"must be one of {', '.join(DOCUMENT_KINDS)}")
        return value

    @field_validator("number")
    @classmethod
    def _number(cls, value: str | None) -> str | None:
        if value is not None and not _NUMBER_TEXT.match(to_arabic_digits(value.strip())):
            raise ValueError("must be written like 84/2558")
        return to_arabic_digits(value.strip()) if value else None


# -- evidence a level needs --------------------------------------------------------------

FACTS: dict[str, tuple[str, str]] = {  # fact → (Thai, English): what the ledger must show
    "targets-set": (
        "จังหวัดได้รับเป้าหมายงาน-เงินตามเอกสารงบประมาณในระบบแล้ว",
        "the province's work–money targets from the budget document are in the ledger",
    ),
    "allocation-accepted": (
        "แบบจัดสรรเป้าหมายให้อำเภอ (EOP016) ได้รับการตรวจรับแล้ว",
        "the allocation workbook (EOP016) was accepted",
    ),
    "districts-recorded": (
        "ทุกอำเภอบันทึกผลทุกเดือนของรอบ",
        "every district recorded every month of the round",
    ),
    "approved-in-window": (
        "กลุ่ม/ฝ่ายอนุมัติข้อมูลทุกอำเภอภายในช่วงตรวจสอบของแต่ละเดือน",
        "every district's data was approved inside each month's review window",
    ),
    "complete-on-time": (
        "ข้อมูลครบถ้วน ตรงเวลา และจังหวัดยืนยันทุกเดือนภายในกำหนด",
        "the data is complete and on time, and the province confirmed every month in time",
    ),
    "no-correction-to-centre": (
        "ไม่มีการขอแก้ไขข้อมูลไปยังกองแผนงาน",
        "no correction was requested from the Planning Division",
    ),
}


@dataclass(frozen=True)
class EvidenceNeed:
    """One piece of evidence a level needs (parsed from config)."""

    text: str  # as written in config
    kind: Literal["document", "report", "fact"]
    documents: tuple[
        tuple[str, str | None], ...
    ] = ()  # alternatives: (document kind, number or None)
    report: str | None = None
    fact: str | None = None

    @property
    def label_th(self) -> str:
        if self.kind == "fact":
            return FACTS[self.fact or ""][0]
        if self.kind == "report":
            return f"รายงาน {self.report}"
        return " หรือ ".join(
            f"{DOCUMENT_KINDS[k].name_th}{f' ที่ {n}' if n else ''}" for k, n in self.documents
        )

    @property
    def label_en(self) -> str:
        if self.kind == "fact":
            return FACTS[self.fact or ""][1]
        if self.kind == "report":
            return f"report {self.report}"
        return " or ".join(
            f"{DOCUMENT_KINDS[k].name_en}{f' no. {n}' if n else ''}" for k, n in self.documents
        )


def parse_need(text: str) -> EvidenceNeed:
    """``fact:targets-set``, ``RPT112``, ``order 84/2558``, ``letter-targets | minutes``."""
    raw = " ".join(to_arabic_digits(text).split())
    if raw.startswith("fact:"):
        name = raw.removeprefix("fact:").strip()
        if name not in FACTS:
            raise ValueError(f"evidence {text!r}: unknown fact; the facts are {', '.join(FACTS)}")
        return EvidenceNeed(text, "fact", fact=name)
    if re.fullmatch(r"RPT\d{3}", raw.upper()):
        return EvidenceNeed(text, "report", report=raw.upper())
    alternatives = []
    for part in (p.strip() for p in raw.split("|")):
        kind, _, number = part.partition(" ")
        if kind not in DOCUMENT_KINDS:
            raise ValueError(
                f"evidence {text!r}: {kind!r} is not a document kind ({', '.join(DOCUMENT_KINDS)}), "
                f"a report (RPTnnn) or a fact (fact:{'|'.join(FACTS)})"
            )
        if number and not _NUMBER_TEXT.match(number.strip()):
            raise ValueError(f"evidence {text!r}: a document number is written like 84/2558")
        alternatives.append((kind, number.strip() or None))
    return EvidenceNeed(text, "document", documents=tuple(alternatives))


# -- rounds and rules --------------------------------------------------------------------


class Round(_Strict):
    """A KPI round: the months it covers, the day its evidence is due, its packet's cover."""

    code: str = Field(pattern=r"^\d/\d{4}$")  # "1/2558"
    fiscal_year: int = Field(ge=2400, le=2700)
    first: str  # "2557-10"
    last: str  # "2558-03"
    deadline: date  # CE date in YAML (2015-04-07); shown in BE
    reminders_days_before: list[int] = [7, 3, 1]
    packet_days_before: int = Field(
        1, ge=0
    )  # the packet goes out this many days before the deadline
    title_th: str = "การบันทึกผลการปฏิบัติงาน ผ่านระบบบริหารการปฏิบัติงาน e-Operation"
    title_en: str = (
        "Recording performance results through the performance management system e-Operation"
    )
    place_th: str | None = None  # default: the province office's name
    place_en: str | None = None
    prepared_by: str | None = None  # a section code; default: the coordinator's section
    documents: list[DocumentRef] = []

    @field_validator("first", "last")
    @classmethod
    def _period(cls, value: str) -> str:
        return str(Period.parse(value))

    @field_validator("reminders_days_before")
    @classmethod
    def _reminders(cls, days: list[int]) -> list[int]:
        if any(d < 1 for d in days) or len(set(days)) != len(days):
            raise ValueError("must be different whole numbers of days, each at least 1")
        return sorted(days, reverse=True)

    @model_validator(mode="after")
    def _months(self) -> Round:
        first, last = Period.parse(self.first), Period.parse(self.last)
        if first > last:
            raise ValueError(f"round {self.code}: first {self.first} comes after last {self.last}")
        if first.fiscal_year != self.fiscal_year or last.fiscal_year != self.fiscal_year:
            raise ValueError(
                f"round {self.code}: {self.first}–{self.last} is not inside fiscal year {self.fiscal_year}"
            )
        return self

    @property
    def months(self) -> list[Period]:
        return months_between(Period.parse(self.first), Period.parse(self.last))

    @property
    def number(self) -> int:
        return int(self.code.split("/")[0])


class Level(_Strict):
    level: int = Field(ge=1, le=9)
    text_th: str
    text_en: str
    evidence: list[
        str
    ] = []  # documents, reports or ledger facts that prove the level (module docstring)

    @field_validator("evidence")
    @classmethod
    def _evidence(cls, items: list[str]) -> list[str]:
        for item in items:
            parse_need(item)
        return items

    @property
    def needs(self) -> list[EvidenceNeed]:
        return [parse_need(item) for item in self.evidence]


class KpiRule(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9.\-]+$")  # "KPI1"
    fiscal_year: int = Field(ge=2400, le=2700)
    name_th: str
    name_en: str
    weight: float = Field(gt=0, le=100)  # percent
    kind: Literal["achievement", "e-system"]
    method: Literal["mean-capped", "budget-weighted"] = "mean-capped"
    interpolate: bool = False
    levels: list[Level]
    # round code → the lower and upper % of levels 2..5, e.g. [[10, 20], [21, 30], [31, 40], [41, 50]]
    bands: dict[str, list[tuple[float, float]]] = {}
    documents: list[
        str
    ] = []  # documents the KPI as a whole needs on file (its committee's order): checked, not a level

    @field_validator("documents")
    @classmethod
    def _documents(cls, items: list[str]) -> list[str]:
        for item in items:
            if parse_need(item).kind != "document":
                raise ValueError(f"{item!r}: only documents here (e.g. order 85/2558)")
        return items

    @model_validator(mode="after")
    def _shape(self) -> KpiRule:
        if [lv.level for lv in self.levels] != list(range(1, len(self.levels) + 1)):
            raise ValueError("levels must be numbered 1, 2, … in order")
        for code, bands in self.bands.items():
            lows = [low for low, _ in bands]
            if lows != sorted(lows) or any(low > high for low, high in bands):
                raise ValueError(f"bands of round {code} must rise: [low, high] with low ≤ high")
            if len(bands) != len(self.levels) - 1:
                raise ValueError(
                    f"round {code} needs {len(self.levels) - 1} bands (levels 2..{len(self.levels)})"
                )
        if self.kind == "e-system" and self.bands:
            raise ValueError("an e-system KPI is levelled by facts, not bands")
        return self

    @property
    def document_needs(self) -> list[EvidenceNeed]:
        return [parse_need(item) for item in self.documents]
