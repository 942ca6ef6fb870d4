"""Is it one of ours, for this office and period, with its rows and pre-filled values intact?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from eop.findings import Finding
from eop.layout import TEMPLATE_VERSIONS, SheetLayout
from validators.catalogue import at, finding
from validators.values import read_text, same_value, shown

if TYPE_CHECKING:
    import pandas as pd


def check_meta(
    meta: dict[str, str] | None, *, folder_office: str, kinds_allowed: Sequence[str]
) -> list[Finding]:
    """Kind, template version and office, in that order; each failure stops the next."""
    if not meta or not meta.get("kind"):
        return [finding("not-our-workbook")]
    kind = meta["kind"]
    if kind not in TEMPLATE_VERSIONS:
        return [finding("unknown-kind", value=kind)]
    version, current = meta.get("template_version", ""), TEMPLATE_VERSIONS[kind]
    if version != current:
        code = "template-outdated" if _older(version, current) else "template-unknown-version"
        return [finding(code, value=version or "?", expected=current)]
    if meta.get("office") != folder_office:
        return [finding("wrong-office", value=meta.get("office") or "?", expected=folder_office)]
    if kind not in kinds_allowed:
        return [finding("kind-not-for-office", value=kind, expected=folder_office)]
    return []


def _version(text: str) -> tuple[int, ...] | None:
    """ "2558.10" → (2558, 10): versions compare part by part, as numbers ("2558.9" is older)."""
    parts = text.strip().split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _older(version: str, current: str) -> bool:
    """An older version is outdated (so is none at all: a workbook from before versions); a
    newer or unreadable one is unknown to us."""
    seen, now = _version(version), _version(current)
    if not version.strip():
        return True
    return seen is not None and now is not None and seen < now


def check_rows(
    frame: pd.DataFrame | Mapping[str, Sequence[object]],
    layout: SheetLayout,
    expected: Sequence[Sequence[object]],
    fields: Sequence[str],
) -> list[Finding]:
    """Rows (identified by activity code) neither added, removed nor reordered, and every
    pre-filled value as written. `expected` rows hold the values of `fields`, code first;
    `frame` the raw cells by field (a frame, or plain columns)."""
    codes = [read_text(c) for c in frame["code"]]
    wanted = [str(row[0]) for row in expected]
    if codes != wanted:
        return _rows_moved(list(frame["row"]), codes, wanted, layout)
    rows = list(frame["row"])
    columns = {
        field: list(frame[field]) for field in fields
    }  # plain lists: 10x faster than iterrows
    return [
        finding(
            "prefilled-changed", value=shown(seen), expected=shown(want), **at(layout, field, row)
        )
        for i, (row, values) in enumerate(zip(rows, expected))
        for field, want in zip(fields, values)
        for seen in [columns[field][i]]
        if not same_value(seen, want)
    ]


def _rows_moved(
    rows: list, codes: list[str], wanted: list[str], layout: SheetLayout
) -> list[Finding]:
    """Rows added (a new code, a blank row, an activity copied again), removed (marked where
    they belonged), or else reordered."""

    def on(kind: str, row: int, value: str | None = None, expected: str | None = None) -> Finding:
        return finding(kind, value=value, expected=expected, **at(layout, "code", row))

    added, present = [], set()
    for r, c in zip(rows, codes):
        if c not in wanted or c in present:
            added.append((r, c))
        present.add(c)
    missing = [(layout.first_row + i, c) for i, c in enumerate(wanted) if c not in present]
    found = [on("rows-added", r, value=c) for r, c in added]
    found += [on("rows-removed", r, expected=c) for r, c in missing]
    if found:
        return found
    return [
        on("rows-reordered", r, value=seen, expected=want)
        for r, seen, want in zip(rows, codes, wanted)
        if seen != want
    ]


def check_row_limit(height: int, limit: int, sheet: str) -> list[Finding]:
    return (
        [finding("too-many-rows", sheet=sheet, value=height, expected=limit)]
        if height > limit
        else []
    )
