"""The sections (กลุ่ม/ฝ่าย) in the ledger: which section owns each activity, and the figures
of a version that a section reviews. The workflow (ledger.workflow) asks these."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, select

from eop.periods import Period
from ledger.schema import activities, offices, results


def fiscal_year_of(period: str) -> int:
    return Period.parse(period).fiscal_year


def section_of(conn: Connection, fiscal_year: int, office: str) -> dict[str, str]:
    """activity → the section that reviews it for `office` (a district): the section the
    catalogue names, or, where it names a kind, the office's own province's section of it.
    One question: on PostgreSQL each is a round trip, and the workflow asks this often."""
    return dict(conn.execute(_OWNERS, {"year": fiscal_year, "office": office}).all())


_PROVINCE = select(offices.c.parent).where(offices.c.code == bindparam("office"))
_KIND = offices.alias("kind_section")  # the province's section of the kind the catalogue names
_OWNERS = (
    select(activities.c.code, func.coalesce(_KIND.c.code, activities.c.section))
    .select_from(
        activities.outerjoin(
            _KIND,
            (_KIND.c.level == "section")
            & (_KIND.c.kind == activities.c.section)
            & (_KIND.c.parent == _PROVINCE.scalar_subquery()),
        )
    )
    .where(activities.c.fiscal_year == bindparam("year"))
)


def figures_of(conn: Connection, submission_id: int) -> dict[str, tuple[float, float]]:
    """activity → (quantity, spending) of a version's results."""
    query = select(results.c.activity, results.c.quantity, results.c.spending)
    rows = conn.execute(query.where(results.c.submission_id == submission_id))
    return {activity: (quantity, spending) for activity, quantity, spending in rows}


def owning(owner: dict[str, str], activities_: Iterable[str]) -> set[str]:
    """The sections owning these activities: those who must approve a version of them."""
    return {owner[code] for code in activities_ if code in owner}


def of_section(
    figures: dict[str, tuple[float, float]], owner: dict[str, str], section: str
) -> dict[str, tuple[float, float]]:
    return {code: pair for code, pair in figures.items() if owner.get(code) == section}


_LEVEL = select(offices.c.level).where(offices.c.code == bindparam("office"))


def is_district(conn: Connection, office: str) -> bool:
    return conn.scalar(_LEVEL, {"office": office}) == "district"
