"""Evidence documents taken like any other file: scanned, archived, gated, recorded, judged.

A province drops a PDF into ``share/<province>/evidence/`` named by its kind and number
(eop.rounds.parse_document_name: ``order-84-2558.pdf``, ``คำสั่ง-85-2558.pdf``,
``letter-targets-signed.pdf``, ``minutes-1-2558.pdf``), or config declares it with ``file:``.
The folder is an inbox: a file is ready once quiet (or whole: it ends with %%EOF), copied into
the archive by content hash (intake.take.archive_copy), checked by the PDF gate
(intake.pdf_gate: limits, active content) and by the naming rule, then recorded in one
transaction with its verdict — accepted (a document on file), rejected (findings from the
catalogue) or a duplicate. The answer by mail is the caller's (kpi.registry), in the same
transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from eop.config import Config
from eop.findings import Finding
from eop.rounds import (
    DOCUMENT_KINDS,
    NAMING_RULE_EN,
    NAMING_RULE_TH,
    DocumentRef,
    parse_document_name,
)
from intake.folders import Waiting, evidence_dir, is_ignored_name, kind_of
from intake.pdf_gate import PdfCheck, check_pdf
from intake.take import archive_copy, archive_dir
from ledger import evidence as ledger_evidence
from ledger import records
from ledger.db import record_event
from validators.catalogue import SEND_AGAIN_EN, SEND_AGAIN_TH, document_finding

PDF_END = b"%%EOF"


def pdf_end_present(path: Path) -> bool:
    """A whole PDF ends with %%EOF (in its last KB): that one need not wait to be quiet."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 1024))
            return PDF_END in handle.read()
    except OSError:
        return False


def waiting_documents(root: Path, offices: list[str], stable_seconds: float) -> list[Waiting]:
    """The files waiting in the provinces' evidence folders, quiet for `stable_seconds` or whole;
    lock files, temporary files, folders and links are left alone."""
    found = []
    for office in offices:
        try:
            entries = sorted(os.scandir(evidence_dir(root, office)), key=lambda e: e.name)
        except OSError:  # not created yet, or a share briefly unreachable: next pass
            continue
        for entry in entries:
            if is_ignored_name(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            path = Path(entry.path)
            if time.time() - info.st_mtime >= stable_seconds or pdf_end_present(path):
                found.append(
                    Waiting(office, path, info.st_size, info.st_mtime, kind_of(info.st_mode))
                )
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- documents config declares with their file -------------------------------------------------


def declared_files(config: Config) -> list[tuple[str, DocumentRef]]:
    """(office, document) for each document of the year's rounds that config gives a file."""
    found = []
    for round_ in config.rounds:
        if round_.fiscal_year != config.fiscal_year:
            continue
        for ref in round_.documents:
            if ref.file is not None:
                offices = [ref.office] if ref.office else [p.code for p in config.provinces()]
                found += [(office, ref) for office in offices]
    return found


def declared_path(config: Config, ref: DocumentRef) -> Path:
    assert ref.file is not None
    base = config.source.parent if config.source else Path.cwd()
    return (base / ref.file).resolve()


def declared(config: Config, office: str, kind: str, number: str | None) -> DocumentRef | None:
    """The document config declares for this kind and number (the date and title a scan lacks)."""
    for round_ in config.rounds:
        if round_.fiscal_year != config.fiscal_year:
            continue
        for ref in round_.documents:
            if ref.kind == kind and ref.number == number and ref.office in (None, office):
                return ref
    return None


def declared_name(ref: DocumentRef, path: Path) -> str:
    """A declared file is named by the rule from what config says, whatever its own name."""
    number = f"-{ref.number.replace('/', '-')}" if ref.number else ""
    return f"{ref.kind}{number}{path.suffix.lower() or '.pdf'}"


# -- taking one ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """A document archived and checked, not recorded yet."""

    office: str
    name: str
    size: int
    mtime: float
    sha256: str
    stored: Path
    check: PdfCheck
    findings: tuple[Finding, ...]  # the gate's and the naming rule's
    source: str  # folder | config
    ref: DocumentRef | None

    @property
    def refused(self) -> bool:
        return any(f.is_error for f in self.findings)


def take_document(
    config: Config,
    office: str,
    path: Path,
    *,
    source: str = "folder",
    ref: DocumentRef | None = None,
) -> Taken:
    """Archive (fsync) and check one document; nothing is recorded yet."""
    info = path.stat()
    name = path.name if ref is None else declared_name(ref, path)
    sha256, stored = archive_copy(path, archive_dir(config))
    check = gate(config, stored, sha256, name)
    findings = check.findings if check.refused else check.findings + naming_findings(name)
    return Taken(
        office, name, info.st_size, info.st_mtime, sha256, stored, check, findings, source, ref
    )


def naming_findings(name: str) -> tuple[Finding, ...]:
    """Does the name say what the document is (and its number, for a numbered kind)?"""
    parsed = parse_document_name(name)
    if parsed is None:
        return (
            document_finding(
                "evidence-bad-name", name, rule_th=NAMING_RULE_TH, rule_en=NAMING_RULE_EN
            ),
        )
    label = DOCUMENT_KINDS[parsed.kind]
    if label.numbered and not parsed.number:
        return (
            document_finding(
                "evidence-number-missing",
                name,
                label_th=label.name_th,
                label_en=label.name_en,
                kind=parsed.kind,
            ),
        )
    return ()


# -- the clean copy a packet merges ----------------------------------------------------------


def clean_path(config: Config, sha256: str) -> Path:
    """Where the clean copy of a document lives: by content and by the limits it passed."""
    limits = json.dumps(config.limits.model_dump(), sort_keys=True).encode()
    return (
        config.root
        / "evidence"
        / "clean"
        / f"{sha256}-{hashlib.sha256(limits).hexdigest()[:8]}.pdf"
    )


def gate(config: Config, stored: Path, sha256: str, name: str) -> PdfCheck:
    """Check an archived document and keep its clean copy (and a note of the outcome: the
    pages, or the refusal) beside the others, for every packet that merges it."""
    target = clean_path(config, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    check = check_pdf(stored, name, config.limits, clean_to=partial)
    if not check.refused and partial.is_file():
        os.replace(partial, target)
    partial.unlink(missing_ok=True)
    note = {"pages": check.pages, "refused": [f.as_dict() for f in check.findings if f.is_error]}
    target.with_suffix(".json").write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
    return check


@dataclass(frozen=True)
class Cleaned:
    """A document on file as a packet merges it: its clean copy, or why there is none."""

    path: Path | None
    pages: int
    why_th: str = ""
    why_en: str = ""


def cleaned(config: Config, stored: Path, sha256: str, name: str) -> Cleaned:
    """The clean copy of a document on file, checked now if it never was under these limits;
    whatever is on file, the answer comes within the gate's time and memory."""
    target = clean_path(config, sha256)
    note_path = target.with_suffix(".json")
    if not note_path.is_file():
        if not stored.is_file():
            th = f"ไม่พบไฟล์ในที่เก็บ — {SEND_AGAIN_TH}"
            return Cleaned(None, 0, th, f"the archived file is missing; {SEND_AGAIN_EN}")
        gate(config, stored, sha256, name)
    note = json.loads(note_path.read_text(encoding="utf-8"))
    if note["refused"] or not target.is_file():
        first = (note["refused"] or [{"message_th": "", "message_en": ""}])[0]
        return Cleaned(None, 0, first["message_th"], first["message_en"])
    return Cleaned(target, int(note["pages"]))


# -- recording it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    """The verdict on one document. `fresh` is False for a file recorded and answered before
    (its removal from the folder was cut short): nothing more is done with it."""

    file_id: int
    office: str
    name: str
    status: str  # accepted | rejected | duplicate
    document_id: int | None = None
    findings: tuple[Finding, ...] = ()
    original: ledger_evidence.Document | None = None  # what a duplicate repeats
    fresh: bool = True

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)


def record_document(conn: Connection, config: Config, taken: Taken, now: datetime) -> Registered:
    """Record the file and its verdict, in the caller's transaction."""
    known = records.already_taken(conn, taken.office, taken.name, taken.sha256, taken.mtime)
    if known is not None and known.answered_at is not None:
        return Registered(known.id, taken.office, taken.name, known.status, fresh=False)
    file_id = records.record_file(
        conn,
        sha256=taken.sha256,
        name=taken.name,
        office=taken.office,
        size=taken.size,
        dropped_mtime=taken.mtime,
        received_at=now,
        archive_path=str(taken.stored.relative_to(config.root)),
    )
    _event(conn, now, "received", taken, file_id, file=taken.name, sha256=taken.sha256)
    if taken.refused:
        return _reject(conn, now, taken, file_id)
    original = ledger_evidence.registered_with_hash(conn, taken.office, taken.sha256)
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
        _event(conn, now, "duplicate", taken, file_id, document=original.id)
        return Registered(
            file_id, taken.office, taken.name, "duplicate", original.id, original=original
        )
    return _accept(conn, config, now, taken, file_id)


def _event(
    conn: Connection, now: datetime, what: str, taken: Taken, file_id: int, **facts: Any
) -> None:
    record_event(conn, now, what, office=taken.office, kind="evidence", file_id=file_id, **facts)


def _reject(conn: Connection, now: datetime, taken: Taken, file_id: int) -> Registered:
    found = [f.as_dict() for f in taken.findings]
    records.store_judgement(conn, file_id, status="rejected", at=now, found=found, kind="evidence")
    _event(conn, now, "rejected", taken, file_id, codes=[f.code for f in taken.findings])
    return Registered(file_id, taken.office, taken.name, "rejected", findings=taken.findings)


def _accept(
    conn: Connection, config: Config, now: datetime, taken: Taken, file_id: int
) -> Registered:
    parsed = parse_document_name(taken.name)
    assert parsed is not None
    ref = taken.ref or declared(config, taken.office, parsed.kind, parsed.number)
    label = DOCUMENT_KINDS[parsed.kind]
    check = taken.check
    document_id = ledger_evidence.add_document(
        conn,
        office=taken.office,
        fiscal_year=config.fiscal_year,
        kind=parsed.kind,
        number=parsed.number,
        day=parsed.day or (ref.date if ref else None),
        title_th=ref.title_th if ref else label.name_th,
        title_en=(ref.title_en or label.name_en) if ref else label.name_en,
        name=taken.name,
        file_id=file_id,
        sha256=taken.sha256,
        pages=check.pages,
        source=taken.source,
        at=now,
        stand_in=check.stand_in,
    )
    found = [f.as_dict() for f in taken.findings]  # warnings: the active content taken out
    records.store_judgement(conn, file_id, status="accepted", at=now, found=found, kind="evidence")
    facts: dict[str, Any] = {
        "document_kind": parsed.kind,
        "number": parsed.number,
        "pages": check.pages,
    }
    facts |= {"source": taken.source, "stand_in": check.stand_in, "active": list(check.active)}
    _event(conn, now, "evidence-registered", taken, file_id, document=document_id, **facts)
    return Registered(file_id, taken.office, taken.name, "accepted", document_id, taken.findings)
