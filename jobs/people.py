"""Who gets which mail."""

from __future__ import annotations

from eop.config import Config, Role

RECIPIENTS = {  # (office level, workbook kind) → roles
    ("district", "monthly"): (Role.DISTRICT,),
    ("province", "monthly"): (Role.PROVINCE_RECORDER,),
    ("province", "allocation"): (Role.PROVINCE_PLANNER,),
    ("province", "targets"): (Role.PROVINCE_PLANNER,),
}


def recipients(config: Config, office: str, kind: str | None) -> list[str]:
    """The office's people for this kind of workbook; everyone of the office otherwise."""
    codes = {o.code: o.level for o in config.offices}
    roles = RECIPIENTS.get((codes.get(office, ""), kind or ""), ())
    people = config.people_of(office, *roles) or config.people_of(office)
    return sorted({p.email for p in people})
