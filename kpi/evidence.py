"""KPI evidence (DESIGN §8): the registry of documents, the deadline's checklists and packet.

Registering: a province drops a PDF into ``share/<province>/evidence/`` named by its kind and
number (eop.rounds.parse_document_name: ``order-84-2558.pdf``, ``คำสั่ง-85-2558.pdf``,
``letter-targets-signed.pdf``, ``minutes-1-2558.pdf``), or config declares it with ``file:``.
Each file is archived like any other (content hash, fsync), recorded in the ledger with an
event, checked (a PDF pypdf can read, a name the rule knows) and answered by mail: a receipt,
a rejection saying what to do, or "already registered". The folder is an inbox: a file leaves
it once the ledger holds it.

The calendar's jobs (appended to service.calendar.JOBS), each once per key:
  evidence-register    every file waiting in an evidence folder, and config's declared files
  target-letter        the target notification memo drafted when the allocation is accepted
  evidence-checklist   what is still missing, to the coordinators 7, 3 and 1 days before the deadline
  evidence-packet      the packet, built and sent the day before the deadline once the round's
                       last month is confirmed to the centre (at once if that comes later)
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from eop.clock import BANGKOK
from eop.config import Config, Role
from eop.rounds import (
    DOCUMENT_KINDS,
    NAMING_RULE_EN,
    NAMING_RULE_TH,
    DocumentRef,
    Round,
    parse_document_name,
)
from eop.thai import date_en, date_th, datetime_th
from intake.folders import evidence_dir, is_ignored_name
from intake.take import archive_copy, archive_dir
from jobs.deployment import Deployment
from ledger import evidence as ledger_evidence
from ledger import records
from ledger.db import record_event
from outbox.compose import make_message
from outbox.spool import queue

log = logging.getLogger(__name__)

MAIL_KINDS = (
    "evidence_receipt",
    "evidence_rejection",
    "evidence_duplicate",
    "target_letter",
    "evidence_checklist",
    "evidence_packet",
)
PDF_MAGIC = b"%PDF-"
STAND_IN_MARKS = ("STAND-IN", "เอกสารจำลอง")


class EvidenceError(ValueError):
    """An evidence request that cannot be met (an unknown round or office)."""

    permanent = True


def evidence_people(config: Config, province: str) -> list[str]:
    """Who keeps a province's KPI evidence: its coordinators (strategy group) and its planner."""
    people = config.people_of(
        province, Role.COORDINATOR, Role.PROVINCE_PLANNER
    ) or config.people_of(province)
    return sorted({p.email for p in people})


def evidence_offices(config: Config) -> list[str]:
    return [p.code for p in config.provinces()]


def current_rounds(config: Config) -> list[Round]:
    return [r for r in config.rounds if r.fiscal_year == config.fiscal_year]


# -- checking a dropped document ----------------------------------------------------------


def _finding(code: str, th: str, en: str, value: str) -> dict[str, Any]:
    return {
        "severity": "error",
        "code": code,
        "message_th": th,
        "message_en": en,
        "sheet": None,
        "cell": None,
        "field": None,
        "value": value,
    }


def _looks_like(head: bytes) -> tuple[str, str]:
    if head.startswith(b"PK"):
        return " (เป็นไฟล์ Office หรือ ZIP)", " (it is an Office or ZIP file)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return " (เป็นไฟล์ Word/Excel รุ่นเก่า)", " (it is an old Word/Excel file)"
    if head.startswith(b"\xff\xd8"):
        return " (เป็นรูปภาพ JPEG)", " (it is a JPEG picture)"
    if head.startswith(b"\x89PNG"):
        return " (เป็นรูปภาพ PNG)", " (it is a PNG picture)"
    return "", ""


@dataclass(frozen=True)
class PdfCheck:
    pages: int = 0
    stand_in: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)


def check_pdf(path: Path, name: str, max_bytes: int) -> PdfCheck:
    """Is it a PDF pypdf can read, with pages, no password, a name the rule knows?"""
    size = path.stat().st_size
    if size > max_bytes:
        return PdfCheck(
            findings=[
                _finding(
                    "evidence-too-large",
                    f'ไฟล์ "{name}" ใหญ่เกินไป ({size / 1048576:.1f} MB เกิน {max_bytes / 1048576:.0f} MB) กรุณาสแกนด้วยความละเอียดต่ำลง',
                    f'"{name}" is too large ({size / 1048576:.1f} MB, over {max_bytes / 1048576:.0f} MB); please scan at a lower resolution',
                    name,
                )
            ]
        )
    with path.open("rb") as handle:
        head = handle.read(1024)
    if PDF_MAGIC not in head:
        like_th, like_en = _looks_like(head)
        return PdfCheck(
            findings=[
                _finding(
                    "evidence-not-pdf",
                    f'ไฟล์ "{name}" ไม่ใช่ไฟล์ PDF{like_th} — หลักฐานต้องเป็น PDF: สแกนหรือบันทึกเป็น PDF แล้ววางในโฟลเดอร์ evidence อีกครั้ง',
                    f'"{name}" is not a PDF{like_en}; evidence must be a PDF: scan it or save it as PDF, then drop it into the evidence folder again',
                    name,
                )
            ]
        )
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return PdfCheck(
                findings=[
                    _finding(
                        "evidence-encrypted",
                        f'ไฟล์ PDF "{name}" มีรหัสผ่าน กรุณาบันทึกเป็น PDF ที่ไม่มีรหัสผ่าน',
                        f'"{name}" is password-protected; please save it as a PDF without a password',
                        name,
                    )
                ]
            )
        pages = len(reader.pages)
        first_text = reader.pages[0].extract_text() if pages else ""
    except Exception as exc:  # noqa: BLE001 — whatever is wrong with it, the province gets an answer
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        return PdfCheck(
            findings=[
                _finding(
                    "evidence-unreadable",
                    f'เปิดไฟล์ PDF "{name}" ไม่ได้ (ไฟล์เสียหรือคัดลอกมาไม่ครบ: {reason}) กรุณาสแกนหรือบันทึกเป็น PDF ใหม่',
                    f'"{name}" cannot be read as a PDF (damaged or not completely copied: {reason}); please scan or save it again',
                    name,
                )
            ]
        )
    if pages == 0:
        return PdfCheck(
            findings=[
                _finding(
                    "evidence-unreadable",
                    f'ไฟล์ PDF "{name}" ไม่มีหน้าใดเลย',
                    f'"{name}" has no pages',
                    name,
                )
            ]
        )
    stand_in = any(mark in (first_text or "") for mark in STAND_IN_MARKS)
    parsed = parse_document_name(name)
    if parsed is None:
        return PdfCheck(
            pages,
            stand_in,
            [
                _finding(
                    "evidence-bad-name",
                    f'ชื่อไฟล์ "{name}" ไม่บอกว่าเป็นเอกสารชนิดใด — {NAMING_RULE_TH}',
                    f'The name "{name}" does not say what kind of document it is. {NAMING_RULE_EN}',
                    name,
                )
            ],
        )
    if DOCUMENT_KINDS[parsed.kind].numbered and not parsed.number:
        label = DOCUMENT_KINDS[parsed.kind]
        return PdfCheck(
            pages,
            stand_in,
            [
                _finding(
                    "evidence-number-missing",
                    f"{label.name_th}ต้องมีเลขที่ในชื่อไฟล์ เช่น {parsed.kind}-84-2558.pdf (เลขที่ 84/2558)",
                    f"an {label.name_en} needs its number in the file name, e.g. {parsed.kind}-84-2558.pdf (no. 84/2558)",
                    name,
                )
            ],
        )
    return PdfCheck(pages, stand_in)


def declared(config: Config, office: str, kind: str, number: str | None) -> DocumentRef | None:
    """The document config declares for this kind and number (the date and title a scan lacks)."""
    for round_ in current_rounds(config):
        for ref in round_.documents:
            if ref.kind == kind and ref.number == number and ref.office in (None, office):
                return ref
    return None


# -- registering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    file_id: int
    office: str
    name: str
    status: str  # accepted | rejected | duplicate
    document_id: int | None = None
    codes: tuple[str, ...] = ()


def ready_files(
    deployment: Deployment, stable_seconds: float | None = None
) -> list[tuple[str, Path, os.stat_result]]:
    """(office, path, stat) of every file waiting in a province's evidence folder, quiet long
    enough to be complete (a whole PDF ends with %%EOF: that one need not wait)."""
    quiet = deployment.config.watch.stable_seconds if stable_seconds is None else stable_seconds
    found = []
    for office in evidence_offices(deployment.config):
        folder = evidence_dir(deployment.root, office)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if is_ignored_name(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            if time.time() - info.st_mtime >= quiet or _pdf_complete(Path(entry.path)):
                found.append((office, Path(entry.path), info))
    return found


def _pdf_complete(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 1024))
            return b"%%EOF" in handle.read()
    except OSError:
        return False


def register_due(deployment: Deployment) -> list[str]:
    """Keys of the files waiting (`folder|office|size|mtime_ns|name`) and of config's declared
    files not registered in this form yet (`config|office|sha256|path`)."""
    keys = [
        f"folder|{office}|{info.st_size}|{info.st_mtime_ns}|{path.name}"
        for office, path, info in ready_files(deployment)
    ]
    for office, ref in _declared_files(deployment.config):
        path = _config_path(deployment.config, ref)
        if path.is_file():
            keys.append(f"config|{office}|{_sha256(path)}|{path}")
    return keys


def _declared_files(config: Config) -> list[tuple[str, DocumentRef]]:
    found = []
    for round_ in current_rounds(config):
        for ref in round_.documents:
            if ref.file is not None:
                found += [
                    (office, ref)
                    for office in ([ref.office] if ref.office else evidence_offices(config))
                ]
    return found


def _config_path(config: Config, ref: DocumentRef) -> Path:
    assert ref.file is not None
    base = config.source.parent if config.source else Path.cwd()
    return (base / ref.file).resolve()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def register_one(deployment: Deployment, key: str) -> int:
    """Run one evidence-register key; 1 when a file was taken."""
    _source, office, _ = key.split("|", 2)
    with _guarded(deployment, "evidence-register-failed", office):
        return _register_one(deployment, key)
    return 0


def _register_one(deployment: Deployment, key: str) -> int:
    source, office, rest = key.split("|", 2)
    if source == "folder":
        _, _, name = rest.split("|", 2)
        path = evidence_dir(deployment.root, office) / name
        if not path.is_file():
            return 0  # taken by another pass meanwhile
        register_file(deployment, office, path)
        return 1
    _, path_text = rest.split("|", 1)
    path = Path(path_text)
    ref = next(
        (
            r
            for o, r in _declared_files(deployment.config)
            if o == office and _config_path(deployment.config, r) == path
        ),
        None,
    )
    if ref is None or not path.is_file():
        return 0
    register_file(deployment, office, path, source="config", ref=ref)
    return 1


def register_file(
    deployment: Deployment,
    office: str,
    path: Path,
    *,
    source: str = "folder",
    ref: DocumentRef | None = None,
) -> Registered:
    """Archive, record, check and answer one document; a dropped file then leaves the folder."""
    config, now = deployment.config, deployment.now()
    info = path.stat()
    name = path.name if ref is None else _config_name(ref, path)
    sha256, stored = archive_copy(path, archive_dir(config))
    check = check_pdf(stored, name, config.limits.max_file_bytes)
    with deployment.ledger.atomic() as conn:
        known = records.already_taken(conn, office, name, sha256, info.st_mtime)
        if (
            known is not None and known.answered_at is not None
        ):  # taken before a crash cut the removal short
            result = Registered(known.id, office, name, known.status)
        else:
            result = _record(
                deployment, conn, office, name, info, sha256, stored, check, source, ref, now
            )
    if source == "folder":
        path.unlink(missing_ok=True)
    return result


def _config_name(ref: DocumentRef, path: Path) -> str:
    """A declared file is named by the rule from what config says, whatever its own name."""
    number = f"-{ref.number.replace('/', '-')}" if ref.number else ""
    return f"{ref.kind}{number}{path.suffix.lower() or '.pdf'}"


def _record(
    deployment: Deployment,
    conn: Connection,
    office: str,
    name: str,
    info: os.stat_result,
    sha256: str,
    stored: Path,
    check: PdfCheck,
    source: str,
    ref: DocumentRef | None,
    now: datetime,
) -> Registered:
    config = deployment.config
    file_id = records.record_file(
        conn,
        sha256=sha256,
        name=name,
        office=office,
        size=info.st_size,
        dropped_mtime=info.st_mtime,
        received_at=now,
        archive_path=str(stored.relative_to(config.root)),
    )
    record_event(
        conn,
        now,
        "received",
        office=office,
        kind="evidence",
        file_id=file_id,
        file=name,
        sha256=sha256,
    )
    if check.findings:
        records.store_judgement(
            conn, file_id, status="rejected", at=now, found=check.findings, kind="evidence"
        )
        record_event(
            conn,
            now,
            "rejected",
            office=office,
            kind="evidence",
            file_id=file_id,
            codes=[f["code"] for f in check.findings],
        )
        _answer(
            deployment,
            conn,
            file_id,
            office,
            "evidence_rejection",
            {
                **_common(deployment, office, name, now),
                "findings": check.findings,
                "rule_th": NAMING_RULE_TH,
                "rule_en": NAMING_RULE_EN,
            },
        )
        return Registered(
            file_id, office, name, "rejected", codes=tuple(f["code"] for f in check.findings)
        )
    original = ledger_evidence.registered_with_hash(conn, office, sha256)
    if original is not None:
        records.store_judgement(
            conn,
            file_id,
            status="duplicate",
            at=now,
            found=[],
            kind="evidence",
            duplicate_of=original.file_id,
        )
        record_event(
            conn,
            now,
            "duplicate",
            office=office,
            kind="evidence",
            file_id=file_id,
            document=original.id,
        )
        _answer(
            deployment,
            conn,
            file_id,
            office,
            "evidence_duplicate",
            {**_common(deployment, office, name, now), "document": _document_context(original)},
        )
        return Registered(file_id, office, name, "duplicate", original.id)
    parsed = parse_document_name(name)
    assert parsed is not None
    ref = ref or declared(config, office, parsed.kind, parsed.number)
    label = DOCUMENT_KINDS[parsed.kind]
    document_id = ledger_evidence.add_document(
        conn,
        office=office,
        fiscal_year=config.fiscal_year,
        kind=parsed.kind,
        number=parsed.number,
        day=parsed.day or (ref.date if ref else None),
        title_th=ref.title_th if ref else label.name_th,
        title_en=(ref.title_en or label.name_en) if ref else label.name_en,
        name=name,
        file_id=file_id,
        sha256=sha256,
        pages=check.pages,
        source=source,
        at=now,
        stand_in=check.stand_in,
    )
    records.store_judgement(conn, file_id, status="accepted", at=now, found=[], kind="evidence")
    record_event(
        conn,
        now,
        "evidence-registered",
        office=office,
        kind="evidence",
        file_id=file_id,
        document=document_id,
        document_kind=parsed.kind,
        number=parsed.number,
        pages=check.pages,
        source=source,
        stand_in=check.stand_in,
    )
    document = next(
        d
        for d in ledger_evidence.documents(conn, office, config.fiscal_year)
        if d.id == document_id
    )
    _answer(
        deployment,
        conn,
        file_id,
        office,
        "evidence_receipt",
        {
            **_common(deployment, office, name, now),
            "document": _document_context(document),
            "counts_for": counts_for(config, document),
            "missing": missing_documents(config, conn, office),
        },
    )
    return Registered(file_id, office, name, "accepted", document_id)


def _common(deployment: Deployment, office: str, name: str, now: datetime) -> dict[str, Any]:
    here = deployment.config.office(office)
    return {
        "office": {"code": office, "name_th": here.name_th, "name_en": here.name_en},
        "file": {
            "name": name,
            "received_th": datetime_th(now),
            "received_en": f"{date_en(now)} {now:%H:%M}",
        },
        "folder": str(evidence_dir(deployment.root, office)),
    }


def _document_context(d: ledger_evidence.Document) -> dict[str, Any]:
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
        needs = [(level.level, need) for level in rule.levels for need in level.needs]
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


def _answer(
    deployment: Deployment,
    conn: Connection,
    file_id: int,
    office: str,
    kind: str,
    context: dict[str, Any],
    attachments: list[Path] | None = None,
) -> None:
    now = deployment.now()
    to = evidence_people(deployment.config, office)
    if to:
        draft = make_message(kind, to, context, attachments or [])
        queue(
            conn,
            deployment.config,
            draft,
            now=now,
            dedupe_key=f"answer:{file_id}",
            file_id=file_id,
            office=office,
        )
    records.mark_answered(conn, file_id, now)
    record_event(
        conn, now, "answered", office=office, kind="evidence", file_id=file_id, mail=kind, to=to
    )


# -- the checklist, 7, 3 and 1 days before the deadline ---------------------------------------


def _start_of(day) -> datetime:
    return datetime.combine(day, clock_time(0), BANGKOK)


def checklist_due(deployment: Deployment) -> list[str]:
    """`round|province|Nd` while it is the N-days-before reminder's turn: from that day until
    the next reminder's (or the deadline's end). A service down at the time catches up with
    the latest reminder only, never with a burst of old ones."""
    now, keys = deployment.now(), []
    for round_ in current_rounds(deployment.config):
        days = round_.reminders_days_before
        for index, before in enumerate(days):
            start = _start_of(round_.deadline - timedelta(days=before))
            end = (
                _start_of(round_.deadline - timedelta(days=days[index + 1]))
                if index + 1 < len(days)
                else _start_of(round_.deadline + timedelta(days=1))
            )
            if start <= now < end:
                keys += [
                    f"{round_.code}|{office}|{before}d"
                    for office in evidence_offices(deployment.config)
                ]
    return keys


def send_checklist(deployment: Deployment, key: str) -> int:
    """What is still missing, to the province's evidence people; nothing when nothing is."""
    code, office, _ = key.split("|")
    with _guarded(deployment, "evidence-checklist-failed", office, code):
        return _send_checklist(deployment, key)
    return 0


def _send_checklist(deployment: Deployment, key: str) -> int:
    from kpi.scorecard import checklist, group_checklist, score

    code, office, before = key.split("|")
    round_ = deployment.config.round(code)
    card = score(deployment, round_, office)
    items = checklist(card)
    now = deployment.now()
    with deployment.ledger.atomic() as conn:
        record_event(
            conn,
            now,
            "evidence-checklist",
            office=office,
            kind="evidence",
            period=round_.code,
            actor="calendar",
            days_before=int(before.rstrip("d")),
            items=len(items),
        )
        if not items:
            return 0
        context = {
            **_round_context(deployment, round_, office, now),
            "days_before": int(before.rstrip("d")),
            "groups": group_checklist(items),
            "count": len(items),
            "kpis": _kpi_lines(card),
        }
        draft = make_message(
            "evidence_checklist", evidence_people(deployment.config, office), context
        )
        queued = queue(
            conn,
            deployment.config,
            draft,
            now=now,
            dedupe_key=f"evidence-checklist:{key}",
            office=office,
        )
    return 1 if queued else 0


def _round_context(
    deployment: Deployment, round_: Round, office: str, now: datetime
) -> dict[str, Any]:
    here = deployment.config.office(office)
    days_left = (round_.deadline - now.date()).days
    return {
        "office": {"code": office, "name_th": here.name_th, "name_en": here.name_en},
        "round": round_.code,
        "deadline_th": date_th(round_.deadline),
        "deadline_en": date_en(round_.deadline),
        "days_left": days_left,
        "as_of_th": datetime_th(now),
        "as_of_en": f"{date_en(now)} {now:%H:%M}",
    }


def _kpi_lines(card) -> list[dict[str, Any]]:
    return [
        {
            "code": k.code,
            "name_th": k.rule.name_th,
            "name_en": k.rule.name_en,
            "level": k.level,
            "levels": len(k.levels),
            "score": f"{k.score:.4f}",
            "weighted": f"{k.weighted:.4f}",
            "weight": f"{k.rule.weight:g}",
            "achievement": f"{k.achievement:,.2f}" if k.achievement is not None else None,
        }
        for k in card.kpis
    ]


# -- the packet, the day before the deadline once the last month is confirmed -------------------


def packet_due(deployment: Deployment) -> list[str]:
    """`round|province` from the packet day on, once the round's last month is confirmed to
    the centre by the province: the day before the deadline, or at once if confirmed later."""
    now, keys = deployment.now(), []
    rounds = [
        r
        for r in current_rounds(deployment.config)
        if now >= _start_of(r.deadline - timedelta(days=r.packet_days_before))
    ]
    if not rounds:
        return keys
    with deployment.ledger.atomic() as conn:
        for round_ in rounds:
            for office in evidence_offices(deployment.config):
                confirmed, _ = ledger_evidence.confirmed_at(conn, office, round_.last)
                if confirmed is not None:
                    keys.append(f"{round_.code}|{office}")
    return keys


def send_packet(deployment: Deployment, key: str) -> int:
    code, office = key.split("|")
    with _guarded(deployment, "evidence-packet-failed", office, code):
        build_and_send(deployment, deployment.config.round(code), office, reason="calendar")
        return 1
    return 0


class _guarded:
    """A job's failure is logged and recorded (an event), never allowed to stop the service's
    pass; `eop evidence --send` or `eop jobs run … --again` repeats it."""

    def __init__(
        self, deployment: Deployment, event: str, office: str, period: str | None = None
    ) -> None:
        self.deployment, self.event, self.office, self.period = deployment, event, office, period

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _trace) -> bool:
        if error is None or not isinstance(error, Exception):
            return False
        log.exception(
            "%s for %s %s",
            self.event,
            self.office,
            self.period or "",
            exc_info=(kind, error, _trace),
        )
        try:
            with self.deployment.ledger.atomic() as conn:
                record_event(
                    conn,
                    self.deployment.now(),
                    self.event,
                    office=self.office,
                    kind="evidence",
                    period=self.period,
                    actor="calendar",
                    error=repr(error)[:500],
                )
        except Exception:
            log.exception("recording %s failed", self.event)
        return True


def build_and_send(
    deployment: Deployment, round_: Round, office: str, *, reason: str = "request", progress=None
):
    """Build the packet and mail it (PDF and ZIP attached) to the province's evidence people."""
    from kpi.packet import build_packet, packet_mail_context

    packet = build_packet(deployment, round_, office, progress=progress)
    now = deployment.now()
    with deployment.ledger.atomic() as conn:
        context = {**_round_context(deployment, round_, office, now), **packet_mail_context(packet)}
        draft = make_message(
            "evidence_packet",
            evidence_people(deployment.config, office),
            context,
            [packet.pdf, packet.zip],
        )
        queue(
            conn,
            deployment.config,
            draft,
            now=now,
            dedupe_key=f"evidence-packet:{round_.code}:{office}:{packet.sha256[:16]}",
            office=office,
        )
        record_event(
            conn,
            now,
            "evidence-packet-sent",
            office=office,
            kind="evidence",
            period=round_.code,
            actor=reason,
            pdf=packet.pdf.name,
            sha256=packet.sha256,
            pages=packet.pages,
        )
    return packet


# -- the target letter, when the allocation is accepted -----------------------------------------


def letter_due(deployment: Deployment) -> list[str]:
    from kpi.letter import letter_keys

    return letter_keys(deployment)


def draft_letter(deployment: Deployment, key: str) -> int:
    from kpi.letter import draft_and_send

    return draft_and_send(deployment, key)
