"""KPI evidence (DESIGN §8): the calendar's jobs for the registry, the checklist and the packet.

A document is registered through intake (intake.documents: archived, checked by the PDF gate,
recorded) and answered by kpi.registry. The calendar's jobs (appended to
service.calendar.JOBS), each once per key:
  evidence-register    every file waiting in an evidence folder, and config's declared files
  target-letter        the target notification memo drafted when the allocation is accepted
  evidence-checklist   what is still missing, to the coordinators 7, 3 and 1 days before the deadline
  evidence-packet      the packet, built and sent the day before the deadline once the round's
                       last month is confirmed to the centre (at once if that comes later)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from eop.clock import BANGKOK
from eop.rounds import Round
from intake.documents import (
    declared_files,
    declared_path,
    file_sha256,
    waiting_documents,
)
from intake.folders import evidence_dir
from jobs.deployment import Deployment
from kpi.mailing import (
    current_rounds,
    evidence_offices,
    evidence_people,
    guarded,
    kpi_lines,
    round_context,
)
from kpi.registry import register_file
from ledger import evidence as ledger_evidence
from ledger.db import record_event
from outbox.compose import make_message
from outbox.spool import queue

__all__ = ["register_file"]  # the registry's entry, where the jobs are


def _start_of(day: date) -> datetime:
    return datetime.combine(day, clock_time(0), BANGKOK)


# -- registering ------------------------------------------------------------------------------


def register_due(deployment: Deployment) -> list[str]:
    """Keys of the files waiting (`folder|office|size|mtime_ns|name`) and of config's declared
    files not registered in this form yet (`config|office|sha256|path`)."""
    config = deployment.config
    waiting = waiting_documents(
        deployment.root, evidence_offices(config), config.watch.stable_seconds
    )
    keys = [
        f"folder|{w.office}|{w.size}|{w.path.stat().st_mtime_ns}|{w.path.name}"
        for w in waiting
        if w.path.exists()
    ]
    for office, ref in declared_files(config):
        path = declared_path(config, ref)
        if path.is_file():
            keys.append(f"config|{office}|{_sha256_unless_unchanged(path)}|{path}")
    return keys


_HASHED: dict[Path, tuple[tuple[int, int], str]] = {}  # path → ((size, mtime), its sha256)


def _sha256_unless_unchanged(path: Path) -> str:
    """A declared file's hash, read again only when its size or time changed: asked twice a
    pass, and the file is a scan of several MB. One entry a declared file."""
    info = path.stat()
    seen = (info.st_size, info.st_mtime_ns)
    if path not in _HASHED or _HASHED[path][0] != seen:
        _HASHED[path] = (seen, file_sha256(path))
    return _HASHED[path][1]


def register_one(deployment: Deployment, key: str) -> int:
    """Run one evidence-register key; 1 when a file was taken."""
    source, office, rest = key.split("|", 2)
    with guarded(deployment, "evidence-register-failed", office):
        if source == "folder":
            path = evidence_dir(deployment.root, office) / rest.split("|", 2)[2]
            if not path.is_file():
                return 0  # taken by another pass meanwhile
            register_file(deployment, office, path)
            return 1
        path = Path(rest.split("|", 1)[1])
        config = deployment.config
        ref = next(
            (
                r
                for o, r in declared_files(config)
                if o == office and declared_path(config, r) == path
            ),
            None,
        )
        if ref is None or not path.is_file():
            return 0
        register_file(deployment, office, path, source="config", ref=ref)
        return 1
    return 0


# -- the checklist, 7, 3 and 1 days before the deadline ---------------------------------------


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
    """What is still missing (documents on file that cannot be read among it), to the
    province's evidence people; nothing when nothing is."""
    code, office, _ = key.split("|")
    with guarded(deployment, "evidence-checklist-failed", office, code):
        return _send_checklist(deployment, key)
    return 0


def _send_checklist(deployment: Deployment, key: str) -> int:
    from kpi.merge import unreadable_items
    from kpi.scorecard import checklist, group_checklist, score

    code, office, before = key.split("|")
    round_ = deployment.config.round(code)
    card = score(deployment, round_, office)
    items = checklist(card) + unreadable_items(deployment, card)
    now, days = deployment.now(), int(before.rstrip("d"))
    with deployment.ledger.atomic() as conn:
        record_event(
            conn,
            now,
            "evidence-checklist",
            office=office,
            kind="evidence",
            period=round_.code,
            actor="calendar",
            days_before=days,
            items=len(items),
        )
        if not items:
            return 0
        context = {
            **round_context(deployment, round_, office, now),
            "days_before": days,
            "groups": group_checklist(items),
            "count": len(items),
            "kpis": kpi_lines(card),
        }
        to = evidence_people(deployment.config, office)
        draft = make_message("evidence_checklist", to, context)
        dedupe = f"evidence-checklist:{key}"
        queued = queue(conn, deployment.config, draft, now=now, dedupe_key=dedupe, office=office)
    return 1 if queued else 0


# -- the packet, the day before the deadline once the last month is confirmed -------------------


def packet_due(deployment: Deployment) -> list[str]:
    """`round|province` from the packet day on, once the round's last month is confirmed to
    the centre by the province: the day before the deadline, or at once if confirmed later."""
    now, keys = deployment.now(), list[str]()
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
    with guarded(deployment, "evidence-packet-failed", office, code):
        build_and_send(deployment, deployment.config.round(code), office, reason="calendar")
        return 1
    return 0


def build_and_send(
    deployment: Deployment, round_: Round, office: str, *, reason: str = "request", progress=None
):
    """Build the packet and mail it (PDF and ZIP attached) to the province's evidence people."""
    from kpi.packet import build_packet, packet_mail_context

    packet = build_packet(deployment, round_, office, progress=progress)
    now = deployment.now()
    with deployment.ledger.atomic() as conn:
        context = {**round_context(deployment, round_, office, now), **packet_mail_context(packet)}
        to = evidence_people(deployment.config, office)
        draft = make_message("evidence_packet", to, context, [packet.pdf, packet.zip])
        dedupe = f"evidence-packet:{round_.code}:{office}:{packet.sha256[:16]}"
        queue(conn, deployment.config, draft, now=now, dedupe_key=dedupe, office=office)
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
