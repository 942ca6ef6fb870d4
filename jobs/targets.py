"""Province targets from the budget document, imported from a CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from eop.findings import Finding
from intake.csv_file import TARGET_COLUMNS, read_targets_csv, targets_csv_layout
from jobs.deployment import Deployment
from ledger.events import record_event
from ledger.reference import activity_rows, set_targets
from validators.catalogue import finding
from validators.targets import check_targets


def import_targets_csv(
    deployment: Deployment, path: Path, office: str, fiscal_year: int
) -> tuple[list[Finding], int]:
    """All findings at once; the targets are replaced only when there is no error."""
    frame, header = read_targets_csv(path)
    if missing := [c for c in TARGET_COLUMNS if c not in header]:
        return [_missing_columns(path, header, missing)], 0
    layout, now = targets_csv_layout(path.name), deployment.now()
    with deployment.ledger.atomic() as conn:
        catalogue = {a.code: a for a in activity_rows(conn, fiscal_year)}
        frame["unit"] = frame["code"].map(lambda c: catalogue[c].unit if c in catalogue else "")
        check = check_targets(
            frame, whole={c: a.whole for c, a in catalogue.items()}, layout=layout
        )
        found = _unknown_activities(frame, catalogue, path) + check.findings
        if any(f.is_error for f in found):
            return found, 0
        set_targets(
            conn,
            fiscal_year,
            "province",
            {(office, c): v for c, v in check.targets.items()},
            source=f"csv {path.name}",
            at=now,
        )
        record_event(
            conn,
            now,
            "targets-set",
            office=office,
            period=str(fiscal_year),
            source=path.name,
            rows=len(check.targets),
        )
    return found, len(check.targets)


def _missing_columns(path: Path, header: list[str], missing: list[str]) -> Finding:
    return finding(
        "missing-columns", sheet=path.name, value=", ".join(header), expected=", ".join(missing)
    )


def _unknown_activities(frame: pd.DataFrame, catalogue: dict, path: Path) -> list[Finding]:
    return [
        finding(
            "unknown-activity",
            sheet=path.name,
            cell=f"A{row}",
            field_th="รหัสกิจกรรม",
            field_en="activity",
            value=code,
        )
        for row, code in zip(frame["row"], frame["code"])
        if code not in catalogue
    ]
