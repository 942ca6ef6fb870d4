"""The sections (กลุ่ม/ฝ่าย) in the ledger: which section owns each activity, and the figures
of a version that a section reviews. The workflow (ledger.workflow) asks these."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from eop.periods import Period
from ledger.schema import activities, offices, results


def fiscal_year_of(period: str) -> int:
    return Period.parse(period).fiscal_year


def section_of(conn: Connection, fiscal_year: int) -> dict[str, str]:
    """activity → the section that owns it."""
    query = select(activities.c.code, activities.c.section).where(
        activities.c.fiscal_year == fiscal_year
    )
    return dict(conn.execute(query).all())


def required_sections(conn: Connection, submission_id: int, fiscal_year: int) -> set[str]:
    """The sections owning an activity of the version's results: those who must approve it."""
    owner = section_of(conn, fiscal_year)
    codes = conn.scalars(select(results.c.activity).where(results.c.submission_id == submission_id))
    return {owner[code] for code in codes if code in owner}


def section_figures(
    conn: Connection, submission_id: int, section: str, fiscal_year: int
) -> dict[str, tuple[float, float]]:
    owner = section_of(conn, fiscal_year)
    query = select(results).where(results.c.submission_id == submission_id)
    return {
        r.activity: (r.quantity, r.spending)
        for r in conn.execute(query)
        if owner.get(r.activity) == section
    }


_LEVEL = select(offices.c.level).where(offices.c.code == bindparam("office"))


def is_district(conn: Connection, office: str) -> bool:
    return conn.scalar(_LEVEL, {"office": office}) == "district"
