"""Registering a KPI evidence document and answering the province (DESIGN §8).

The document goes through intake like any file (intake.documents: archive, PDF gate, naming
rule, record); this module answers it by mail in the same transaction — a receipt (saying
what it proves, what is still missing and, when the file carried any, that its active content
was taken out of the copy in the packet), a rejection saying what to do, or "already
registered" — and lets a dropped file leave the folder once the ledger holds it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from eop.config import Config
from eop.rounds import NAMING_RULE_EN, NAMING_RULE_TH, DocumentRef
from eop.thai import date_en, date_th, datetime_th
from intake.documents import Registered, record_document, take_document
from intake.folders import evidence_dir
from jobs.deployment import Deployment
from kpi.mailing import evidence_people, office_context
from ledger import evidence as ledger_evidence
from ledger import records
from ledger.db import record_event
from outbox.compose import make_message
from outbox.spool import queue


def register_file(
    deployment: Deployment,
    office: str,
    path: Path,
    *,
    source: str = "folder",
    ref: DocumentRef | None = None,
) -> Registered:
    """Archive, check, record and answer one document; a dropped file then leaves the folder."""
    taken = take_document(deployment.config, office, path, source=source, ref=ref)
    with deployment.ledger.atomic() as conn:
        result = record_document(conn, deployment.config, taken, deployment.now())
        if result.fresh:
            answer(deployment, conn, result)
    if source == "folder":
        path.unlink(missing_ok=True)
    return result


def answer(deployment: Deployment, conn: Connection, result: Registered) -> None:
    """The mail for a verdict, queued in the transaction that records it."""
    config, now = deployment.config, deployment.now()
    common = _common(deployment, result.office, result.name, now)
    if result.status == "rejected":
        kind = "evidence_rejection"
        context = {
            **common,
            "findings": [f.as_dict() for f in result.findings],
            "rule_th": NAMING_RULE_TH,
            "rule_en": NAMING_RULE_EN,
        }
    elif result.status == "duplicate":
        assert result.original is not None
        kind, context = (
            "evidence_duplicate",
            {**common, "document": document_context(result.original)},
        )
    else:
        document = next(
            d
            for d in ledger_evidence.documents(conn, result.office, config.fiscal_year)
            if d.id == result.document_id
        )
        kind = "evidence_receipt"
        context = {
            **common,
            "document": document_context(document),
            "notes": [f.as_dict() for f in result.findings],
            "counts_for": counts_for(config, document),
            "missing": missing_documents(config, conn, result.office),
        }
    _queue_answer(deployment, conn, result, kind, context)


def _queue_answer(
    deployment: Deployment, conn: Connection, result: Registered, kind: str, context: dict[str, Any]
) -> None:
    now = deployment.now()
    to = evidence_people(deployment.config, result.office)
    if to:
        queue(
            conn,
            deployment.config,
            make_message(kind, to, context, []),
            now=now,
            dedupe_key=f"answer:{result.file_id}",
            file_id=result.file_id,
            office=result.office,
        )
    records.mark_answered(conn, result.file_id, now)
    record_event(
        conn,
        now,
        "answered",
        office=result.office,
        kind="evidence",
        file_id=result.file_id,
        mail=kind,
        to=to,
    )


def _common(deployment: Deployment, office: str, name: str, now: datetime) -> dict[str, Any]:
    return {
        "office": office_context(deployment.config, office),
        "file": {
            "name": name,
            "received_th": datetime_th(now),
            "received_en": f"{date_en(now)} {now:%H:%M}",
        },
        "folder": str(evidence_dir(deployment.root, office)),
    }


def document_context(d: ledger_evidence.Document) -> dict[str, Any]:
    from kpi.scorecard import document_label, moment_en, moment_th

    label_th, label_en = document_label(d.kind, d.number)
    return {
        "label_th": label_th,
        "label_en": label_en,
        "title_th": d.title_th,
        "title_en": d.title_en,
        "date_th": date_th(d.day) if d.day else "–",
        "date_en": date_en(d.day) if d.day else "–",
        "pages": d.pages,
        "sha256": d.sha256,
        "name": d.name,
        "stand_in": d.stand_in,
        "registered_th": moment_th(d.registered_at),
        "registered_en": moment_en(d.registered_at),
    }


def counts_for(config: Config, document: ledger_evidence.Document) -> list[dict[str, Any]]:
    """Which KPI levels (or KPI-wide needs) of the year's rules this document proves."""
    found = []
    for rule in config.kpis_of(document.fiscal_year):
        needs: list[tuple[int | None, Any]] = [
            (level.level, need) for level in rule.levels for need in level.needs
        ]
        needs += [(None, need) for need in rule.document_needs]
        for level, need in needs:
            if need.kind == "document" and any(
                document.kind == k and (n is None or n == document.number)
                for k, n in need.documents
            ):
                found.append(
                    {"kpi": rule.code, "level": level, "th": need.label_th, "en": need.label_en}
                )
    return found


def missing_documents(config: Config, conn: Connection, office: str) -> list[dict[str, str]]:
    """The documents the year's rules need that are not on file for the province."""
    on_file = ledger_evidence.documents(conn, office, config.fiscal_year)
    missing = []
    for rule in config.kpis_of(config.fiscal_year):
        needs = [need for level in rule.levels for need in level.needs] + rule.document_needs
        for need in needs:
            if need.kind != "document":
                continue
            if not any(
                d.kind == k and (n is None or d.number == n)
                for d in on_file
                for k, n in need.documents
            ):
                item = {"kpi": rule.code, "th": need.label_th, "en": need.label_en}
                if item not in missing:
                    missing.append(item)
    return missing
