"""Reference data: offices, people, the activity catalogue and targets."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.dialects import sqlite

from ledger.db import snapshot_cache
from ledger.schema import activities, offices, people, targets

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql


@dataclass(frozen=True)
class ActivityRow:
    code: str
    position: int
    plan: str
    output: str
    name_th: str
    name_en: str
    unit: str
    unit_en: str
    whole: bool
    section: str


def upsert(conn: Connection, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with ON CONFLICT (the same clause on SQLite and PostgreSQL, two builders).
    PostgreSQL's builder is loaded by a PostgreSQL ledger only: 30 ms of every command."""
    if conn.dialect.name != "postgresql":
        return sqlite.insert(table)
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(table)


_ACTIVITY_FIELDS = [f.name for f in fields(ActivityRow)]


# The replace_* functions write only what differs from the ledger: config is synced on every
# start, and a start with config unchanged must write nothing (an idle pass stays a read).
def replace_offices(conn: Connection, rows: Iterable[dict]) -> None:
    present = {row.code: row._asdict() for row in conn.execute(select(offices))}
    for row in rows:
        if {**present.get(row["code"], {}), **row} == present.get(row["code"]):
            continue  # as it is already
        conn.execute(
            upsert(conn, offices)
            .values(**row)
            .on_conflict_do_update(index_elements=["code"], set_=row)
        )


_PEOPLE_FIELDS = ("email", "name", "office", "role", "section")


def replace_people(conn: Connection, rows: Iterable[dict]) -> None:
    wanted: dict[tuple, tuple] = {}  # the first row of each (email, office, role), in order
    for row in rows:
        wanted.setdefault(
            (row["email"], row["office"], row["role"]), tuple(row[k] for k in _PEOPLE_FIELDS)
        )
    query = select(*(people.c[k] for k in _PEOPLE_FIELDS)).order_by(people.c.id)
    if [tuple(r) for r in conn.execute(query)] == list(wanted.values()):
        return
    conn.execute(delete(people))
    for values in wanted.values():
        conn.execute(
            upsert(conn, people)
            .values(**dict(zip(_PEOPLE_FIELDS, values)))
            .on_conflict_do_nothing()
        )


def replace_activities(conn: Connection, fiscal_year: int, rows: Iterable[ActivityRow]) -> None:
    rows = list(rows)
    query = select(*(activities.c[k] for k in _ACTIVITY_FIELDS)).where(
        activities.c.fiscal_year == fiscal_year
    )
    present = [ActivityRow(*r) for r in conn.execute(query)]
    if len(present) == len(rows) and set(present) == set(rows):
        return
    conn.execute(delete(activities).where(activities.c.fiscal_year == fiscal_year))
    for row in rows:
        conn.execute(activities.insert().values(fiscal_year=fiscal_year, **row.__dict__))


def activity_rows(conn: Connection, fiscal_year: int) -> list[ActivityRow]:
    cache = snapshot_cache(conn)  # judging a batch reads the catalogue once per snapshot
    if cache is not None and ("activities", fiscal_year) in cache:
        return list(cache["activities", fiscal_year])
    query = (
        select(*(activities.c[name] for name in _ACTIVITY_FIELDS))
        .where(activities.c.fiscal_year == fiscal_year)
        .order_by(activities.c.position)
    )
    rows = [ActivityRow(*row) for row in conn.execute(query)]
    if cache is not None:
        cache["activities", fiscal_year] = tuple(rows)
    return rows


def set_targets(
    conn: Connection,
    fiscal_year: int,
    scope: str,
    rows: dict[tuple[str, str], tuple[float, float]],
    *,
    source: str,
    at: datetime,
) -> None:
    """rows: (office, activity) → (quantity, budget); replaces those offices' targets of that scope."""
    for office in {office for office, _ in rows}:
        conn.execute(
            delete(targets).where(
                (targets.c.fiscal_year == fiscal_year)
                & (targets.c.scope == scope)
                & (targets.c.office == office)
            )
        )
    for (office, activity), (quantity, budget) in rows.items():
        conn.execute(
            targets.insert().values(
                fiscal_year=fiscal_year,
                office=office,
                activity=activity,
                scope=scope,
                quantity=quantity,
                budget=budget,
                source=source,
                set_at=at,
            )
        )


TARGETS = select(targets.c.office, targets.c.activity, targets.c.quantity, targets.c.budget).where(
    (targets.c.fiscal_year == bindparam("fiscal_year")) & (targets.c.scope == bindparam("scope"))
)
OFFICE_TARGETS = TARGETS.where(
    targets.c.office == bindparam("office")
)  # built once: asked for every file judged
OFFICES_TARGETS = TARGETS.where(targets.c.office.in_(bindparam("offices", expanding=True)))


def targets_of(
    conn: Connection,
    fiscal_year: int,
    scope: str,
    office: str | None = None,
    offices: Collection[str] | None = None,
) -> dict[tuple[str, str], tuple[float, float]]:
    """(office, activity) → (quantity, budget): every office's, `office`'s or `offices`'."""
    values: dict[str, object] = {} if office is None else {"office": office}
    query = TARGETS if office is None else OFFICE_TARGETS
    if offices is not None:
        query, values = OFFICES_TARGETS, {"offices": sorted(offices)}
    rows = conn.execute(query, {"fiscal_year": fiscal_year, "scope": scope, **values}).all()
    return {(office, activity): (quantity, budget) for office, activity, quantity, budget in rows}


def target_source(conn: Connection, fiscal_year: int, scope: str, office: str) -> str | None:
    return conn.scalar(
        select(targets.c.source)
        .where(
            (targets.c.fiscal_year == fiscal_year)
            & (targets.c.scope == scope)
            & (targets.c.office == office)
        )
        .limit(1)
    )
