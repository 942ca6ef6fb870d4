"""KPI rounds and KPI rules, as config: next year's scheme needs no code (DESIGN §8)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from eop.periods import Period


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Round(_Strict):
    """A KPI round: the months it covers and the day its evidence is due."""

    code: str = Field(pattern=r"^\d/\d{4}$")  # "1/2558"
    fiscal_year: int = Field(ge=2400, le=2700)
    first: str  # "2557-10"
    last: str  # "2558-03"
    deadline: date  # CE date in YAML (2015-04-07); shown in BE
    reminders_days_before: list[int] = [7, 3, 1]

    @field_validator("first", "last")
    @classmethod
    def _period(cls, value: str) -> str:
        return str(Period.parse(value))

    @property
    def months(self) -> list[Period]:
        from eop.periods import months_between

        return months_between(Period.parse(self.first), Period.parse(self.last))


class Level(_Strict):
    level: int = Field(ge=1, le=5)
    text_th: str
    text_en: str
    evidence: list[str] = []  # document kinds or ledger facts that prove the level


class KpiRule(_Strict):
    code: str  # "KPI1"
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

    @model_validator(mode="after")
    def _shape(self) -> KpiRule:
        if [lv.level for lv in self.levels] != list(range(1, len(self.levels) + 1)):
            raise ValueError("levels must be numbered 1, 2, … in order")
        for code, bands in self.bands.items():
            lows = [low for low, _ in bands]
            if lows != sorted(lows) or any(low > high for low, high in bands):
                raise ValueError(f"bands of round {code} must rise: [low, high] with low ≤ high")
            if len(bands) != len(self.levels) - 1:
                raise ValueError(f"round {code} needs {len(self.levels) - 1} bands (levels 2..{len(self.levels)})")
        return self
