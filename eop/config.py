"""`config.yaml`: the deployment, loaded once and validated (pydantic).

A wrong value is answered with its key, the value seen and what is allowed (ConfigError);
the CLI turns that into exit code 2. Relative paths are relative to the config file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from enum import Enum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eop.calendar import CalendarRules
from eop.errors import ConfigError as ConfigError  # raised here, named there for the CLI
from eop.rounds import KpiRule, Round
from eop.settings import Limits, MailConfig, WatchConfig  # the service's own

OFFICE_CODE = r"^[0-9A-Za-z]+(-[0-9A-Za-z]+)?$"
LEDGER_URL_ENV = "EOP_LEDGER_URL"  # overrides config's ledger_url (one line moves a deployment)
LEDGER_SCHEMES = ("sqlite://", "postgresql+psycopg://")
# libyaml's safe loader reads a country's config ~10× faster than the pure-Python one (same result)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Role(str, Enum):
    DISTRICT = "district"
    PROVINCE_RECORDER = "province_recorder"
    PROVINCE_PLANNER = "province_planner"
    SECTION_REVIEWER = "section_reviewer"
    COORDINATOR = "coordinator"
    CENTRE = "centre"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Office(Strict):
    code: str = Field(pattern=OFFICE_CODE)
    level: Literal["department", "region", "province", "district"]
    parent: str | None = None
    name_th: str
    name_en: str


class Section(Strict):
    code: str = Field(pattern=OFFICE_CODE)
    office: str
    name_th: str
    name_en: str
    # The same section in every province (e.g. S3, animal health): an activity whose `section`
    # names a kind is reviewed, for each district, by its own province's section of that kind.
    kind: str | None = Field(None, pattern=OFFICE_CODE)


class Person(Strict):
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    office: str
    role: Role
    section: str | None = None
    account: str | None = None  # the e-Operation account, e.g. U7101 / UP71


class Activity(Strict):
    code: str = Field(pattern=r"^[0-9A-Za-z.\-]+$")
    name_th: str
    name_en: str
    unit: str
    unit_en: str = ""
    whole: bool = True
    section: str


class Output(Strict):
    code: str
    name_th: str
    name_en: str
    activities: list[Activity]


class Plan(Strict):
    code: str
    name_th: str
    name_en: str
    outputs: list[Output]


class TargetRow(Strict):
    activity: str
    quantity: float = Field(ge=0)
    budget: float = Field(ge=0)


class Targets(Strict):
    fiscal_year: int = Field(ge=2400, le=2700)
    office: str
    note: str = ""
    rows: list[TargetRow]


class CalendarConfig(Strict):
    cutoff_day: int = Field(20, ge=1, le=28)
    entry: tuple[int, int] = (25, 27)
    review: tuple[int, int] = (28, 30)
    strategy: tuple[int, int] = (1, 3)
    late_policy: Literal["accept-flagged", "reject"] = "accept-flagged"

    @field_validator("entry", "review", "strategy")
    @classmethod
    def _days_in_order(cls, days: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= days[0] <= days[1] <= 31:
            raise ValueError("must be two days of the month, first ≤ last, between 1 and 31")
        return days

    @property
    def rules(self) -> CalendarRules:
        return CalendarRules(self.cutoff_day, self.entry, self.review, self.strategy)


class Config(Strict):
    deployment_th: str = "สำนักงานปศุสัตว์จังหวัด"
    deployment_en: str = "Provincial Livestock Office"
    data_root: Path = Path("var")
    # The ledger's SQLAlchemy URL; none: the SQLite file eop.sqlite3 under data_root.
    ledger_url: str | None = Field(None, pattern=r"^(sqlite://|postgresql\+psycopg://)")
    fiscal_year: int = Field(ge=2400, le=2700)
    thai_numerals: bool = False
    offices: list[Office]
    sections: list[Section] = []
    people: list[Person] = []
    calendar: CalendarConfig = CalendarConfig()
    mail: MailConfig = MailConfig()
    watch: WatchConfig = WatchConfig()
    limits: Limits = Limits()
    plans: list[Plan]
    targets: list[Targets] = []
    rounds: list[Round] = []  # KPI rounds (DESIGN §8)
    kpis: list[KpiRule] = []  # KPI rules, per fiscal year
    source: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _references_exist(self) -> Config:
        offices = {o.code for o in self.offices}
        sections = {s.code for s in self.sections}
        activities = {a.code for a in self.activities()}
        problems = [
            *(
                f"offices.{o.code}.parent: {o.parent!r} is not an office"
                for o in self.offices
                if o.parent and o.parent not in offices
            ),
            *(
                f"sections.{s.code}.office: {s.office!r} is not an office"
                for s in self.sections
                if s.office not in offices
            ),
            *(
                f"people.{i}.office = {p.office!r} ({p.email}): is not an office or section"
                for i, p in enumerate(self.people)
                if p.office not in offices | sections
            ),
            *self._section_problems(sections),
            *(
                f"targets.rows.activity: {r.activity!r} is not an activity"
                for t in self.targets
                for r in t.rows
                if r.activity not in activities
            ),
            *self._kpi_problems(offices, sections),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _section_problems(self, sections: set[str]) -> list[str]:
        """An activity names a section, or a kind that every province with districts has once."""
        kinds = {s.kind for s in self.sections if s.kind}
        problems = [
            f"activities.{a.code}.section: {a.section!r} is not a section or a section's kind"
            for a in self.activities()
            if a.section not in sections | kinds
        ]
        problems += [f"sections: kind {k!r} is also a section's code" for k in kinds & sections]
        named = {a.section for a in self.activities()}
        provinces = sorted({o.parent for o in self.offices if o.level == "district" and o.parent})
        for province in provinces:
            for kind in sorted(kinds & named):
                count = sum(s.office == province and s.kind == kind for s in self.sections)
                if count != 1:
                    problems.append(
                        f"sections: office {province!r} has {count} sections of kind {kind!r}"
                        " (its districts' activities of that kind need exactly one reviewer section)"
                    )
        return problems + self._unreviewed(sorted(named & sections), provinces)

    def _unreviewed(self, named: list[str], provinces: list[str]) -> list[str]:
        """A section reviews its own office's districts alone: the catalogue may name it only
        when no other office has districts (else it names a kind)."""
        office = {s.code: s.office for s in self.sections}
        problems = []
        for code in named:
            others = [p for p in provinces if p != office[code]]
            if others:
                shown = ", ".join(map(repr, others[:3])) + (" …" if len(others) > 3 else "")
                problems.append(
                    f"sections.{code}: reviews the districts of {office[code]!r} alone: those of"
                    f" {shown} would have no section to approve its activities (give each"
                    " province's sections a kind, and let the activities name the kind)"
                )
        return problems

    def _kpi_problems(self, offices: set[str], sections: set[str]) -> list[str]:
        """Rounds and KPI rules name each other, sections and offices that exist."""
        rounds = {r.code: r for r in self.rounds}
        problems = [
            f"rounds.{code}: defined twice"
            for code in rounds
            if sum(r.code == code for r in self.rounds) > 1
        ]
        for r in self.rounds:
            if r.prepared_by and r.prepared_by not in sections:
                problems.append(f"rounds.{r.code}.prepared_by: {r.prepared_by!r} is not a section")
            problems += [
                f"rounds.{r.code}.documents.office: {d.office!r} is not an office"
                for d in r.documents
                if d.office and d.office not in offices
            ]
        for kpi in self.kpis:
            for code in kpi.bands:
                if code not in rounds:
                    problems.append(
                        f"kpis.{kpi.code}.bands: {code!r} is not a round (rounds: {', '.join(rounds) or 'none'})"
                    )
                elif rounds[code].fiscal_year != kpi.fiscal_year:
                    problems.append(
                        f"kpis.{kpi.code}.bands: round {code} is in fiscal year {rounds[code].fiscal_year}, "
                        f"the KPI in {kpi.fiscal_year}"
                    )
            if kpi.kind == "achievement":
                problems += [
                    f"kpis.{kpi.code}.bands: round {r.code} has no bands"
                    for r in self.rounds
                    if r.fiscal_year == kpi.fiscal_year and r.code not in kpi.bands
                ]
            if sum(k.code == kpi.code and k.fiscal_year == kpi.fiscal_year for k in self.kpis) > 1:
                problems.append(f"kpis.{kpi.code}: defined twice for fiscal year {kpi.fiscal_year}")
        return sorted(set(problems), key=problems.index)

    # -- lookups ---------------------------------------------------------------
    def activities(self) -> Iterator[Activity]:
        for plan in self.plans:
            for output in plan.outputs:
                yield from output.activities

    def office(self, code: str) -> Office:
        return self.office_index[code]

    def children(self, code: str) -> list[Office]:
        return list(self.children_index.get(code, ()))

    # The config is frozen, so the indexes are built once (a country is 956 offices).
    @cached_property
    def office_index(self) -> dict[str, Office]:
        return {o.code: o for o in self.offices}

    @cached_property
    def children_index(self) -> dict[str, tuple[Office, ...]]:
        found: dict[str, list[Office]] = {}
        for o in self.offices:
            if o.parent:
                found.setdefault(o.parent, []).append(o)
        return {parent: tuple(children) for parent, children in found.items()}

    @cached_property
    def section_codes(self) -> frozenset[str]:
        return frozenset(s.code for s in self.sections)

    def round(self, code: str) -> Round:
        for found in self.rounds:
            if found.code == code:
                return found
        raise KeyError(code)

    def kpis_of(self, fiscal_year: int) -> list[KpiRule]:
        return [k for k in self.kpis if k.fiscal_year == fiscal_year]

    def provinces(self) -> list[Office]:
        return [o for o in self.offices if o.level == "province"]

    def people_of(self, office: str, *roles: Role) -> list[Person]:
        return [p for p in self.people_index.get(office, ()) if not roles or p.role in roles]

    @cached_property
    def people_index(self) -> dict[str, tuple[Person, ...]]:
        found: dict[str, list[Person]] = {}
        for p in self.people:
            found.setdefault(p.office, []).append(p)
        return {office: tuple(people) for office, people in found.items()}

    @property
    def root(self) -> Path:
        base = self.source.parent if self.source else Path.cwd()
        return _resolved(base / self.data_root)

    @property
    def ledger_location(self) -> str:
        """The ledger's URL: $EOP_LEDGER_URL, else config's ledger_url, else the SQLite file
        under data_root. Read when the ledger is opened, so a child process sees the same."""
        url = os.environ.get(LEDGER_URL_ENV) or self.ledger_url
        if url is None:
            return f"sqlite:///{self.root / 'eop.sqlite3'}"
        if not url.startswith(LEDGER_SCHEMES):
            raise ConfigError(
                f"{LEDGER_URL_ENV} = {url!r}: ต้องขึ้นต้นด้วย {' หรือ '.join(LEDGER_SCHEMES)} — "
                f"must start with {' or '.join(LEDGER_SCHEMES)}"
            )
        return url


@lru_cache(maxsize=64)
def _resolved(path: Path) -> Path:
    """The data root as an absolute path: asked for by every job, twice a pass, and a
    resolve is a walk of the file system."""
    return path.resolve()


def load_config(path: Path) -> Config:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        raise ConfigError(f"ไม่พบไฟล์ตั้งค่า {path} — config file {path} not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: อ่าน YAML ไม่ได้ — not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: ต้องเป็นชุดคีย์/ค่า — must be a mapping of keys to values")
    try:
        config = Config.model_validate({**raw, "source": path.absolute()})
    except ValidationError as exc:
        raise ConfigError(describe_errors(path, exc)) from None
    return config


def describe_errors(path: Path, exc: ValidationError) -> str:
    """One line per problem: the key, the value seen (when it is short enough to show) and
    what is allowed; an unknown key (a typo) is answered with the keys allowed there."""
    lines = [f"{path}: ค่าตั้งค่าไม่ถูกต้อง — invalid configuration:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        value = error.get("input")
        if error["type"] == "extra_forbidden":
            allowed = _keys_at(error["loc"][:-1])
            hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
            lines.append(
                f"  {key}: ไม่รู้จักคีย์ {error['loc'][-1]!r} — unknown key {error['loc'][-1]!r}{hint}"
            )
            continue
        message = error["msg"].removeprefix("Value error, ")
        if not key:  # cross-reference checks name their keys themselves
            lines.extend(f"  {problem}" for problem in message.split("; "))
            continue
        shown = repr(value)
        shown = "" if isinstance(value, dict) or len(shown) > 120 else f" = {shown}"
        lines.append(f"  {key}{shown}: {message}")
    return "\n".join(lines)


def _keys_at(loc: tuple) -> list[str]:
    """The keys the model allows at `loc` (list indexes skipped), for "unknown key" hints."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        candidates = [field.annotation, *get_args(field.annotation)]
        candidates += [inner for c in candidates[1:] for inner in get_args(c)]
        found = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if found is None:
            return []
        model = found
    return [name for name, field in model.model_fields.items() if not field.exclude]
