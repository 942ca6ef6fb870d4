"""The sections (กลุ่ม/ฝ่าย) in the ledger: which section owns each activity, and the figures
of a version that a section reviews. The workflow (ledger.workflow) asks these."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from eop.periods import Period
from ledger.schema import activities, offices, results, submissions


def fiscal_year_of(period: str) -> int:
    return Period.parse(period).fiscal_year


def section_of(conn: Connection, fiscal_year: int, office: str) -> dict[str, str]:
    """activity → the section that reviews it for `office` (a district): the section the
    catalogue names, or, where it names a kind, the office's own province's section of it."""
    by_kind = dict(conn.execute(_PROVINCE_SECTIONS, {"office": office}).all())
    query = select(activities.c.code, activities.c.section).where(
        activities.c.fiscal_year == fiscal_year
    )
    return {code: by_kind.get(owner, owner) for code, owner in conn.execute(query)}


_PROVINCE = select(offices.c.parent).where(offices.c.code == bindparam("office"))
_PROVINCE_SECTIONS = select(offices.c.kind, offices.c.code).where(
    (offices.c.level == "section")
    & offices.c.kind.is_not(None)
    & (offices.c.parent == _PROVINCE.scalar_subquery())
)
_OFFICE = select(submissions.c.office).where(submissions.c.id == bindparam("id"))


def _office_of(conn: Connection, submission_id: int) -> str:
    return str(conn.scalar(_OFFICE, {"id": submission_id}))


def required_sections(conn: Connection, submission_id: int, fiscal_year: int) -> set[str]:
    """The sections owning an activity of the version's results: those who must approve it."""
    owner = section_of(conn, fiscal_year, _office_of(conn, submission_id))
    codes = conn.scalars(select(results.c.activity).where(results.c.submission_id == submission_id))
    return {owner[code] for code in codes if code in owner}


def section_figures(
    conn: Connection, submission_id: int, section: str, fiscal_year: int
) -> dict[str, tuple[float, float]]:
    owner = section_of(conn, fiscal_year, _office_of(conn, submission_id))
    query = select(results).where(results.c.submission_id == submission_id)
    return {
        r.activity: (r.quantity, r.spending)
        for r in conn.execute(query)
        if owner.get(r.activity) == section
    }


_LEVEL = select(offices.c.level).where(offices.c.code == bindparam("office"))


def is_district(conn: Connection, office: str) -> bool:
    return conn.scalar(_LEVEL, {"office": office}) == "district"
