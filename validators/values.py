"""Reading numbers the way people type them: Thai digits, `1,234`, spaces, text, "-" for zero."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from eop.thai import to_arabic_digits

_SPACES = re.compile(r"[\s\u00a0\u200b\u2009\u202f]+")
_NUMBER = re.compile(r"^[+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+]?\.\d+$")
_NEGATIVE = re.compile(r"^-(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_DASHES = {"-", "–", "—", "−"}


@dataclass(frozen=True)
class Reading:
    """A cell read as a number: `number` None means blank; `problem` a catalogue code."""

    number: float | None
    problem: str | None = None  # not-a-number | dash-as-zero | formula-without-value

    @property
    def ok(self) -> bool:
        return self.problem in (None, "dash-as-zero")


def read_number(raw: object) -> Reading:
    if raw is None or raw == "":
        return Reading(None)
    if isinstance(raw, bool):
        return Reading(None, "not-a-number")
    if isinstance(raw, int | float):
        return Reading(float(raw)) if math.isfinite(raw) else Reading(None, "not-a-number")
    text = _SPACES.sub("", to_arabic_digits(str(raw)))
    if text == "":
        return Reading(None)
    if text in _DASHES:
        return Reading(0.0, "dash-as-zero")
    if text.startswith("="):
        return Reading(None, "formula-without-value")
    if _NUMBER.match(text):
        return Reading(float(text.replace(",", "").lstrip("+")))
    if _NEGATIVE.match(text.replace("−", "-")):
        return Reading(float(text.replace("−", "-").replace(",", "")))
    return Reading(None, "not-a-number")


def read_text(raw: object) -> str:
    """Text as typed, trimmed; numbers keep their plain form (3.0 → "3")."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def same_value(seen: object, expected: object) -> bool:
    """Whether a pre-filled cell still holds what was written (numbers within rounding)."""
    if (
        type(seen) is type(expected)
        and seen == expected
        and (type(seen) in (str, int) or type(seen) is float and math.isfinite(seen))
    ):
        return True  # untouched, the usual case: decided at once
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        reading = read_number(seen)
        return reading.number is not None and abs(reading.number - float(expected)) < 1e-6
    return read_text(seen) == read_text(expected)


def shown(value: object) -> str:
    """A value as the officer typed it, for messages."""
    text = read_text(value)
    return text if len(text) <= 60 else text[:57] + "…"
