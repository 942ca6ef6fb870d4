"""The gate of an evidence PDF: is it one we can take and merge, safely? (Issue 19.)

Before a byte is parsed: the size (limits.max_file_bytes), the PDF header (else: what it
looks like instead), a zip hidden in it (a polyglot). Then the file is opened in a process of
its own (intake.pdf_probe), which caps its address space (limits.max_pdf_memory_bytes) and CPU
time, and is killed past limits.max_pdf_seconds of wall time: a bomb costs that process, never
the service. It counts pages, objects, nesting and inflated bytes against `limits:`, finds
loops and active content and, when asked, writes the clean copy a packet merges.

A refusal is a Finding from the catalogue (validators.catalogue), Thai then English, naming
the file, the limit's key and what to send instead.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eop.config import Limits
from eop.findings import Finding
from validators.catalogue import ACTIVE_KINDS, document_finding

PDF_MAGIC = b"%PDF-"
HERE = Path(__file__).resolve().parent.parent  # the folder holding this very `intake`
PROBE = f"import sys; sys.path.insert(0, {str(HERE)!r}); from intake.pdf_probe import main; main()"
STAND_IN_MARKS = ("STAND-IN", "เอกสารจำลอง")
LOOKS_LIKE = (  # (magic, Thai, English): what a file that is not a PDF is instead
    (b"PK", " (เป็นไฟล์ Office หรือ ZIP)", " (it is an Office or ZIP file)"),
    (b"\xd0\xcf\x11\xe0", " (เป็นไฟล์ Word/Excel รุ่นเก่า)", " (it is an old Word/Excel file)"),
    (b"\xff\xd8", " (เป็นรูปภาพ JPEG)", " (it is a JPEG picture)"),
    (b"\x89PNG", " (เป็นรูปภาพ PNG)", " (it is a PNG picture)"),
)
WHERE = {
    "outline": ("ในสารบัญ (bookmark)", "in its bookmarks"),
    "pages": ("ในลำดับหน้า", "in its page tree"),
}


@dataclass(frozen=True)
class PdfCheck:
    """What the gate found: the pages, whether it says it is a stand-in, the kinds of active
    content it carried (removed from a clean copy), or the findings refusing it."""

    pages: int = 0
    stand_in: bool = False
    active: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0
    peak_kb: int = 0  # the checking process's peak resident memory

    @property
    def refused(self) -> bool:
        return any(f.is_error for f in self.findings)

    @property
    def why(self) -> tuple[str, str]:
        """The refusal's message (Thai, English), for a document already on file."""
        first = next(f for f in self.findings if f.is_error)
        return first.message_th, first.message_en


def check_pdf(path: Path, name: str, limits: Limits, *, clean_to: Path | None = None) -> PdfCheck:
    """Check `path` (named `name` to the province); with `clean_to`, write the clean copy there."""
    started = time.perf_counter()
    refusal = _before_parsing(path, name, limits)
    if refusal is not None:
        return PdfCheck(findings=(refusal,))
    outcome = run_probe(path, limits, clean_to)
    seconds, peak = time.perf_counter() - started, int(outcome.get("peak_rss_kb", 0))
    if "refused" in outcome:
        finding = _refusal(outcome, name, limits)
        return PdfCheck(findings=(finding,), seconds=seconds, peak_kb=peak)
    active = tuple(outcome["active"])
    text = outcome.get("text", "")
    return PdfCheck(
        pages=int(outcome["pages"]),
        stand_in=any(mark in text for mark in STAND_IN_MARKS),
        active=active,
        findings=(active_removed(name, active),) if active else (),
        seconds=seconds,
        peak_kb=peak,
    )


def _before_parsing(path: Path, name: str, limits: Limits) -> Finding | None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return document_finding(
            "evidence-too-large", name, size=size_text(size), limit=size_text(limits.max_file_bytes)
        )
    with path.open("rb") as handle:
        head = handle.read(1024)
    if PDF_MAGIC not in head:
        like_th, like_en = next(
            ((th, en) for m, th, en in LOOKS_LIKE if head.startswith(m)), ("", "")
        )
        return document_finding("evidence-not-pdf", name, like_th=like_th, like_en=like_en)
    if zipfile.is_zipfile(path):
        return document_finding("evidence-polyglot", name)
    return None


def run_probe(path: Path, limits: Limits, clean_to: Path | None = None) -> dict[str, Any]:
    """The probe's answer as data; a probe killed (time, memory) or broken says so."""
    request = {
        "path": str(path),
        "clean_to": str(clean_to) if clean_to else None,
        "limits": limits.model_dump(),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", PROBE],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=limits.max_pdf_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"refused": "evidence-too-slow"}
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return {"refused": "evidence-too-slow"}
    if done.returncode != 0 or not done.stdout:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        if "MemoryError" in lines[-1]:
            return {"refused": "evidence-too-much-memory"}
        return {"refused": "evidence-unreadable", "why": lines[-1][:160]}
    return json.loads(done.stdout)


def _refusal(outcome: dict[str, Any], name: str, limits: Limits) -> Finding:
    code = outcome["refused"]
    facts = {k: v for k, v in outcome.items() if k not in ("refused", "peak_rss_kb")}
    if code == "evidence-loop":
        facts["where_th"], facts["where_en"] = WHERE[facts.pop("where", "pages")]
    facts.setdefault("why", "")
    facts["limit_size"] = size_text(
        limits.max_pdf_memory_bytes
        if code == "evidence-too-much-memory"
        else limits.max_pdf_decompressed_bytes
    )
    if code == "evidence-too-slow":
        facts["limit"] = limits.max_pdf_seconds
    return document_finding(code, name, **facts)


def active_removed(name: str, kinds: tuple[str, ...]) -> Finding:
    """The receipt's word that what acted was taken out of the copy in the packet."""
    th = ", ".join(ACTIVE_KINDS[k][0] for k in kinds if k in ACTIVE_KINDS)
    en = ", ".join(ACTIVE_KINDS[k][1] for k in kinds if k in ACTIVE_KINDS)
    return document_finding("evidence-active-removed", name, kinds_th=th, kinds_en=en)


def size_text(n: int) -> str:
    """1.5 MB, 512 MB, 20 KB: sizes as a person reads them."""
    if n < 1024:
        return f"{n} bytes"
    value, unit = (n / 1048576, "MB") if n >= 1048576 else (n / 1024, "KB")
    return f"{value:,.0f} {unit}" if value.is_integer() else f"{value:,.1f} {unit}"
