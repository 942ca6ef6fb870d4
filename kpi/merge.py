"""Putting a packet together: the documents on file as clean copies, the pages merged and
stamped, the ZIP beside it (DESIGN §8; issue 19).

A document is merged from its clean copy (intake.documents.cleaned: checked in a process of
its own under `limits:`, its active content taken out), never from the file as sent. One that
cannot be read gets a page of its own in its place saying so and what to send instead, and a
line in the checklist; every other part is built. Nothing of a document is parsed here: the
stamp with the packet's page number is laid over each page as a form of its own (the page's
content is wrapped, not read), so merging costs the same whatever a document holds.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eop.thai import date_en, date_th
from intake.documents import Cleaned, cleaned
from jobs.deployment import Deployment
from ledger import evidence as ledger_evidence
from templates.evidence import render_slip, render_stamps
from validators.catalogue import document_finding

STAMP = "/EopStamp"


@dataclass(frozen=True)
class Part:
    """A run of pages in the packet: the front matter, a document, or a report."""

    kind: Literal["front", "document", "report"]
    th: str
    en: str
    path: Path
    pages: int
    first: int = 0  # the packet's page number of its first page
    ref: str = ""  # a document's number or name; a report's code
    document_id: int | None = None
    stand_in: bool = False
    unreadable: bool = False  # a document that could not be merged: its page says so

    @property
    def last(self) -> int:
        return self.first + self.pages - 1


def pdf_pages(path: Path) -> int:
    """Pages of a PDF we made (reports, front matter, clean copies)."""
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def document_labels(d: ledger_evidence.Document) -> tuple[str, str]:
    from kpi.scorecard import document_label

    label_th, label_en = document_label(d.kind, d.number)
    dated_th = f" ลงวันที่ {date_th(d.day)}" if d.day else ""
    dated_en = f" of {date_en(d.day)}" if d.day else ""
    stand_th = " (เอกสารจำลอง)" if d.stand_in else ""
    stand_en = " (stand-in)" if d.stand_in else ""
    return f"{label_th}{dated_th}{stand_th}", f"{label_en}{dated_en}{stand_en}"


def clean_of(deployment: Deployment, d: ledger_evidence.Document) -> Cleaned:
    return cleaned(deployment.config, deployment.root / d.archive_path, d.sha256, d.name)


def document_part(deployment: Deployment, d: ledger_evidence.Document, parts_dir: Path) -> Part:
    """A document on file as merged: its clean copy, or a page saying it cannot be read."""
    th, en = document_labels(d)
    clean = clean_of(deployment, d)
    ref = d.number or d.name
    if clean.path is not None:
        return Part("document", th, en, clean.path, clean.pages, 0, ref, d.id, stand_in=d.stand_in)
    problem = unreadable_problem(d, clean)
    slip = render_slip(
        {
            "label_th": th,
            "label_en": en,
            "name": d.name,
            "sha256": d.sha256,
            "th": problem[0],
            "en": problem[1],
        },
        parts_dir / f"unreadable-{d.id}.pdf",
    )
    return Part(
        "document",
        f"{th} — อ่านไม่ได้",
        f"{en} — unreadable",
        slip,
        pdf_pages(slip),
        0,
        ref,
        d.id,
        stand_in=d.stand_in,
        unreadable=True,
    )


def unreadable_problem(d: ledger_evidence.Document, clean: Cleaned) -> tuple[str, str]:
    """The checklist's line for a document on file that cannot be merged (Thai, English)."""
    from kpi.scorecard import document_label

    label_th, label_en = document_label(d.kind, d.number)
    found = document_finding(
        "evidence-document-unreadable",
        d.name,
        label_th=label_th,
        label_en=label_en,
        why_th=clean.why_th,
        why_en=clean.why_en,
    )
    return found.message_th, found.message_en


def unreadable_items(deployment: Deployment, card: Any) -> list[Any]:
    """Checklist items for the documents on file that cannot be merged, under the KPI that
    needs them (the first KPI when none does)."""
    from kpi.scorecard import ChecklistItem, Problem

    items = []
    for d in card.documents:
        clean = clean_of(deployment, d)
        if clean.path is None:
            th, en = unreadable_problem(d, clean)
            kpi = _needing(card, d.id) or card.kpis[0].code
            items.append(ChecklistItem(kpi, None, Problem("evidence-document-unreadable", th, en)))
    return items


def _needing(card: Any, document_id: int) -> str | None:
    for kpi in card.kpis:
        proofs = [p for level in kpi.levels for p in level.proofs]
        proofs += [p for doc in kpi.documents for p in doc.check.proofs]
        if any(p.document_id == document_id for p in proofs):
            return kpi.code
    return None


# -- merging and stamping ------------------------------------------------------------------------


def merge(parts: list[Part], label: str, title: str, subject: str, out: Path) -> int:
    """Merge the parts, stamp every page `label · หน้า i/n — packet page i/n`, write `out`
    atomically; returns the page count."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(str(part.path)))
    total = len(writer.pages)
    sizes = [
        {
            "width_pt": float(p.mediabox.width),
            "height_pt": float(p.mediabox.height),
            "label": f"{label} · หน้า {i}/{total} — packet page {i}/{total}",
        }
        for i, p in enumerate(writer.pages, start=1)
    ]
    stamps = PdfReader(str(render_stamps(sizes, out.parent / "parts" / "stamps.pdf")))
    if len(stamps.pages) != total:
        raise RuntimeError(f"stamps: {len(stamps.pages)} pages for a packet of {total}")
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        _overlay(writer, page, _form_of(writer, stamp))
    writer.add_metadata({"/Title": title, "/Author": "e-Operation Sheets", "/Subject": subject})
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    with partial.open("wb") as handle:
        writer.write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, out)
    return total


def _form_of(writer: Any, stamp: Any) -> Any:
    """A stamp page (ours, small) as a form XObject of the packet."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    form = DecodedStreamObject()
    form.set_data(stamp.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(float(v)) for v in stamp.mediabox)
    form[NameObject("/Resources")] = stamp["/Resources"].clone(writer)
    return writer._add_object(form)


def _overlay(writer: Any, page: Any, form: Any) -> None:
    """Draw `form` over `page`: its content wrapped in q … Q (never parsed), the form after,
    at the page's lower left corner; the page's own resources copied, not changed."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    def stream(data: bytes) -> Any:
        made = DecodedStreamObject()
        made.set_data(data)
        return writer._add_object(made)

    box = page.mediabox
    resources = DictionaryObject(page.get("/Resources", DictionaryObject()).items())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).items())
    xobjects[NameObject(STAMP)] = form
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents: Any = page.raw_get("/Contents") if "/Contents" in page else ArrayObject()
    if isinstance(contents.get_object(), ArrayObject):
        inner = list(contents.get_object())
    elif hasattr(contents, "idnum"):
        inner = [contents]
    else:  # a content stream written directly in the page: made an object of its own
        inner = [writer._add_object(contents)]
    place = f"1 0 0 1 {float(box.left):g} {float(box.bottom):g} cm"
    after = stream(f"\nQ\nq {place} {STAMP} Do Q\n".encode())
    page[NameObject("/Contents")] = ArrayObject([stream(b"q\n"), *inner, after])


# -- the ZIP ---------------------------------------------------------------------------------------


def write_zip(
    members: list[tuple[str, bytes, str, str]], pdf: Path, pdf_sha256: str, out: Path
) -> list[tuple[str, str, int]]:
    """`members` (name, bytes, what in Thai, in English) and manifest.csv (file, sha256, bytes,
    what) naming the packet PDF beside the ZIP too; returns the manifest's rows."""
    import hashlib

    manifest = [(name, hashlib.sha256(data).hexdigest(), len(data)) for name, data, _, _ in members]
    manifest.append((f"../{pdf.name}", pdf_sha256, pdf.stat().st_size))
    whats = [(th, en) for _, _, th, en in members]
    whats.append(("แฟ้มหลักฐาน PDF (ไฟล์ข้าง ZIP นี้)", "the evidence packet PDF (beside this ZIP)"))
    text = io.StringIO()
    table = csv.writer(text, lineterminator="\n")
    table.writerow(["file", "sha256", "bytes", "what_th", "what_en"])
    for (name, digest, size), (th, en) in zip(manifest, whats, strict=True):
        table.writerow([name, digest, size, th, en])
    partial = out.with_name(f".{out.name}.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data, _, _ in members:
            bundle.writestr(name, data)
        bundle.writestr("manifest.csv", "\ufeff" + text.getvalue())  # a BOM: Excel reads the Thai
    os.replace(partial, out)
    return manifest
