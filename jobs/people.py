"""Who gets which mail."""

from __future__ import annotations

from eop.config import Config, Role

RECIPIENTS = {  # (office level, workbook kind) → roles
    ("district", "monthly"): (Role.DISTRICT,),
    ("province", "monthly"): (Role.PROVINCE_RECORDER,),
    ("province", "allocation"): (Role.PROVINCE_PLANNER,),
    ("province", "targets"): (Role.PROVINCE_PLANNER,),
    ("province", "confirm"): (Role.PROVINCE_PLANNER, Role.COORDINATOR),
    ("province", "correction"): (Role.PROVINCE_PLANNER, Role.COORDINATOR),
}


def recipients(config: Config, office: str, kind: str | None) -> list[str]:
    """The office's people for this kind of workbook; everyone of the office otherwise."""
    known = config.office_index.get(office)
    roles = RECIPIENTS.get((known.level if known else "", kind or ""), ())
    people = config.people_of(office, *roles) or config.people_of(office)
    return sorted({p.email for p in people})


def reviewers(config: Config, section: str) -> list[str]:
    """A section's reviewers (people of the section's office, or naming it as their section)."""
    people = [
        p
        for p in config.people
        if p.role is Role.SECTION_REVIEWER and section in (p.office, p.section)
    ]
    return sorted({p.email for p in people})


def coordinators(config: Config, province: str) -> list[str]:
    """The strategy group's coordinators and the province planner: who gets the province package."""
    return sorted(
        {p.email for p in config.people_of(province, Role.COORDINATOR, Role.PROVINCE_PLANNER)}
    )


def centre_people(config: Config, province: str) -> list[str]:
    """The centre (Planning Division) above the province; every centre person if none is there."""
    parent = config.office(province).parent
    people = [p for p in config.people if p.role is Role.CENTRE]
    above = [p for p in people if p.office == parent]
    return sorted({p.email for p in above or people})
